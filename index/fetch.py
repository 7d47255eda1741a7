"""Polite HTTP: a User-Agent naming Newsdesk, timeouts, a page-size limit, retries with backoff
on 5xx, conditional requests (ETag / Last-Modified) and robots.txt.

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

import httpx

from index.catalog import Catalog
from index.config import FetchConfig

log = logging.getLogger(__name__)

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
    """GET with the politeness rules of FetchConfig; counts the requests it makes."""

    def __init__(
        self, config: FetchConfig, cache: HttpCache | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self.requests = 0
        self.pages = 0
        self.client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(config.timeout_s), follow_redirects=True,
            max_redirects=config.max_redirects, transport=transport,
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
        """Fetch url; raises FetchError with the reason. page=True counts against the budget."""
        if page and self.pages >= self.config.max_pages_per_round:
            raise PageLimitReached(
                f"page limit of {self.config.max_pages_per_round} per round reached; "
                "left for the next round"
            )
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
            response = self._get(site + "/robots.txt", {}, tries=1)
        except FetchError as error:
            if "HTTP 401" in str(error) or "HTTP 403" in str(error):
                parser.disallow_all = True  # the robots.txt convention for 401/403
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
                log.info("%s: %s; retry %d in %.1fs", url, error, attempt, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        self.requests += 1
        limit = int(self.config.max_page_mb * 1024 * 1024)
        try:
            with self.client.stream("GET", url, headers=headers) as reply:
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
        except httpx.TooManyRedirects as error:
            raise FetchError(f"too many redirects (> {self.config.max_redirects}; a redirect loop?)") from error
        except httpx.TimeoutException as error:  # not retried: a slow site must not stall a round
            raise FetchError(f"timed out after {self.config.timeout_s:g}s") from error
        except httpx.ConnectError as error:
            raise FetchError(f"unreachable: {error or type(error).__name__}") from error
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise _Retryable(f"connection dropped: {error or type(error).__name__}") from error
        except httpx.HTTPError as error:
            raise FetchError(f"{type(error).__name__}: {error}") from error


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
