"""Polite, guarded HTTP: a User-Agent naming Newsdesk, timeouts, an overall deadline and a size
limit per fetch, retries with backoff on 5xx, conditional requests (ETag / Last-Modified),
robots.txt, and no request to a non-public address (see index/network.py) unless allowed.

Redirects are followed here, hop by hop, so that every hop's address is vetted and pinned.
Every failure becomes a `FetchError` whose message is the reason shown in the index report.
Validators (ETag, Last-Modified) live in the catalog; callers store them
with `HttpCache.remember` only once what they fetched is safely indexed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from index.catalog import Catalog
from index.config import FetchConfig
from index.network import (
    AddressRefused,
    PinnedNetwork,
    PinnedTransport,
    Resolver,
    Unresolvable,
    system_resolver,
    vet,
)

log = logging.getLogger(__name__)

OPT_IN = "set NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS=true to allow"
DEFAULT_PORTS = {"http": 80, "https": 443}
ROBOTS_TTL_S = 3600.0  # robots.txt is re-read at most hourly (per process)
_robots_cache: dict[str, tuple[float, RobotFileParser | None]] = {}
_robots_lock = threading.Lock()

def forget_robots() -> None:
    """Drop the robots.txt answers this process remembers (they are kept ROBOTS_TTL_S)."""
    with _robots_lock:
        _robots_cache.clear()


def is_url(value: object) -> bool:
    """True for http:// and https:// addresses."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


class FetchError(Exception):
    """A URL that could not be fetched; the message is the reason."""


class PageLimitReached(FetchError):
    """The per-round page budget is spent; the URL waits for the next round."""


@dataclass(frozen=True)
class Response:
    """A fetched resource, or a 304 (not_modified, no content)."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304 to a conditional request."""
        return self.status == 304

    @property
    def is_html(self) -> bool:
        """HTML by its Content-Type (or by sniffing when the type is missing)."""
        if self.content_type:
            return "html" in self.content_type
        return self.content[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))

    @property
    def is_feed(self) -> bool:
        """RSS/Atom by Content-Type, or an XML document whose root is rss/feed/rdf."""
        kind = self.content_type
        if any(t in kind for t in ("rss", "atom", "rdf")):
            return True
        if kind and "xml" not in kind:
            return False
        head = self.content[:1024].lstrip().lower()
        return head.startswith(b"<?xml") and any(t in head for t in (b"<rss", b"<feed", b"<rdf"))


class HttpCache:
    """ETag / Last-Modified per URL, kept in the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) remembered for url."""
        return self.catalog.http_validators(url)

    def remember(self, response: Response) -> None:
        """Store a response's validators (call once its content is safely indexed)."""
        if response.not_modified or not (response.etag or response.last_modified):
            return
        self.catalog.remember_http_validators(response.url, response.etag, response.last_modified)

    def forget(self, url: str) -> None:
        """Drop url's validators (the next request is unconditional)."""
        self.catalog.forget_http_validators(url)


