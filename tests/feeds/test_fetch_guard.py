"""Server-side request forgery, against real local servers: addresses of the server's own
network are refused by default, on every redirect hop, and the connection goes to the address
that was vetted even when DNS changes its answer (rebinding). `Routes` stands in for the
internet: it carries a public-looking address (93.184.215.14) to a local server."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from newsserver import STORIES, NewsServer, Route, Routes, page_html

from index.config import FetchConfig
from index.fetch import Fetcher, FetchError

OPT_IN = "(set NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS=true to allow)"
PUBLIC = "93.184.215.14"


def public_routes(news: NewsServer, port: int = 80) -> Routes:
    """The public address, port 80 by default, carried to the local news server."""
    return Routes({(PUBLIC, port): ("127.0.0.1", news.httpd.server_address[1])})


def test_the_local_server_is_refused_by_default_and_never_contacted(news: NewsServer) -> None:
    with Fetcher(FetchConfig()) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(news.url("/news/lighthouse.html"))
    assert str(failure.value) == f"refused: 127.0.0.1 is a loopback address {OPT_IN}"
    assert news.count() == 0  # not even robots.txt


def test_localhost_by_name_is_refused_after_resolution(news: NewsServer) -> None:
    port = news.httpd.server_address[1]
    with Fetcher(FetchConfig()) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(f"http://localhost:{port}/news/lighthouse.html")
    assert str(failure.value) in {
        f"refused: localhost resolves to {address}, a loopback address {OPT_IN}" for address in ("127.0.0.1", "::1")
    }
    assert news.count() == 0


def test_the_opt_in_reaches_the_local_server(news: NewsServer, local_fetch: Callable[..., FetchConfig]) -> None:
    with Fetcher(local_fetch()) as fetcher:
        assert fetcher.get(news.url("/news/lighthouse.html")).status == 200


@pytest.fixture
def ipv6_server() -> Iterator[str]:
    """A page served on [::1] (skipped where the machine has no IPv6 loopback)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = page_html(STORIES[0]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    class Server6(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    try:
        httpd = Server6(("::1", 0), Handler)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://[::1]:{httpd.server_address[1]}/story.html"
    httpd.shutdown()
    httpd.server_close()


def test_ipv6_loopback_is_refused_and_reachable_with_the_opt_in(
    ipv6_server: str, local_fetch: Callable[..., FetchConfig],
) -> None:
    with Fetcher(FetchConfig()) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(ipv6_server)
    assert str(failure.value) == f"refused: ::1 is a loopback address {OPT_IN}"
    with Fetcher(local_fetch(respect_robots=False)) as fetcher:
        assert fetcher.get(ipv6_server).status == 200


def test_a_redirect_to_the_local_network_is_refused_at_that_hop(news: NewsServer) -> None:
    secret = news.url("/secret")
    news.routes["/secret"] = Route(page_html(STORIES[1]))
    news.routes["/go"] = Route(status=302, headers={"Location": secret})
    news.routes["/meta"] = Route(status=301, headers={"Location": "http://metadata.example/latest/meta-data/"})
    resolver = {"news.example": [PUBLIC], "metadata.example": ["169.254.169.254"]}
    routes = public_routes(news)
    with Fetcher(FetchConfig(), resolver=lambda host, port: resolver[host], network=routes) as fetcher:
        with pytest.raises(FetchError) as loopback:
            fetcher.get("http://news.example/go")
        with pytest.raises(FetchError) as metadata:
            fetcher.get("http://news.example/meta")
    assert str(loopback.value) == f"refused: redirect to {secret}: 127.0.0.1 is a loopback address {OPT_IN}"
    assert str(metadata.value) == (
        "refused: redirect to http://metadata.example/latest/meta-data/: metadata.example resolves to "
        f"169.254.169.254, a link-local address {OPT_IN}"
    )
    assert [r.path for r in news.requests] == ["/robots.txt", "/go", "/meta"]  # never /secret
    assert routes.dialed and set(routes.dialed) == {(PUBLIC, 80)}


def test_redirects_within_public_addresses_are_followed_hop_by_hop(news: NewsServer) -> None:
    news.routes["/moved"] = Route(status=301, headers={"Location": "/news/lighthouse.html"})
    routes = public_routes(news)
    with Fetcher(FetchConfig(), resolver=lambda host, port: [PUBLIC], network=routes) as fetcher:
        response = fetcher.get("http://news.example/moved")
    assert response.status == 200 and response.is_html
    assert response.url == "http://news.example/moved"
    assert response.final_url == "http://news.example/news/lighthouse.html"
    assert news.requests[-1].path == "/news/lighthouse.html"
    assert news.requests[-1].headers["host"] == "news.example"  # the name, not the address


def test_dns_rebinding_cannot_switch_the_vetted_address(news: NewsServer) -> None:
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # public when vetted, loopback right after
    asked: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    routes = public_routes(news)
    with Fetcher(FetchConfig(respect_robots=False), resolver=rebinding, network=routes) as fetcher:
        response = fetcher.get("http://rebind.example/news/lighthouse.html")
        assert response.status == 200
        assert asked == ["rebind.example"]  # resolved once, by the vetting
        assert routes.dialed == [(PUBLIC, 80)]  # connected to what was vetted, never by name
        with pytest.raises(FetchError) as second:  # the next fetch is vetted anew
            fetcher.get("http://rebind.example/news/ferry.html")
    assert str(second.value) == f"refused: rebind.example resolves to 127.0.0.1, a loopback address {OPT_IN}"
    assert [r.path for r in news.requests] == ["/news/lighthouse.html"]


@pytest.fixture
def tls_news(news: NewsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[NewsServer, list[str]]:
    """The news server behind TLS with a certificate for secure.example only, signed by a test
    CA that the client trusts (SSL_CERT_FILE); returns the server and the SNI names it saw."""
    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("secure.example").configure_cert(context)
    names: list[str] = []
    context.sni_callback = lambda _socket, name, _context: names.append(name)  # type: ignore[assignment,func-returns-value]
    news.httpd.socket = context.wrap_socket(news.httpd.socket, server_side=True)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return news, names


def test_https_to_a_pinned_address_still_names_and_verifies_the_host(tls_news: tuple[NewsServer, list[str]]) -> None:
    news, names = tls_news
    routes = public_routes(news, port=443)
    with Fetcher(FetchConfig(respect_robots=False), resolver=lambda host, port: [PUBLIC], network=routes) as fetcher:
        response = fetcher.get("https://secure.example/news/lighthouse.html")
        assert response.status == 200 and response.final_url == "https://secure.example/news/lighthouse.html"
        assert names == ["secure.example"] and news.requests[-1].headers["host"] == "secure.example"
        with pytest.raises(FetchError) as mismatch:  # same address, a name the certificate lacks
            fetcher.get("https://impostor.example/news/lighthouse.html")
    assert str(mismatch.value).startswith("unreachable: [SSL: CERTIFICATE_VERIFY_FAILED]")
    assert "Hostname mismatch, certificate is not valid for 'impostor.example'" in str(mismatch.value)
    assert routes.dialed == [(PUBLIC, 443), (PUBLIC, 443)]
