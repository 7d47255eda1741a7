"""The SQLite catalog: one row per article, aliases of exact duplicates, chunk spans, an FTS5
index for BM25, and the embedding cache. WAL mode: readers are never blocked by the writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from index.article import Article
from index.chunking import Chunk

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, source TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL, title TEXT NOT NULL, outlet TEXT, author TEXT, published TEXT,
    url TEXT, topic TEXT, body TEXT NOT NULL, indexed_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_body_hash ON articles(body_hash);
CREATE TABLE IF NOT EXISTS aliases (
    source TEXT PRIMARY KEY, article_id TEXT NOT NULL, content_hash TEXT NOT NULL,
    indexed_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS aliases_article ON aliases(article_id);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, title, chunk_id UNINDEXED, article_id UNINDEXED, tokenize='porter unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS pending (article_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""


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


class Catalog:
    """Access to catalog.sqlite; one connection per thread, WAL journal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._schemas: set[str] = set()
        self.ensure_schema(_SCHEMA)

    def ensure_schema(self, script: str) -> None:
        """Create the tables of a schema script (modules own their tables), once per catalog."""
        if script not in self._schemas:
            self.db.executescript(script)
            self._schemas.add(script)

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on error."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- meta -------------------------------------------------------------------------
    def get_meta(self) -> dict[str, str]:
        """All meta key/values (model, chunk settings, schema version)."""
        return {row["key"]: row["value"] for row in self.db.execute("SELECT * FROM meta")}

    def set_meta(self, values: dict[str, str]) -> None:
        """Store meta key/values."""
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    # --- lookups ----------------------------------------------------------------------
    def source_state(self, source: str) -> tuple[str, str, str] | None:
        """('article' | 'alias', content_hash, article_id) for a source key, or None."""
        row = self.db.execute(
            "SELECT content_hash, id FROM articles WHERE source = ?", (source,)
        ).fetchone()
        if row:
            return "article", row[0], row[1]
        row = self.db.execute(
            "SELECT content_hash, article_id FROM aliases WHERE source = ?", (source,)
        ).fetchone()
        return ("alias", row[0], row[1]) if row else None

    def article_with_body(self, body_hash: str) -> tuple[str, str] | None:
        """(id, source) of an indexed article with exactly this body, if any."""
        row = self.db.execute(
            "SELECT id, source FROM articles WHERE body_hash = ? LIMIT 1", (body_hash,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def sources_under(self, prefix: str) -> list[tuple[str, str]]:
        """(kind, source) of every article and alias whose source key starts with prefix."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT 'article', source FROM articles WHERE source LIKE ? ESCAPE '\\' "
            "UNION ALL SELECT 'alias', source FROM aliases WHERE source LIKE ? ESCAPE '\\'",
            (pattern, pattern),
        )
        return [(r[0], r[1]) for r in rows]

    def aliases_of(self, article_id: str) -> list[str]:
        """Source keys remembered as exact duplicates of an article."""
        rows = self.db.execute(
            "SELECT source FROM aliases WHERE article_id = ? ORDER BY source", (article_id,)
        )
        return [r[0] for r in rows]

    def get_article(self, key: str) -> ArticleRow | None:
        """An article by id, source key, or the source key of one of its aliases."""
        row = self.db.execute(
            "SELECT * FROM articles WHERE id = ? OR source = ? OR id = "
            "(SELECT article_id FROM aliases WHERE source = ?)",
            (key, key, key),
        ).fetchone()
        return self._article(row) if row else None

    def get_articles(self, ids: Iterable[str]) -> dict[str, ArticleRow]:
        """Articles by id (missing ids are left out)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", ids)
        return {row["id"]: self._article(row) for row in rows}

    def get_chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunk spans by chunk id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f'SELECT * FROM chunks WHERE id IN ({marks})', list(ids))
        return {r["id"]: ChunkRow(r["id"], r["article_id"], r["ordinal"], r["start"], r["end"]) for r in rows}

    def list_articles(self, limit: int = 100_000) -> list[ArticleRow]:
        """Indexed articles, newest indexed first, bodies included."""
        rows = self.db.execute(
            "SELECT * FROM articles ORDER BY indexed_at DESC, source LIMIT ?", (limit,)
        )
        return [self._article(row, with_aliases=False) for row in rows]

    def latest_published(self) -> date | None:
        """The newest publication date in the archive (None when nothing is dated)."""
        value = self.db.execute("SELECT MAX(published) FROM articles").fetchone()[0]
        return date.fromisoformat(value) if value else None

    def has_articles(self) -> bool:
        """Whether anything is indexed (cheap: one row at most)."""
        return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def counts(self) -> dict[str, object]:
        """Totals and per-outlet / per-topic article counts."""
        db = self.db
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        group = lambda col: {  # noqa: E731
            (r[0] or "(none)"): r[1]
            for r in db.execute(f"SELECT {col}, COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC")
        }
        return {
            "articles": one("SELECT COUNT(*) FROM articles"),
            "aliases": one("SELECT COUNT(*) FROM aliases"),
            "chunks": one("SELECT COUNT(*) FROM chunks"),
            "by_outlet": group("outlet"),
            "by_topic": group("topic"),
            "first_published": one("SELECT MIN(published) FROM articles"),
            "last_published": one("SELECT MAX(published) FROM articles"),
        }

    def _article(self, row: sqlite3.Row, with_aliases: bool = True) -> ArticleRow:
        published = date.fromisoformat(row["published"]) if row["published"] else None
        return ArticleRow(
            id=row["id"], source=row["source"], title=row["title"], body=row["body"],
            outlet=row["outlet"], author=row["author"], published=published, url=row["url"],
            topic=row["topic"], content_hash=row["content_hash"], indexed_at=row["indexed_at"],
            aliases=tuple(self.aliases_of(row["id"])) if with_aliases else (),
        )

    # --- BM25 -------------------------------------------------------------------------
    def bm25(self, match: str, limit: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk id, score) best first for an FTS5 MATCH expression; higher is better."""
        where, params = _filter_sql(filters or Filters())
        rows = self.db.execute(
            "SELECT f.chunk_id, -bm25(chunks_fts, 1.0, 0.4) AS score FROM chunks_fts f "
            f"JOIN articles a ON a.id = f.article_id WHERE chunks_fts MATCH ? {where} "
            "ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?",
            [match, *params, limit],
        )
        return [(r[0], r[1]) for r in rows]

    def document_frequencies(self, terms: Sequence[str]) -> tuple[dict[str, int], int]:
        """Number of chunks containing each (stemmed) term, and the number of chunks."""
        total = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        if not terms:
            return {}, total
        marks = ",".join("?" * len(terms))
        rows = self.db.execute(
            f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", list(terms)
        )
        return {r[0]: r[1] for r in rows}, total

    # --- writes -----------------------------------------------------------------------
    def begin_articles(self, ids: Sequence[str]) -> None:
        """Mark articles as being rewritten and drop their chunk rows (first write step)."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(i,) for i in ids])
            self._delete_chunks(db, ids)

    def add_chunks(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> None:
        """Store chunk spans and their FTS rows (second write step)."""
        with self.transaction() as db:
            db.executemany(
                'INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?)',
                [(c.chunk_id, c.article_id, c.ordinal, c.start, c.end) for c in chunks],
            )
            db.executemany(
                "INSERT INTO chunks_fts (text, title, chunk_id, article_id) VALUES (?, ?, ?, ?)",
                [(c.text, titles[c.article_id], c.chunk_id, c.article_id) for c in chunks],
            )

    def finish_articles(self, articles: Sequence[Article]) -> None:
        """Write the article rows last; the run that reaches this has fully indexed them."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (a.article_id, a.source_key, a.content_hash, a.body_hash, a.title, a.outlet,
                     a.author, a.published.isoformat() if a.published else None, a.url, a.topic,
                     a.body, now)
                    for a in articles
                ],
            )
            db.executemany("DELETE FROM aliases WHERE source = ?", [(a.source_key,) for a in articles])
            db.executemany("DELETE FROM pending WHERE article_id = ?", [(a.article_id,) for a in articles])

    def add_alias(self, source: str, article_id: str, content_hash: str) -> None:
        """Remember source as an exact duplicate of an indexed article."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?, ?, ?)", (source, article_id, content_hash, now))

    def remove_alias(self, source: str) -> None:
        """Forget an alias."""
        with self.transaction() as db:
            db.execute("DELETE FROM aliases WHERE source = ?", (source,))

    def remove_articles(self, ids: Sequence[str]) -> None:
        """Delete article rows, their chunks and their aliases (after the vectors are gone)."""
        with self.transaction() as db:
            self._delete_chunks(db, ids)
            for table, column in (("articles", "id"), ("aliases", "article_id"), ("pending", "article_id")):
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(i,) for i in ids])

    def pending(self) -> list[tuple[str, bool]]:
        """Articles a killed run left half-written: (id, whether an older row exists)."""
        rows = self.db.execute(
            "SELECT p.article_id, a.id IS NOT NULL FROM pending p LEFT JOIN articles a ON a.id = p.article_id"
        )
        return [(r[0], bool(r[1])) for r in rows]

    def invalidate(self, ids: Sequence[str]) -> None:
        """Drop possibly incomplete chunks and force the next run to re-index these articles."""
        with self.transaction() as db:
            self._delete_chunks(db, ids)
            db.executemany("UPDATE articles SET content_hash = '' WHERE id = ?", [(i,) for i in ids])
            db.executemany("DELETE FROM pending WHERE article_id = ?", [(i,) for i in ids])

    @staticmethod
    def _delete_chunks(db: sqlite3.Connection, ids: Sequence[str]) -> None:
        params = [(i,) for i in ids]
        db.executemany("DELETE FROM chunks WHERE article_id = ?", params)
        db.executemany("DELETE FROM chunks_fts WHERE article_id = ?", params)

    # --- embedding cache --------------------------------------------------------------
    def cached_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these cache keys."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                found[row[0]] = np.frombuffer(row[1], dtype=np.float32)
        return found

    def cache_vectors(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Remember vectors by cache key."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )


def _filter_sql(filters: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if filters.outlet:
        clauses.append("lower(a.outlet) = lower(?)")
        params.append(filters.outlet)
    if filters.topic:
        clauses.append("lower(a.topic) = lower(?)")
        params.append(filters.topic)
    if filters.since:
        clauses.append("a.published >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        clauses.append("a.published <= ?")
        params.append(filters.until.isoformat())
    return "".join(f" AND {c}" for c in clauses), params
