"""The SQLite catalog (`<data dir>/catalog.sqlite`, the embedded default): FTS5 for BM25, WAL
journal so readers are never blocked by the writer, a lock file for the one writer."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index.article import Article
from index.catalog.base import (
    ArticleRow,
    CatalogTotals,
    ChunkRow,
    FeedStatus,
    Filters,
    NearDuplicate,
)
from index.catalog.keywords import word_forms
from index.chunking import Chunk
from index.errors import IndexBusyError

LOCK_FILE = "write.lock"
KEYWORD_BUDGET = 10_000
"""Chunks one keyword search ranks at most (as far as document frequencies tell): FTS5 scores
every chunk its query matches, so a question of common words costs time in proportion to the
archive. Beyond the budget only the question's rarest words are searched for (BM25 over
them): at the BBC corpus's size no dev question reaches it, at 100 times that size all do."""

# Schema steps, applied in order on open; meta.schema_version is the number of the last one.
# Step 1 is the schema of Newsdesk 0.1 (catalog tables, plus the tables its near-duplicate,
# feed and fetch modules created on first use); a data dir of that version opens at step 2.
_STEPS: list[str] = [
    """
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
    CREATE TABLE IF NOT EXISTS minhash (article_id TEXT PRIMARY KEY, signature BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS near_duplicates (
        source TEXT PRIMARY KEY, article_id TEXT NOT NULL, similarity REAL NOT NULL,
        title TEXT NOT NULL, outlet TEXT, url TEXT, published TEXT, record TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS near_duplicates_article ON near_duplicates(article_id);
    CREATE TABLE IF NOT EXISTS feeds (
        url TEXT PRIMARY KEY, title TEXT, last_round_at TEXT, last_summary TEXT);
    CREATE TABLE IF NOT EXISTS feed_entries (
        feed_url TEXT NOT NULL, source TEXT NOT NULL, fingerprint TEXT NOT NULL,
        seen_at TEXT NOT NULL, PRIMARY KEY (feed_url, source));
    CREATE TABLE IF NOT EXISTS http_cache (
        url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, checked_at TEXT NOT NULL);
    """,
    # 2: LSH buckets queried per lookup (no in-memory index built at start); a chunk counter;
    # the newest publication date read per question through an index
    """
    CREATE INDEX articles_published ON articles(published);
    CREATE TABLE lsh_buckets (
        bucket INTEGER NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (bucket, article_id))
        WITHOUT ROWID;
    CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counters VALUES ('chunks', (SELECT COUNT(*) FROM chunks));
    CREATE TRIGGER chunks_counted_in AFTER INSERT ON chunks BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'chunks'; END;
    CREATE TRIGGER chunks_counted_out AFTER DELETE ON chunks BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'chunks'; END;
    """,
    # 3: each keyword row has the rowid of its chunk's row (chunks.num, an INTEGER PRIMARY KEY,
    # which VACUUM keeps), so an article's keyword rows are deleted through the chunks_article
    # index instead of a scan of the FTS table (chunk_id and article_id are UNINDEXED there);
    # each article and alias keeps the stamp (size, times) of the file it was read from
    """
    CREATE TABLE chunks_v3 (
        num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, article_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL);
    INSERT INTO chunks_v3 (id, article_id, ordinal, start, "end")
        SELECT id, article_id, ordinal, start, "end" FROM chunks ORDER BY article_id, ordinal;
    DROP TABLE chunks;
    ALTER TABLE chunks_v3 RENAME TO chunks;
    CREATE INDEX chunks_article ON chunks(article_id);
    CREATE TRIGGER chunks_counted_in AFTER INSERT ON chunks BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'chunks'; END;
    CREATE TRIGGER chunks_counted_out AFTER DELETE ON chunks BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'chunks'; END;
    UPDATE counters SET value = (SELECT COUNT(*) FROM chunks) WHERE name = 'chunks';
    CREATE VIRTUAL TABLE chunks_fts_v3 USING fts5(
        text, title, chunk_id UNINDEXED, article_id UNINDEXED, tokenize='porter unicode61');
    INSERT INTO chunks_fts_v3 (rowid, text, title, chunk_id, article_id)
        SELECT c.num, f.text, f.title, f.chunk_id, f.article_id FROM chunks_fts f JOIN chunks c ON c.id = f.chunk_id;
    DROP TABLE chunks_vocab;
    DROP TABLE chunks_fts;
    ALTER TABLE chunks_fts_v3 RENAME TO chunks_fts;
    CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');
    ALTER TABLE articles ADD COLUMN file_stamp TEXT;
    ALTER TABLE aliases ADD COLUMN file_stamp TEXT;
    """,
]
SCHEMA_VERSION = len(_STEPS)
_DATA_TABLES = (
    "articles", "aliases", "chunks", "chunks_fts", "pending", "vectors", "minhash", "near_duplicates",
    "feeds", "feed_entries", "http_cache", "lsh_buckets", "meta",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteCatalog:
    """catalog.sqlite; one connection per thread, WAL journal, migrated on open."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._migrate()

    # --- connections ----------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite-only: tests of this implementation read it)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
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
        """Close every connection this catalog opened."""
        with self._guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def _migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, one step per transaction."""
        while (version := self._version()) < SCHEMA_VERSION:
            with self._transaction() as db:
                if self._version() != version:  # another process migrated meanwhile
                    continue
                for statement in _split(_STEPS[version]):
                    db.execute(statement)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(version + 1),))

    def _version(self) -> int:
        db = self.db
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            return 0
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if "schema_version" in meta:
            return int(meta["schema_version"])
        return 1 if "articles" in tables else 0  # Newsdesk 0.1 kept no schema_version

    @contextmanager
    def writer_lock(self, timeout: float) -> Iterator[None]:
        """A lock file beside the catalog: one writer at a time."""
        lock = FileLock(str(self.path.parent / LOCK_FILE), timeout=timeout)
        try:
            lock.acquire()
        except Timeout as error:
            raise IndexBusyError(
                f"another newsdesk process is indexing into {self.path.parent} "
                f"(lock {lock.lock_file}); try again when it finishes"
            ) from error
        try:
            yield
        finally:
            lock.release()

    def wipe(self) -> None:
        """Delete every row (the file stays, so other open connections keep working)."""
        with self._transaction() as db:
            for table in _DATA_TABLES:
                db.execute(f"DELETE FROM {table}")
            db.execute("UPDATE counters SET value = 0")
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    # --- meta -----------------------------------------------------------------------
    def get_meta(self) -> dict[str, str]:
        """All meta key/values."""
        return {row["key"]: row["value"] for row in self.db.execute("SELECT * FROM meta")}

    def set_meta(self, values: dict[str, str]) -> None:
        """Store meta key/values."""
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    # --- lookups --------------------------------------------------------------------
    def source_state(self, source: str) -> tuple[str, str, str] | None:
        """('article' | 'alias', content_hash, article_id) for a source key, or None."""
        row = self.db.execute("SELECT content_hash, id FROM articles WHERE source = ?", (source,)).fetchone()
        if row:
            return "article", row[0], row[1]
        row = self.db.execute("SELECT content_hash, article_id FROM aliases WHERE source = ?", (source,)).fetchone()
        return ("alias", row[0], row[1]) if row else None

    def article_with_body(self, body_hash: str) -> tuple[str, str] | None:
        """(id, source) of an indexed article with exactly this body, if any."""
        row = self.db.execute("SELECT id, source FROM articles WHERE body_hash = ? LIMIT 1", (body_hash,)).fetchone()
        return (row[0], row[1]) if row else None

    def sources_under(self, prefix: str) -> list[tuple[str, str]]:
        """(kind, source) of every article and alias whose source key starts with prefix."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            "SELECT 'article', source FROM articles WHERE source LIKE ? ESCAPE '\\' "
            "UNION ALL SELECT 'alias', source FROM aliases WHERE source LIKE ? ESCAPE '\\'",
            (pattern, pattern),
        )
        return [(r[0], r[1]) for r in rows if r[1].startswith(prefix)]  # LIKE ignores case

    def file_stamps(self, prefix: str) -> dict[str, str | None]:
        """source -> file stamp of the articles and aliases under prefix (a range of the
        source indexes: byte order is code-point order)."""
        where, bounds = _prefix_range(prefix)
        rows = self.db.execute(
            f"SELECT source, file_stamp FROM articles WHERE {where} "
            f"UNION ALL SELECT source, file_stamp FROM aliases WHERE {where}",
            bounds + bounds,
        )
        return {r[0]: r[1] for r in rows if r[0].startswith(prefix)}

    def set_file_stamps(self, stamps: Sequence[tuple[str, str]]) -> None:
        """Record each source's file stamp on its article or alias row."""
        params = [(stamp, source) for source, stamp in stamps]
        with self._transaction() as db:
            db.executemany("UPDATE articles SET file_stamp = ? WHERE source = ?", params)
            db.executemany("UPDATE aliases SET file_stamp = ? WHERE source = ?", params)

    def aliases_of(self, article_id: str) -> list[str]:
        """Source keys remembered as exact duplicates of an article."""
        rows = self.db.execute("SELECT source FROM aliases WHERE article_id = ? ORDER BY source", (article_id,))
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
        found: dict[str, ArticleRow] = {}
        for part in _parts(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(part))
            for row in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", part):
                found[row["id"]] = self._article(row)
        return found

    def get_chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunk spans by chunk id."""
        found: dict[str, ChunkRow] = {}
        for part in _parts(list(ids)):
            marks = ",".join("?" * len(part))
            for r in self.db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", part):
                found[r["id"]] = _chunk(r)
        return found

    def article_chunks(self, article_id: str) -> list[ChunkRow]:
        """The chunks of one article, in order."""
        rows = self.db.execute("SELECT * FROM chunks WHERE article_id = ? ORDER BY ordinal", (article_id,))
        return [_chunk(r) for r in rows]

    def chunk_ids(self, after: str | None = None, limit: int = 1000) -> list[str]:
        """Chunk ids in id order after `after`."""
        rows = self.db.execute("SELECT id FROM chunks WHERE id > ? ORDER BY id LIMIT ?", (after or "", limit))
        return [r[0] for r in rows]

    def list_articles(self, limit: int = 100_000) -> list[ArticleRow]:
        """Indexed articles, newest indexed first, bodies included."""
        rows = self.db.execute("SELECT * FROM articles ORDER BY indexed_at DESC, source LIMIT ?", (limit,))
        return [self._article(row, with_aliases=False) for row in rows]

    def has_articles(self) -> bool:
        """Whether anything is indexed (cheap: one row at most)."""
        return self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def chunk_count(self) -> int:
        """Number of chunks (a counter kept by triggers)."""
        return int(self.db.execute("SELECT value FROM counters WHERE name = 'chunks'").fetchone()[0])

    def latest_published(self) -> date | None:
        """The newest publication date of any article."""
        value = self.db.execute("SELECT MAX(published) FROM articles").fetchone()[0]
        return date.fromisoformat(value) if value else None

    def counts(self) -> dict[str, object]:
        """Totals and per-outlet / per-topic article counts."""
        db = self.db

        def one(sql: str) -> object:
            return db.execute(sql).fetchone()[0]

        def group(column: str) -> dict[str, int]:
            rows = db.execute(f"SELECT {column}, COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1")
            return {(r[0] or "(none)"): r[1] for r in rows}

        return {
            "articles": one("SELECT COUNT(*) FROM articles"),
            "aliases": one("SELECT COUNT(*) FROM aliases"),
            "chunks": self.chunk_count(),
            "by_outlet": group("outlet"),
            "by_topic": group("topic"),
            "first_published": one("SELECT MIN(published) FROM articles"),
            "last_published": one("SELECT MAX(published) FROM articles"),
        }

    def totals(self) -> CatalogTotals:
        """Row counts of the parts that must agree."""
        db = self.db

        def count(table: str) -> int:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

        return CatalogTotals(count("articles"), count("chunks"), count("chunks_fts"), count("pending"))

    def _article(self, row: sqlite3.Row, with_aliases: bool = True) -> ArticleRow:
        return ArticleRow(
            id=row["id"], source=row["source"], title=row["title"], body=row["body"],
            outlet=row["outlet"], author=row["author"],
            published=date.fromisoformat(row["published"]) if row["published"] else None,
            url=row["url"], topic=row["topic"], content_hash=row["content_hash"],
            indexed_at=row["indexed_at"],
            aliases=tuple(self.aliases_of(row["id"])) if with_aliases else (),
        )

    # --- keyword index (FTS5 BM25) ----------------------------------------------------
    def keyword_search(self, terms: Sequence[str], limit: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; text weighs 1.0, the title 0.4. At most about
        KEYWORD_BUDGET chunks are ranked: those holding the rarest of the terms."""
        match = self._keyword_match([t for t in dict.fromkeys(terms) if t])
        if not match:
            return []
        where, params = _filter_sql(filters or Filters())
        if where:  # each matching chunk's article is read to filter it
            rows = self.db.execute(
                "SELECT f.chunk_id, -bm25(chunks_fts, 1.0, 0.4) AS score FROM chunks_fts f "
                f"JOIN articles a ON a.id = f.article_id WHERE chunks_fts MATCH ? {where} "
                "ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?",
                [match, *params, limit],
            )
        else:  # only the best are joined (to leave out chunks whose article is still being written)
            rows = self.db.execute(
                "SELECT s.chunk_id, s.score FROM (SELECT f.chunk_id, f.article_id, -bm25(chunks_fts, 1.0, 0.4) AS score "
                "FROM chunks_fts f WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1.0, 0.4) LIMIT ?) s "
                "JOIN articles a ON a.id = s.article_id ORDER BY s.score DESC LIMIT ?",
                [match, 2 * limit, limit],
            )
        return [(r[0], r[1]) for r in rows]

    def _keyword_match(self, terms: list[str]) -> str:
        """The FTS5 query for terms: all of them OR-ed while the chunks holding any number at
        most KEYWORD_BUDGET, else the rarest ones whose chunks fit it (df {motor: 970, fiat:
        1330, year: 215240} -> "motor" OR "fiat"), else the two rarest AND-ed."""
        quoted = {t: '"' + t.replace('"', '""') + '"' for t in terms}
        tokens = {t: word_forms(t) for t in terms}  # each word of a term as FTS5 may have stored it
        frequencies, _ = self.document_frequencies(sorted({v for found in tokens.values() for pair in found for v in pair}))
        # a term of several tokens ("e-mail") is a phrase: in at most as many chunks as its rarest
        df = {t: min((max(frequencies.get(v, 0) for v in pair) for pair in found), default=0) for t, found in tokens.items()}
        if sum(df.values()) <= KEYWORD_BUDGET:
            return " OR ".join(quoted.values())
        rarest = sorted((t for t in terms if df[t] > 0), key=lambda t: (df[t], t))
        kept: list[str] = []
        spent = 0
        for term in rarest:
            spent += df[term]
            if spent > KEYWORD_BUDGET:
                break
            kept.append(term)
        if kept:
            return " OR ".join(quoted[t] for t in kept)
        return " AND ".join(quoted[t] for t in rarest[:2])

    def document_frequencies(self, stems: Sequence[str]) -> tuple[dict[str, int], int]:
        """Number of chunks containing each (stemmed) term, and the number of chunks."""
        total = self.chunk_count()
        if not stems:
            return {}, total
        marks = ",".join("?" * len(stems))
        rows = self.db.execute(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", list(stems))
        return {r[0]: r[1] for r in rows}, total

    # --- writes ---------------------------------------------------------------------
    def begin_articles(self, ids: Sequence[str]) -> None:
        """Mark articles as being rewritten and drop their chunk rows (first write step)."""
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(i,) for i in ids])
            _delete_chunks(db, ids)

    def add_chunks(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> None:
        """Store chunk spans and their FTS rows (second write step)."""
        ids = [(c.chunk_id,) for c in chunks]
        with self._transaction() as db:
            db.executemany("DELETE FROM chunks_fts WHERE rowid IN (SELECT num FROM chunks WHERE id = ?)", ids)
            db.executemany("DELETE FROM chunks WHERE id = ?", ids)
            db.executemany(
                'INSERT INTO chunks (id, article_id, ordinal, start, "end") VALUES (?, ?, ?, ?, ?)',
                [(c.chunk_id, c.article_id, c.ordinal, c.start, c.end) for c in chunks],
            )
            db.executemany(  # the keyword row takes its chunk row's number as rowid
                "INSERT INTO chunks_fts (rowid, text, title, chunk_id, article_id) "
                "SELECT num, ?, ?, id, article_id FROM chunks WHERE id = ?",
                [(c.text, titles[c.article_id], c.chunk_id) for c in chunks],
            )

    def finish_articles(self, articles: Sequence[Article]) -> None:
        """Write the article rows last; the run that reaches this has fully indexed them."""
        now = _now()
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO articles (id, source, content_hash, body_hash, title, outlet, "
                "author, published, url, topic, body, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO aliases (source, article_id, content_hash, indexed_at) VALUES (?, ?, ?, ?)",
                (source, article_id, content_hash, _now()),
            )

    def remove_alias(self, source: str) -> None:
        """Forget an alias."""
        with self._transaction() as db:
            db.execute("DELETE FROM aliases WHERE source = ?", (source,))

    def remove_articles(self, ids: Sequence[str]) -> None:
        """Delete article rows, their chunks, aliases and signatures (after the vectors)."""
        params = [(i,) for i in ids]
        with self._transaction() as db:
            _delete_chunks(db, ids)
            for table, column in (("articles", "id"), ("aliases", "article_id"), ("pending", "article_id"),
                                  ("minhash", "article_id"), ("lsh_buckets", "article_id")):
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", params)

    def pending(self) -> list[tuple[str, bool]]:
        """Articles a killed run left half-written: (id, whether an older row exists)."""
        rows = self.db.execute(
            "SELECT p.article_id, a.id IS NOT NULL FROM pending p LEFT JOIN articles a ON a.id = p.article_id"
        )
        return [(r[0], bool(r[1])) for r in rows]

    def invalidate(self, ids: Sequence[str]) -> None:
        """Drop possibly incomplete chunks and force the next run to re-index these articles."""
        with self._transaction() as db:
            _delete_chunks(db, ids)
            db.executemany("UPDATE articles SET content_hash = '', file_stamp = NULL WHERE id = ?", [(i,) for i in ids])
            db.executemany("DELETE FROM pending WHERE article_id = ?", [(i,) for i in ids])

    # --- embedding cache ------------------------------------------------------------
    def cached_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these cache keys."""
        found: dict[str, np.ndarray] = {}
        for part in _parts(list(keys)):
            marks = ",".join("?" * len(part))
            for row in self.db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                found[row[0]] = np.frombuffer(row[1], dtype=np.float32)
        return found

    def cache_vectors(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Remember vectors by cache key."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )

    # --- near-duplicates ------------------------------------------------------------
    def store_signature(self, article_id: str, signature: bytes, buckets: Sequence[int]) -> None:
        """Keep an article's MinHash signature and its LSH bucket keys."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO minhash VALUES (?, ?)", (article_id, signature))
            db.execute("DELETE FROM lsh_buckets WHERE article_id = ?", (article_id,))
            db.executemany("INSERT OR IGNORE INTO lsh_buckets VALUES (?, ?)", [(b, article_id) for b in buckets])

    def bucket_members(self, buckets: Sequence[int]) -> set[str]:
        """Ids of the articles sharing at least one bucket key."""
        found: set[str] = set()
        for part in _parts(list(buckets)):
            marks = ",".join("?" * len(part))
            found.update(r[0] for r in self.db.execute(f"SELECT article_id FROM lsh_buckets WHERE bucket IN ({marks})", part))
        return found

    def signatures(self, after: str | None = None, limit: int = 1000) -> list[tuple[str, bytes]]:
        """(article id, signature) in id order after `after`."""
        rows = self.db.execute(
            "SELECT article_id, signature FROM minhash WHERE article_id > ? ORDER BY article_id LIMIT ?",
            (after or "", limit),
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def unsigned_articles(self, limit: int = 500) -> list[tuple[str, str]]:
        """(id, body) of articles without a signature."""
        rows = self.db.execute(
            "SELECT a.id, a.body FROM articles a LEFT JOIN minhash m ON m.article_id = a.id "
            "WHERE m.article_id IS NULL ORDER BY a.id LIMIT ?", (limit,),
        )
        return [(r[0], r[1]) for r in rows]

    def clear_buckets(self) -> None:
        """Drop every LSH bucket key."""
        with self._transaction() as db:
            db.execute("DELETE FROM lsh_buckets")

    def remember_copy(self, copy: NearDuplicate, record: str) -> None:
        """Record a near-duplicate source with its article as JSON."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO near_duplicates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (copy.source, copy.article_id, copy.similarity, copy.title, copy.outlet, copy.url,
                 copy.published.isoformat() if copy.published else None, record),
            )

    def forget_copy(self, source: str) -> None:
        """Drop the near-duplicate record of a source."""
        with self._transaction() as db:
            db.execute("DELETE FROM near_duplicates WHERE source = ?", (source,))

    def copy_record(self, source: str) -> str | None:
        """The JSON record of a near-duplicate source, if it is one."""
        row = self.db.execute("SELECT record FROM near_duplicates WHERE source = ?", (source,)).fetchone()
        return row[0] if row else None

    def copies_of(self, article_ids: Iterable[str]) -> dict[str, list[NearDuplicate]]:
        """The near-duplicates remembered for each article, most similar first."""
        found: dict[str, list[NearDuplicate]] = {}
        for part in _parts(list(dict.fromkeys(article_ids))):
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                "SELECT source, article_id, similarity, title, outlet, url, published FROM near_duplicates "
                f"WHERE article_id IN ({marks}) ORDER BY similarity DESC, source", part,
            )
            for r in rows:
                published = date.fromisoformat(r[6]) if r[6] else None
                found.setdefault(r[1], []).append(NearDuplicate(r[0], r[1], r[2], r[3], r[4], r[5], published))
        return found

    # --- feeds and HTTP validators --------------------------------------------------
    def feed_entries(self, feed_url: str) -> dict[str, str]:
        """source -> fingerprint of the entries seen in committed rounds."""
        rows = self.db.execute("SELECT source, fingerprint FROM feed_entries WHERE feed_url = ?", (feed_url,))
        return {r[0]: r[1] for r in rows}

    def is_known_feed(self, url: str) -> bool:
        """Whether a round of this feed was committed."""
        return self.db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone() is not None

    def record_feed_round(self, entries: Sequence[tuple[str, str, str]], feeds: dict[str, str | None], summary: str) -> None:
        """Commit a round's entries and feeds."""
        now = _now()
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO feed_entries VALUES (?, ?, ?, ?)",
                [(feed, source, fingerprint, now) for feed, source, fingerprint in entries],
            )
            db.executemany(
                "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?)",
                [(url, title, now, summary) for url, title in feeds.items()],
            )

    def feed_statuses(self) -> list[FeedStatus]:
        """Every feed read so far, most recent round first."""
        rows = self.db.execute("SELECT url, title, last_round_at, last_summary FROM feeds ORDER BY last_round_at DESC, url")
        return [FeedStatus(r[0], r[1], r[2], r[3]) for r in rows]

    def http_validators(self, url: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) remembered for url."""
        row = self.db.execute("SELECT etag, last_modified FROM http_cache WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def remember_http_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store a response's validators."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?)", (url, etag, last_modified, _now()))

    def forget_http_validators(self, url: str) -> None:
        """Drop url's validators."""
        with self._transaction() as db:
            db.execute("DELETE FROM http_cache WHERE url = ?", (url,))


def _chunk(row: sqlite3.Row) -> ChunkRow:
    return ChunkRow(row["id"], row["article_id"], row["ordinal"], row["start"], row["end"])


def _delete_chunks(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Drop the chunks and keyword rows of these articles: index lookups by article, then by
    rowid (a new article costs one lookup that finds nothing)."""
    params = [(i,) for i in ids]
    db.executemany("DELETE FROM chunks_fts WHERE rowid IN (SELECT num FROM chunks WHERE article_id = ?)", params)
    db.executemany("DELETE FROM chunks WHERE article_id = ?", params)


def _prefix_range(prefix: str) -> tuple[str, list[str]]:
    """A WHERE clause on source for 'starts with prefix' that the source index serves, e.g.
    '/news/' -> source >= '/news/' AND source < '/news0' ('0' follows '/')."""
    if not prefix:
        return "1", []
    if ord(prefix[-1]) == sys.maxunicode:  # nothing follows it: an open range, filtered after
        return "source >= ?", [prefix]
    return "source >= ? AND source < ?", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]


def _parts(values: list, size: int = 500) -> Iterator[list]:  # type: ignore[type-arg]
    """values in slices below SQLite's bound-parameter limit."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _split(script: str) -> list[str]:
    """The statements of a schema step (a trigger body keeps its inner ';')."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


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

