"""Web sources: a page URL or an RSS/Atom feed (feedparser) into Articles.

A feed entry is indexed from the feed's own content when it holds the full text, else from its
page. Entries already indexed with the same fingerprint (URL + hash of the entry) cost nothing:
no page request, no embedding. What a round saw is committed (`WebRound.commit`) only after the
indexer has written its articles, so an interrupted round is simply redone.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import feedparser

from index.article import Article
from index.catalog import Catalog, FeedStatus
from index.cleaning import clean_title
from index.config import FetchConfig, LoaderConfig
from index.errors import SkipArticle
from index.fetch import Fetcher, FetchError, HttpCache, PageLimitReached, Response
from index.loaders import load_html, parse_date
from index.report import Skipped

__all__ = ["FeedEntry", "FeedStatus", "Unchanged", "WebItem", "WebRound", "parse_feed"]

log = logging.getLogger(__name__)

_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Unchanged:
    """A web source that needs no work this round (304, or an entry seen before)."""

    source: str


WebItem = Article | Skipped | Unchanged


@dataclass(frozen=True)
class FeedEntry:
    """One RSS item / Atom entry, as far as indexing needs it."""

    source: str
    link: str | None
    title: str
    published: date | None
    author: str | None
    topic: str | None
    content_html: str | None
    fingerprint: str


def parse_feed(data: bytes, feed_url: str, content_type: str = "application/xml") -> tuple[str | None, list[FeedEntry]]:
    """(feed title, entries) of an RSS 2.0 / Atom document; SkipArticle when it is not one."""
    headers = {"content-location": feed_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True, response_headers=headers)
    if not parsed.entries:
        if parsed.bozo:
            raise SkipArticle(f"malformed feed: {parsed.bozo_exception}")
        if not parsed.version:
            raise SkipArticle("not an RSS or Atom feed")
    elif parsed.bozo:
        log.warning("feed %s is not well-formed (%s); read %d entries anyway", feed_url, parsed.bozo_exception, len(parsed.entries))
    entries = []
    for number, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or None
        source = link or f"{feed_url}#{entry.get('id') or number}"
        contents = [c.get("value", "") for c in entry.get("content", [])]
        content = max(contents, key=len) if contents else None
        stamp = entry.get("published") or entry.get("updated") or entry.get("dc_date")
        tags = entry.get("tags") or []
        topic = tags[0].get("term") if tags else None
        title = entry.get("title", "")
        text = "\x1f".join([source, title, stamp or "", entry.get("summary", ""), content or ""])
        entries.append(FeedEntry(
            source=source, link=link, title=title, published=parse_date(stamp),
            author=entry.get("author"), topic=topic, content_html=content,
            fingerprint=hashlib.sha256(text.encode()).hexdigest()[:32],
        ))
    return parsed.feed.get("title"), entries


class WebRound:
    """One indexing run's web sources: fetch, turn into Articles, commit what was indexed."""

    def __init__(
        self, catalog: Catalog, fetching: FetchConfig, loading: LoaderConfig,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.catalog = catalog
        self.config = fetching
        self.loading = loading
        self.cache = HttpCache(catalog)
        self.fetcher = fetcher or Fetcher(fetching, self.cache)
        self._owns_fetcher = fetcher is None
        self._validated: list[Response] = []  # validators to store on commit
        self._entries: list[tuple[str, str, str]] = []  # (feed, source, fingerprint) to store
        self._feeds: dict[str, str | None] = {}  # feed url -> title

    def close(self) -> None:
        """Close the HTTP client (if this round opened it)."""
        if self._owns_fetcher:
            self.fetcher.close()

    def read(self, url: str, feed: bool | None = None) -> Iterator[WebItem]:
        """Articles of a URL: the page, or every new/changed entry when it is a feed.

        feed=True insists on a feed, False on a page, None decides by the response.
        """
        known = self.catalog.source_state(url) is not None or self._is_known_feed(url)
        try:
            response = self.fetcher.get(url, conditional=known, page=not feed)
        except FetchError as error:
            yield Skipped(source=url, reason=str(error))
            return
        if response.not_modified:
            yield Unchanged(url)
            return
        is_feed = response.is_feed if feed is None else feed
        try:
            if is_feed:
                yield from self._feed(url, response)
            else:
                yield self._page(url, response, topic=None)
        except SkipArticle as skip:
            yield Skipped(source=url, reason=str(skip))

    def commit(self, summary: str = "") -> None:
        """Remember what this round indexed: feed entries seen, validators, each feed's round."""
        self.catalog.record_feed_round(self._entries, self._feeds, summary)
        for response in self._validated:
            self.cache.remember(response)
        self._validated.clear()
        self._entries.clear()
        self._feeds.clear()

    # --- internals --------------------------------------------------------------------
    def _feed(self, feed_url: str, response: Response) -> Iterator[WebItem]:
        title, entries = parse_feed(response.content, feed_url, response.content_type)
        self._feeds[feed_url] = title
        seen = self._seen(feed_url)
        for entry in entries:
            if seen.get(entry.source) == entry.fingerprint and self.catalog.source_state(entry.source):
                yield Unchanged(entry.source)
                continue
            item = self._entry(entry, title)
            if isinstance(item, Article | Unchanged):
                self._entries.append((feed_url, entry.source, entry.fingerprint))
            yield item
        self._validated.append(response)  # the feed's ETag is stored once its entries are in

    def _entry(self, entry: FeedEntry, feed_title: str | None) -> WebItem:
        meta = {"title": entry.title, "published": entry.published, "author": entry.author,
                "outlet": feed_title, "topic": entry.topic}
        text = _TAGS.sub(" ", entry.content_html or "")
        if len(" ".join(text.split())) >= self.config.min_feed_content_chars or not entry.link:
            html = f"<html><head><title>{entry.title}</title></head><body><article>{entry.content_html or ''}</article></body></html>"
            try:
                return _with_meta(_one(load_html(html.encode(), entry.source, "", url=entry.link), self.loading), meta, prefer_feed=True)
            except SkipArticle as skip:
                return Skipped(source=entry.source, reason=f"feed entry: {skip}")
        try:
            known = self.catalog.source_state(entry.link) is not None
            response = self.fetcher.get(entry.link, conditional=known)
        except PageLimitReached as error:
            return Skipped(source=entry.source, reason=str(error))
        except FetchError as error:
            return Skipped(source=entry.source, reason=str(error))
        if response.not_modified:
            return Unchanged(entry.source)
        try:
            return _with_meta(self._page(entry.link, response, entry.topic), meta, prefer_feed=False)
        except SkipArticle as skip:
            return Skipped(source=entry.source, reason=str(skip))

    def _page(self, url: str, response: Response, topic: str | None) -> Article:
        if not response.is_html:
            raise SkipArticle(f"not an HTML page ({response.content_type or 'unknown type'})")
        article = _one(load_html(response.content, url, topic or "", url=response.final_url), self.loading)
        self._validated.append(response)
        return article

    def _seen(self, feed_url: str) -> dict[str, str]:
        return self.catalog.feed_entries(feed_url)

    def _is_known_feed(self, url: str) -> bool:
        return self.catalog.is_known_feed(url)


def _one(items: Iterator[Article | Skipped], loading: LoaderConfig) -> Article:
    """The single article load_html yields, checked like a file's (too short = skipped)."""
    for item in items:
        if isinstance(item, Skipped):
            raise SkipArticle(item.reason)
        if len(item.body) < loading.min_body_chars:
            raise SkipArticle("no main text found in the page")
        return item
    raise SkipArticle("no main text found in the page")


def _with_meta(article: Article, meta: dict[str, object], prefer_feed: bool) -> Article:
    """Fill (or, for feed content, override) the article's metadata with the feed entry's."""
    changes: dict[str, object] = {}
    for name, value in meta.items():
        if value and (prefer_feed or not getattr(article, name)):
            changes[name] = clean_title(value) if isinstance(value, str) else value
    return replace(article, **changes) if changes else article

