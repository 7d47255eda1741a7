"""Where a fetch may connect, and for how long.

Each hop of a fetch is vetted before it is requested: its host is resolved once, and every
address must be public (not loopback, private, link-local, multicast, reserved or unspecified,
also when wrapped in an IPv6 address). The connection then goes to exactly those addresses,
whatever DNS answers a moment later, so rebinding a name to 127.0.0.1 between the check and
the connection changes nothing. Every socket operation is also bounded by the fetch's
deadline, so a server that trickles bytes cannot hold a fetch past it.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

Resolver = Callable[[str, int], Sequence[str]]
"""resolver(host, port) -> the IP addresses of host, in the order to try them."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known NAT64 prefix: an IPv4 address inside


class AddressRefused(Exception):
    """A host that resolves to an address a fetch may not reach; the message says which."""


class Unresolvable(Exception):
    """A host name that DNS does not know; the message says which."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for host (getaddrinfo)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: str) -> str | None:
    """Why a fetch may not connect to an IP address ('a loopback address'); None when public.

    An IPv4 address carried inside IPv6 (IPv4-mapped ::ffff:a.b.c.d, 6to4, Teredo, NAT64) is
    judged as the IPv4 address it reaches.
    """
    ip = ipaddress.ip_address(address)
    inner = _embedded_ipv4(ip)
    target = inner or ip
    kinds = (
        ("an unspecified", target.is_unspecified), ("a loopback", target.is_loopback),
        ("a link-local", target.is_link_local), ("a multicast", target.is_multicast),
        ("a reserved", target.is_reserved), ("a private", target.is_private),
    )
    kind = next((name for name, flag in kinds if flag), None)
    if kind is None and not target.is_global:
        kind = "a non-public"  # e.g. 100.64.0.0/10, carrier-grade NAT
    if kind is None:
        return None
    return f"{kind} address" + (f" (IPv4 {inner} inside)" if inner else "")


def vet(host: str, port: int, resolver: Resolver, allow_private: bool) -> tuple[str, ...]:
    """The addresses a fetch of host:port may connect to.

    Raises AddressRefused when any address host resolves to is not public (unless
    allow_private), Unresolvable when it resolves to nothing.
    """
    literal = _is_ip(host)
    if literal:
        addresses: tuple[str, ...] = (host,)
    else:
        try:
            addresses = tuple(resolver(host, port))
        except (OSError, UnicodeError) as error:
            raise Unresolvable(f"cannot resolve {host} ({getattr(error, 'strerror', None) or error})") from error
        if not addresses:
            raise Unresolvable(f"cannot resolve {host} (no address)")
    if allow_private:
        return addresses
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise AddressRefused(f"{address} is {reason}" if literal else f"{host} resolves to {address}, {reason}")
    return addresses


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]  # (server, client): the client address is the one reached
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class PinnedNetwork(httpcore.NetworkBackend):
    """httpcore's network backend for fetches: connects host:port only to the addresses pinned
    for it by the vetting, and bounds every socket operation by the current deadline.

    `inner` opens the actual TCP connections (httpcore's socket backend; tests pass one that
    routes to a local server). One fetch at a time: the deadline belongs to the fetch in hand.
    """

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self.inner = inner or httpcore.SyncBackend()
        self._pins: dict[tuple[str, int], tuple[str, ...]] = {}
        self._deadline: float | None = None  # time.monotonic() value

    def pin(self, host: str, port: int, addresses: tuple[str, ...]) -> None:
        """Connections to host:port go to these addresses (in order) from now on."""
        self._pins[(host, port)] = addresses

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """No socket operation inside the block outlives `seconds` from now (an enclosing
        deadline, when there is one, stays in force)."""
        if self._deadline is not None:
            yield
            return
        self._deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            self._deadline = None

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline; may be negative)."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    def expired(self) -> bool:
        """True once the current deadline has passed."""
        left = self.remaining()
        return left is not None and left <= 0

    def bounded(self, timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
        """A socket timeout cut to the time left; raises `error` when none is left."""
        left = self.remaining()
        if left is None:
            return timeout
        if left <= 0:
            raise error("the fetch's deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first pinned address of host:port that answers."""
        addresses = self._pins.get((host, port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not vetted before connecting")
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    address, port, self.bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options,
                )
            except httpcore.ConnectError as error:
                failure = error
                continue
            return _DeadlineStream(stream, self)
        raise failure or httpcore.ConnectError(f"{host}:{port}: no address")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Never: fetches go to vetted TCP addresses only."""
        raise httpcore.ConnectError("fetches do not use Unix sockets")

    def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's pool may wait between connection attempts)."""
        time.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write is bounded by the network's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, network: PinnedNetwork) -> None:
        self._stream = stream
        self._network = network

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._network.bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._network.bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._network.bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded), self._network)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that connects through a PinnedNetwork.

    httpx takes no network backend of its own, so the pool it builds is replaced by one that
    uses ours; TLS still names (SNI) and verifies the host of the URL, not the address.
    """

    def __init__(self, network: PinnedNetwork) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=network,
            max_connections=10, max_keepalive_connections=10, keepalive_expiry=5.0,
        )