class Fetcher:
    """GET with the politeness and safety rules of FetchConfig; counts the requests it makes.

    resolver and network are seams for tests: how host names are resolved, and what opens
    the TCP connections to the vetted addresses (httpcore's sockets by default).
    One fetch at a time (the deadline belongs to the fetch in hand).
    """

    def __init__(
        self, config: FetchConfig, cache: HttpCache | None = None,
        resolver: Resolver = system_resolver, network: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self.resolver = resolver
        self.requests = 0
        self.pages = 0
        self.network = PinnedNetwork(network)
        self.client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(config.timeout_s), follow_redirects=False,
            transport=PinnedTransport(self.network), trust_env=False,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def new_round(self) -> None:
        """Reset the per-round page budget."""
        self.pages = 0

    def get(self, url: str, conditional: bool = True, page: bool = True) -> Response:
        """Fetch url; raises FetchError with the reason. page=True counts against the budget.

        The whole fetch (robots.txt, redirects and retries included) ends by the deadline.
        """
        if page and self.pages >= self.config.max_pages_per_round:
            raise PageLimitReached(
                f"page limit of {self.config.max_pages_per_round} per round reached; "
                "left for the next round"
            )
        with self.network.deadline(self.config.deadline_s):
            if self.config.respect_robots and not self.allowed(url):
                raise FetchError("disallowed by robots.txt")
            headers = {}
            etag, modified = self.cache.validators(url) if (self.cache and conditional) else (None, None)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            if page:
                self.pages += 1
            return self._get(url, headers)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of url's site lets our User-Agent fetch it."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        with _robots_lock:
            cached = _robots_cache.get(site)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL_S:
            cached = (time.monotonic(), self._read_robots(site))
            with _robots_lock:
                _robots_cache[site] = cached
        rules = cached[1]
        return rules is None or rules.can_fetch(self.config.user_agent, url)

    def _read_robots(self, site: str) -> RobotFileParser | None:
        parser = RobotFileParser(site + "/robots.txt")
        try:
            with self.network.deadline(self.config.deadline_s):
                response = self._get(site + "/robots.txt", {}, tries=1)
        except FetchError as error:
            if "HTTP 401" in str(error) or "HTTP 403" in str(error):
                parser.disallow_all = True  # type: ignore[attr-defined]  # the convention for 401/403
                return parser
            return None  # no robots.txt (404, unreachable): everything is allowed
        parser.parse(response.content.decode("utf-8", "replace").splitlines())
        return parser

    def _get(self, url: str, headers: dict[str, str], tries: int | None = None) -> Response:
        tries = tries if tries is not None else self.config.retries + 1
        for attempt in range(1, tries + 1):
            try:
                return self._once(url, headers)
            except _Retryable as error:
                if attempt == tries:
                    raise FetchError(f"{error} (after {tries} tries)") from error
                wait = self.config.backoff_s * 2 ** (attempt - 1)
                left = self.network.remaining()
                if left is not None and left < wait:
                    raise FetchError(
                        f"{error} (after {attempt} tries; no time left for another before the "
                        f"{self.config.deadline_s:g}s deadline)"
                    ) from error
                log.info("%s: %s; retry %d in %.1fs", url, error, attempt, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        self.requests += 1
        limit = int(self.config.max_page_mb * 1024 * 1024)
        hop = url
        try:
            for redirects in range(self.config.max_redirects + 1):
                self._vet(hop, redirected=redirects > 0)
                with self.client.stream("GET", hop, headers=headers) as reply:
                    location = reply.headers.get("location")
                    if reply.is_redirect and location:
                        hop = self._next_hop(hop, location)
                        continue
                    if reply.status_code >= 500:
                        raise _Retryable(f"HTTP {reply.status_code} {reply.reason_phrase}")
                    if reply.status_code == 304:
                        return _response(url, reply, b"")
                    if reply.status_code >= 400:
                        raise FetchError(f"HTTP {reply.status_code} {reply.reason_phrase}")
                    declared = int(reply.headers.get("content-length") or 0)
                    if declared > limit:
                        raise FetchError(f"too large ({declared / 1e6:.1f} MB > {self.config.max_page_mb} MB)")
                    return _response(url, reply, b"".join(_capped(reply.iter_bytes(), limit, self.config.max_page_mb)))
            raise FetchError(f"too many redirects (> {self.config.max_redirects}; a redirect loop?)")
        except httpx.TimeoutException as error:  # not retried: a slow site must not stall a round
            if self.network.expired():
                raise self._deadline_error() from error
            raise FetchError(f"timed out after {self.config.timeout_s:g}s") from error
        except httpx.ConnectError as error:
            raise FetchError(f"unreachable: {error or type(error).__name__}") from error
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise _Retryable(f"connection dropped: {error or type(error).__name__}") from error
        except httpx.HTTPError as error:
            raise FetchError(f"{type(error).__name__}: {error}") from error

    def _vet(self, url: str, redirected: bool) -> None:
        """Resolve url's host, refuse non-public addresses, pin the connection to the vetted ones."""
        try:
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii")
        except (httpx.InvalidURL, UnicodeError) as error:
            raise FetchError(f"invalid URL: {error}") from error
        if parsed.scheme not in DEFAULT_PORTS or not host:
            raise FetchError(f"not an http(s) URL: {url[:200]}")
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        hop = f"redirect to {url[:200]}: " if redirected else ""
        try:
            addresses = vet(host, port, self.resolver, self.config.allow_private_networks)
        except AddressRefused as refused:
            raise FetchError(f"refused: {hop}{refused} ({OPT_IN})") from refused
        except Unresolvable as error:
            raise FetchError(f"unreachable: {hop}{error}") from error
        self.network.pin(host, port, addresses)

    def _next_hop(self, url: str, location: str) -> str:
        try:
            target = str(httpx.URL(url).join(location))
        except (httpx.InvalidURL, UnicodeError) as error:
            raise FetchError(f"invalid redirect ({location[:200]}): {error}") from error
        if not is_url(target):
            raise FetchError(f"redirect to a non-http(s) URL: {target[:200]}")
        return target

    def _deadline_error(self) -> FetchError:
        return FetchError(f"cut off at the {self.config.deadline_s:g}s deadline for one fetch (too slow)")


class _Retryable(Exception):
    """A 5xx or a dropped connection: worth another try."""


def _capped(chunks: Iterator[bytes], limit: int, limit_mb: float) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise FetchError(f"too large (> {limit_mb} MB)")
        yield chunk


def _response(url: str, reply: httpx.Response, content: bytes) -> Response:
    return Response(
        url=url, final_url=str(reply.url), status=reply.status_code, content=content,
        content_type=reply.headers.get("content-type", "").split(";")[0].strip().lower(),
        etag=reply.headers.get("etag"), last_modified=reply.headers.get("last-modified"),
    )
