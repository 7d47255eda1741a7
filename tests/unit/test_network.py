"""Which addresses a fetch may reach: the vetting, with name resolution injected (no network;
the unit tests' network blocker fails any connection attempt)."""

from __future__ import annotations

import pytest

from index.config import FetchConfig
from index.fetch import Fetcher, FetchError
from index.network import AddressRefused, Unresolvable, refusal, vet

OPT_IN = "(set NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS=true to allow)"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.3.2.1", "a loopback address"),
        ("10.0.0.5", "a private address"),
        ("172.16.3.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata service
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("100.64.0.1", "a non-public address"),  # carrier-grade NAT: neither private nor global
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fd00:ec2::254", "a private address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address (IPv4 127.0.0.1 inside)"),
        ("::ffff:169.254.169.254", "a link-local address (IPv4 169.254.169.254 inside)"),
        ("::ffff:10.1.1.1", "a private address (IPv4 10.1.1.1 inside)"),
        ("2002:7f00:1::1", "a loopback address (IPv4 127.0.0.1 inside)"),  # 6to4
        ("64:ff9b::a00:1", "a private address (IPv4 10.0.0.1 inside)"),  # NAT64
    ],
)
def test_non_public_addresses_are_refused_with_their_kind(address: str, reason: str) -> None:
    assert refusal(address) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(address) is None


def test_a_literal_address_is_judged_without_resolving() -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError(f"resolved {host}")

    with pytest.raises(AddressRefused, match=r"^127\.0\.0\.1 is a loopback address$"):
        vet("127.0.0.1", 80, no_dns, allow_private=False)
    assert vet("93.184.215.14", 443, no_dns, allow_private=False) == ("93.184.215.14",)


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return {"intranet.example": ["10.0.0.5"], "mixed.example": ["93.184.215.14", "127.0.0.1"]}[host]

    with pytest.raises(AddressRefused) as private:
        vet("intranet.example", 80, resolver, allow_private=False)
    assert str(private.value) == "intranet.example resolves to 10.0.0.5, a private address"
    with pytest.raises(AddressRefused) as mixed:
        vet("mixed.example", 80, resolver, allow_private=False)
    assert str(mixed.value) == "mixed.example resolves to 127.0.0.1, a loopback address"
    assert vet("mixed.example", 80, resolver, allow_private=True) == ("93.184.215.14", "127.0.0.1")


def test_an_unknown_name_is_unresolvable() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(Unresolvable, match=r"^cannot resolve nowhere\.example \(Name or service not known\)$"):
        vet("nowhere.example", 80, resolver, allow_private=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8802/secret", f"refused: 127.0.0.1 is a loopback address {OPT_IN}"),
        ("http://169.254.169.254/latest/meta-data/", f"refused: 169.254.169.254 is a link-local address {OPT_IN}"),
        ("http://[::1]:8080/", f"refused: ::1 is a loopback address {OPT_IN}"),
        ("http://[::ffff:127.0.0.1]/", f"refused: ::ffff:127.0.0.1 is a loopback address (IPv4 127.0.0.1 inside) {OPT_IN}"),
        ("http://0.0.0.0:8000/", f"refused: 0.0.0.0 is an unspecified address {OPT_IN}"),
        ("https://intranet.example/wiki", f"refused: intranet.example resolves to 192.168.7.7, a private address {OPT_IN}"),
        ("http://nowhere.example/", "unreachable: cannot resolve nowhere.example (Name or service not known)"),
    ],
)
def test_fetcher_refuses_before_connecting(url: str, reason: str) -> None:
    def resolver(host: str, port: int) -> list[str]:
        if host == "nowhere.example":
            raise OSError(-2, "Name or service not known")
        return {"intranet.example": ["192.168.7.7"]}[host]

    # robots.txt is asked for first: its fetch is refused the same way, and no socket is opened
    with Fetcher(FetchConfig(), resolver=resolver) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(url)
    assert str(failure.value) == reason
    assert fetcher.requests == 2  # robots.txt and the page: both stopped before connecting


def test_opt_in_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import Settings

    assert Settings().fetch.allow_private_networks is False
    monkeypatch.setenv("NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSDESK_FETCH__DEADLINE_S", "12.5")
    settings = Settings()
    assert settings.fetch.allow_private_networks is True and settings.fetch.deadline_s == 12.5
