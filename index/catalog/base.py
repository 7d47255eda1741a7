"""The catalog interface: what the write and read paths keep beside the vectors.

Two implementations honour it (checked by one contract-test suite, tests/catalog/):
`SQLiteCatalog` (`<data dir>/catalog.sqlite`, the embedded default) and `PostgresCatalog`
(`NEWSDESK_CATALOG_URL=postgresql://...`, shared by any number of processes and machines).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

import numpy as np

from index.article import Article
from index.chunking import Chunk


@dataclass(frozen=True)
class ArticleRow:
    """An indexed article as the catalog holds it."""

    id: str
    source: str
    title: str
    body: str
    outlet: str | None
    author: str | None
    published: date | None
    url: str | None
    topic: str | None
    content_hash: str
    indexed_at: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChunkRow:
    """A chunk's place in its article."""

    id: str
    article_id: str
    ordinal: int
    start: int
    end: int


@dataclass(frozen=True)
class Filters:
    """Restrictions on which articles a search may return."""

    outlet: str | None = None
    topic: str | None = None
    since: date | None = None
    until: date | None = None

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return not (self.outlet or self.topic or self.since or self.until)


@dataclass(frozen=True)
class NearDuplicate:
    """A copy of a story stored only as a reference to the article kept."""

    source: str
    article_id: str
    similarity: float
    title: str
    outlet: str | None
    url: str | None
    published: date | None


@dataclass(frozen=True)
class FeedStatus:
    """A feed Newsdesk has read, with its last round."""

    url: str
    title: str | None
    last_round_at: str | None
    last_summary: str | None


@dataclass(frozen=True)
class CatalogTotals:
    """Row counts that show whether the catalog is consistent (tests, stats)."""

    articles: int
    chunks: int
    keyword_rows: int
    pending: int


@runtime_checkable
class Catalog(Protocol):
    """Articles, aliases, chunk spans, the keyword index, the embedding cache, pending marks,
    meta, near-duplicate signatures (LSH buckets), feed state, HTTP validators and the
    writer lock. Every method is safe to call from several threads."""

    location: str
    """Where the catalog lives, for messages (a path, or a URL without its password)."""

    # --- lifecycle ------------------------------------------------------------------
    def close(self) -> None:
        """Release connections (the catalog reopens them on next use)."""

    def writer_lock(self, timeout: float) -> AbstractContextManager[None]:
        """Held by the one process that writes; IndexBusyError when another holds it."""

    def wipe(self) -> None:
        """Delete everything this catalog holds (for a rebuild); the schema is recreated."""

    # --- meta -----------------------------------------------------------------------
    def get_meta(self) -> dict[str, str]:
        """All meta key/values (index id, collection, model, chunk settings, schema_version)."""

    def set_meta(self, values: dict[str, str]) -> None:
        """Store meta key/values."""

    # --- lookups --------------------------------------------------------------------
    def source_state(self, source: str) -> tuple[str, str, str] | None:
        """('article' | 'alias', content_hash, article_id) for a source key, or None."""

    def article_with_body(self, body_hash: str) -> tuple[str, str] | None:
        """(id, source) of an indexed article with exactly this body, if any."""

    def sources_under(self, prefix: str) -> list[tuple[str, str]]:
        """(kind, source) of every article and alias whose source key starts with prefix."""

    def file_stamps(self, prefix: str) -> dict[str, str | None]:
        """source -> file stamp of every article and alias whose source key starts with prefix
        (None: no stamp recorded), in one query: a folder's stamps before it is synced."""

    def set_file_stamps(self, stamps: Sequence[tuple[str, str]]) -> None:
        """Record (source, stamp) on the article or alias row of each source: the file it
        was read from is fully indexed as of that stamp. Writing an article or alias row
        (finish_articles, add_alias) clears its stamp, and so does invalidate."""

    def aliases_of(self, article_id: str) -> list[str]:
        """Source keys remembered as exact duplicates of an article, sorted."""

    def get_article(self, key: str) -> ArticleRow | None:
        """An article by id, source key, or the source key of one of its aliases."""

    def get_articles(self, ids: Iterable[str]) -> dict[str, ArticleRow]:
        """Articles by id (missing ids are left out)."""

    def get_chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunk spans by chunk id (missing ids are left out)."""

    def article_chunks(self, article_id: str) -> list[ChunkRow]:
        """The chunks of one article, in order."""

    def chunk_ids(self, after: str | None = None, limit: int = 1000) -> list[str]:
        """Chunk ids in id order, the first `limit` after `after` (for paging through all)."""

    def list_articles(self, limit: int = 100_000) -> list[ArticleRow]:
        """Indexed articles, newest indexed first, bodies included (aliases not filled)."""

    def has_articles(self) -> bool:
        """Whether anything is indexed (one row at most is read)."""

    def chunk_count(self) -> int:
        """Number of chunks (kept as a counter: constant time)."""

    def latest_published(self) -> date | None:
        """The newest publication date of any article."""

    def counts(self) -> dict[str, object]:
        """articles, aliases, chunks, by_outlet, by_topic, first_published, last_published."""

    def totals(self) -> CatalogTotals:
        """Row counts of the parts that must agree (articles, chunks, keyword rows, pending)."""

    # --- keyword index --------------------------------------------------------------
    def keyword_search(self, terms: Sequence[str], limit: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk id, score) best first for chunks holding any of the terms (plain
        lower-case words; each implementation stems and quotes them itself)."""

    def document_frequencies(self, stems: Sequence[str]) -> tuple[dict[str, int], int]:
        """Number of chunks containing each Porter stem, and the number of chunks."""

    # --- writes (in this order: begin, add_chunks, finish) ---------------------------
    def begin_articles(self, ids: Sequence[str]) -> None:
        """Mark articles as being rewritten and drop their chunk rows (first write step)."""

    def add_chunks(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> None:
        """Store chunk spans and their keyword rows (second write step)."""

    def finish_articles(self, articles: Sequence[Article]) -> None:
        """Write the article rows last; the run that reaches this has fully indexed them."""

    def add_alias(self, source: str, article_id: str, content_hash: str) -> None:
        """Remember source as an exact duplicate of an indexed article."""

    def remove_alias(self, source: str) -> None:
        """Forget an alias."""

    def remove_articles(self, ids: Sequence[str]) -> None:
        """Delete article rows, their chunks, aliases and signatures (after the vectors)."""

    def pending(self) -> list[tuple[str, bool]]:
        """Articles a killed run left half-written: (id, whether an older row exists)."""

    def invalidate(self, ids: Sequence[str]) -> None:
        """Drop possibly incomplete chunks and force the next run to re-index these articles."""

    # --- embedding cache ------------------------------------------------------------
    def cached_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these cache keys."""

    def cache_vectors(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Remember vectors by cache key."""

    # --- near-duplicates ------------------------------------------------------------
    def store_signature(self, article_id: str, signature: bytes, buckets: Sequence[int]) -> None:
        """Keep an article's MinHash signature and its LSH bucket keys (replacing old ones)."""

    def bucket_members(self, buckets: Sequence[int]) -> set[str]:
        """Ids of the articles sharing at least one LSH bucket key (an indexed lookup)."""

    def signatures(self, after: str | None = None, limit: int = 1000) -> list[tuple[str, bytes]]:
        """(article id, signature) in id order after `after` (for re-bucketing once)."""

    def unsigned_articles(self, limit: int = 500) -> list[tuple[str, str]]:
        """(id, body) of articles that have no signature yet (indexed by an older version)."""

    def clear_buckets(self) -> None:
        """Drop every LSH bucket key (before re-bucketing with new LSH parameters)."""

    def remember_copy(self, copy: NearDuplicate, record: str) -> None:
        """Record a near-duplicate source; record is the copy's article as JSON."""

    def forget_copy(self, source: str) -> None:
        """Drop the near-duplicate record of a source."""

    def copy_record(self, source: str) -> str | None:
        """The JSON record of a near-duplicate source, if it is one."""

    def copies_of(self, article_ids: Iterable[str]) -> dict[str, list[NearDuplicate]]:
        """The near-duplicates remembered for each article, most similar first."""

    # --- feeds and HTTP validators --------------------------------------------------
    def feed_entries(self, feed_url: str) -> dict[str, str]:
        """source -> fingerprint of the entries of a feed seen in committed rounds."""

    def is_known_feed(self, url: str) -> bool:
        """Whether a round of this feed was committed."""

    def record_feed_round(self, entries: Sequence[tuple[str, str, str]], feeds: dict[str, str | None], summary: str) -> None:
        """Commit a round: (feed, source, fingerprint) entries and {feed url: title}."""

    def feed_statuses(self) -> list[FeedStatus]:
        """Every feed read so far, most recent round first."""

    def http_validators(self, url: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) remembered for url."""

    def remember_http_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store a response's validators."""

    def forget_http_validators(self, url: str) -> None:
        """Drop url's validators."""
