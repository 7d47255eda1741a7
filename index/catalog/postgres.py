"""The PostgreSQL catalog (`NEWSDESK_CATALOG_URL=postgresql://...`): one database shared by
any number of `newsdesk serve` replicas and indexers. psycopg 3 with a connection pool that
checks each connection before use (so a restarted server is reconnected to), full-text search
on a GIN-indexed tsvector column, LSH buckets in an indexed table, and the writer lock as an
advisory lock (released by the server when the holder dies, even by kill -9)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

import numpy as np
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from index.article import Article
from index.catalog.base import (
    ArticleRow,
    CatalogTotals,
    ChunkRow,
    FeedStatus,
    Filters,
    NearDuplicate,
)
from index.catalog.keywords import (
    candidate_queries,
    count_lexemes,
    lexemes,
    quote_lexeme,
    tsvector_literal,
)
from index.chunking import Chunk
from index.errors import CatalogUnavailableError, IndexBusyError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0  # how long a call waits for a connection before it reports the server down
POOL_SIZE = 8
# BM25-like: the sum over the question's terms of idf(term) x ts_rank(chunk, term), where ts_rank
# weighs the chunk's own words 1.0 and its title's 0.4 (as the FTS5 BM25 of the SQLite catalog
# does). Plain ts_rank / ts_rank_cd over the whole query know no idf: a common word counted as
# much as a rare name, and hit@5 fell from 0.90 to 0.84 on dev.jsonl (README, Scaling out).
_TERM_RANK = "ts_rank('{0.1, 0.2, 0.4, 1.0}', c.tsv, t.q, 0)"
# At most this many chunks are ranked per question, however big the archive: those holding the
# question's rarest words first (keywords.candidate_queries). A chunk holding only common words
# scores low anyway (small idf), so a question costs about the same at 2,000 or 200,000
# articles (docs/BENCHMARKS.md, "Cost growth"); bench/catalog_keywords.py --quick measures it.
CANDIDATES = 2000
_ARTICLE_COLUMNS = "id, source, title, body, outlet, author, published, url, topic, content_hash, indexed_at"

# Schema steps, applied in order on open inside one transaction under an advisory lock (two
# replicas starting at once do not both migrate); meta.schema_version counts the steps done.
_STEPS: list[str] = [
    """
    CREATE TABLE articles (
        id TEXT COLLATE "C" PRIMARY KEY, source TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL,
        body_hash TEXT NOT NULL, title TEXT NOT NULL, outlet TEXT, author TEXT, published DATE,
        url TEXT, topic TEXT, body TEXT NOT NULL, indexed_at TEXT NOT NULL);
    CREATE INDEX articles_body_hash ON articles (body_hash);
    CREATE INDEX articles_source_prefix ON articles (source text_pattern_ops);
    CREATE INDEX articles_indexed ON articles (indexed_at DESC, source);
    CREATE INDEX articles_published ON articles (published);
    CREATE TABLE aliases (
        source TEXT PRIMARY KEY, article_id TEXT NOT NULL, content_hash TEXT NOT NULL,
        indexed_at TEXT NOT NULL);
    CREATE INDEX aliases_article ON aliases (article_id);
    CREATE INDEX aliases_source_prefix ON aliases (source text_pattern_ops);
    CREATE TABLE chunks (
        id TEXT COLLATE "C" PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
        start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, tsv TSVECTOR NOT NULL);
    CREATE INDEX chunks_article ON chunks (article_id);
    CREATE INDEX chunks_tsv ON chunks USING GIN (tsv);
    CREATE TABLE keyword_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO counters VALUES ('chunks', 0);
    CREATE TABLE pending (article_id TEXT PRIMARY KEY);
    CREATE TABLE vectors (key TEXT PRIMARY KEY, vector BYTEA NOT NULL);
    CREATE TABLE minhash (article_id TEXT COLLATE "C" PRIMARY KEY, signature BYTEA NOT NULL);
    CREATE TABLE lsh_buckets (
        bucket BIGINT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (bucket, article_id));
    CREATE INDEX lsh_buckets_article ON lsh_buckets (article_id);
    CREATE TABLE near_duplicates (
        source TEXT PRIMARY KEY, article_id TEXT NOT NULL, similarity DOUBLE PRECISION NOT NULL,
        title TEXT NOT NULL, outlet TEXT, url TEXT, published DATE, record TEXT NOT NULL);
    CREATE INDEX near_duplicates_article ON near_duplicates (article_id);
    CREATE TABLE feeds (url TEXT PRIMARY KEY, title TEXT, last_round_at TEXT, last_summary TEXT);
    CREATE TABLE feed_entries (
        feed_url TEXT NOT NULL, source TEXT NOT NULL, fingerprint TEXT NOT NULL,
        seen_at TEXT NOT NULL, PRIMARY KEY (feed_url, source));
    CREATE TABLE http_cache (
        url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, checked_at TEXT NOT NULL);
    """,
    # 2: each article and alias keeps the stamp (size, times) of the file it was read from
    """
    ALTER TABLE articles ADD COLUMN file_stamp TEXT;
    ALTER TABLE aliases ADD COLUMN file_stamp TEXT;
    """,
]
SCHEMA_VERSION = len(_STEPS)
_DATA_TABLES = (
    "articles, aliases, chunks, keyword_df, pending, vectors, minhash, lsh_buckets, near_duplicates, "
    "feeds, feed_entries, http_cache, meta"
)
# drop the chunks of some articles (or some chunk ids) and keep the keyword statistics right
_DELETE_CHUNKS = """
WITH gone AS (DELETE FROM chunks WHERE {column} = ANY(%s) RETURNING tsv),
terms AS (SELECT t AS term, count(*) AS n FROM gone, unnest(tsvector_to_array(gone.tsv)) AS t GROUP BY t),
lowered AS (UPDATE keyword_df k SET df = k.df - terms.n FROM terms WHERE k.term = terms.term)
UPDATE counters SET value = value - (SELECT count(*) FROM gone) WHERE name = 'chunks'
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def redacted(url: str) -> str:
    """The URL without its password, e.g. postgresql://news@db:5432/newsdesk."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparseable URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host') or 'localhost'}{port}/{parts.get('dbname') or ''}"


class PostgresCatalog:
    """The catalog in a PostgreSQL database (its current schema), migrated on open."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.location = redacted(url)
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError as error:
            raise CatalogUnavailableError(f"NEWSDESK_CATALOG_URL is not a valid PostgreSQL URL: {error}") from error
        self.pool = self._new_pool(pool_size)
        self._opened = False
        self._open_lock = threading.Lock()
        self._migrate()

    # --- connections ----------------------------------------------------------------
    def _new_pool(self, size: int) -> ConnectionPool:
        """A closed pool (opened on first use). No server-side prepared statements: each query
        is planned for its own values (a generic plan of the keyword search, not knowing how
        common its words are, could scan the whole chunks table)."""
        return ConnectionPool(
            self.url, min_size=1, max_size=size, kwargs={"autocommit": True, "prepare_threshold": None},
            check=ConnectionPool.check_connection, timeout=CONNECT_TIMEOUT_S, open=False,
            name="newsdesk-catalog",
        )

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; an unreachable server becomes one CatalogUnavailableError."""
        try:
            if not self._opened:
                with self._open_lock:
                    if not self._opened:
                        self.pool.open()
                        self._opened = True
            with self.pool.connection() as conn:
                yield conn
        except PoolTimeout as error:
            raise CatalogUnavailableError(
                f"cannot reach the PostgreSQL catalog at {self.location} "
                f"(no connection within {CONNECT_TIMEOUT_S:g} s)"
            ) from error
        except psycopg.OperationalError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CatalogUnavailableError(f"lost the PostgreSQL catalog at {self.location}: {reason}") from error

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor]:
        with self._connection() as conn, conn.cursor() as cur:
            yield cur

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor]:
        with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def _rows(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]:  # type: ignore[type-arg]
        with self._cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def _one(self, sql: str, params: Sequence[object] | None = None) -> tuple | None:  # type: ignore[type-arg]
        with self._cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def close(self) -> None:
        """Close the pool (it reopens on next use)."""
        with self._open_lock:
            if self._opened:
                self.pool.close()
                self.pool = self._new_pool(self.pool.max_size)
                self._opened = False

    def _migrate(self) -> None:
        with self._transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('newsdesk-migrate:' || current_schema()))")
            cur.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            cur.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            row = cur.fetchone()
            version = int(row[0]) if row else 0
            for step in _STEPS[version:]:
                cur.execute(step.encode())  # bytes, no parameters: several statements at once
            if version < SCHEMA_VERSION:
                cur.execute(
                    "INSERT INTO meta VALUES ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (str(SCHEMA_VERSION),),
                )
                log.info("PostgreSQL catalog %s: schema %d -> %d", self.location, version, SCHEMA_VERSION)

    @contextmanager
    def writer_lock(self, timeout: float) -> Iterator[None]:
        """A session advisory lock on a connection of its own, held while writing."""
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT_S))
        except psycopg.OperationalError as error:
            raise CatalogUnavailableError(f"cannot reach the PostgreSQL catalog at {self.location}: {error}") from error
        key = "SELECT {}(hashtext('newsdesk-writer:' || current_schema()))"
        try:
            deadline = time.monotonic() + timeout
            while not conn.execute(key.format("pg_try_advisory_lock")).fetchone()[0]:  # type: ignore[index]
                if time.monotonic() > deadline:
                    raise IndexBusyError(
                        f"another newsdesk process is indexing into {self.location} "
                        "(PostgreSQL advisory lock); try again when it finishes"
                    )
                time.sleep(0.1)
            try:
                yield
            finally:
                try:
                    conn.execute(key.format("pg_advisory_unlock"))
                except psycopg.OperationalError:
                    pass  # the server went away: the lock went with the session
        finally:
            conn.close()

    def wipe(self) -> None:
        """Delete every row; the schema stays."""
        with self._transaction() as cur:
            cur.execute(f"TRUNCATE {_DATA_TABLES}")
            cur.execute("UPDATE counters SET value = 0")
            cur.execute("INSERT INTO meta VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),))

    # --- meta -----------------------------------------------------------------------
    def get_meta(self) -> dict[str, str]:
        """All meta key/values."""
        return dict(self._rows("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        """Store meta key/values."""
        with self._transaction() as cur:
            cur.executemany(
                "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                list(values.items()),
            )

    # --- lookups --------------------------------------------------------------------
    def source_state(self, source: str) -> tuple[str, str, str] | None:
        """('article' | 'alias', content_hash, article_id) for a source key, or None."""
        row = self._one(
            "SELECT 'article', content_hash, id FROM articles WHERE source = %s UNION ALL "
            "SELECT 'alias', content_hash, article_id FROM aliases WHERE source = %s LIMIT 1",
            (source, source),
        )
        return (row[0], row[1], row[2]) if row else None

    def article_with_body(self, body_hash: str) -> tuple[str, str] | None:
        """(id, source) of an indexed article with exactly this body, if any."""
        row = self._one("SELECT id, source FROM articles WHERE body_hash = %s LIMIT 1", (body_hash,))
        return (row[0], row[1]) if row else None

    def sources_under(self, prefix: str) -> list[tuple[str, str]]:
        """(kind, source) of every article and alias whose source key starts with prefix."""
        pattern = _like_prefix(prefix)
        rows = self._rows(
            "SELECT 'article', source FROM articles WHERE source LIKE %s ESCAPE '\\' "
            "UNION ALL SELECT 'alias', source FROM aliases WHERE source LIKE %s ESCAPE '\\'",
            (pattern, pattern),
        )
        return [(r[0], r[1]) for r in rows]

    def file_stamps(self, prefix: str) -> dict[str, str | None]:
        """source -> file stamp of the articles and aliases under prefix (the source_prefix
        indexes serve the LIKE)."""
        pattern = _like_prefix(prefix)
        rows = self._rows(
            "SELECT source, file_stamp FROM articles WHERE source LIKE %s ESCAPE '\\' "
            "UNION ALL SELECT source, file_stamp FROM aliases WHERE source LIKE %s ESCAPE '\\'",
            (pattern, pattern),
        )
        return {r[0]: r[1] for r in rows}

    def set_file_stamps(self, stamps: Sequence[tuple[str, str]]) -> None:
        """Record each source's file stamp on its article or alias row."""
        sources, values = [s for s, _ in stamps], [v for _, v in stamps]
        with self._transaction() as cur:
            for table in ("articles", "aliases"):
                cur.execute(
                    f"UPDATE {table} t SET file_stamp = u.stamp FROM unnest(%s::text[], %s::text[]) AS u(source, stamp) "
                    "WHERE t.source = u.source", (sources, values),
                )

    def aliases_of(self, article_id: str) -> list[str]:
        """Source keys remembered as exact duplicates of an article."""
        return [r[0] for r in self._rows("SELECT source FROM aliases WHERE article_id = %s ORDER BY source", (article_id,))]

    def get_article(self, key: str) -> ArticleRow | None:
        """An article by id, source key, or the source key of one of its aliases."""
        rows = self._rows(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = %s OR source = %s OR id = "
            "(SELECT article_id FROM aliases WHERE source = %s) LIMIT 1",
            (key, key, key),
        )
        return self._articles(rows)[0] if rows else None

    def get_articles(self, ids: Iterable[str]) -> dict[str, ArticleRow]:
        """Articles by id (missing ids are left out)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        rows = self._rows(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ANY(%s)", (ids,))
        return {a.id: a for a in self._articles(rows)}

    def get_chunks(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunk spans by chunk id."""
        if not ids:
            return {}
        rows = self._rows("SELECT id, article_id, ordinal, start_at, end_at FROM chunks WHERE id = ANY(%s)", (list(ids),))
        return {r[0]: ChunkRow(*r) for r in rows}

    def article_chunks(self, article_id: str) -> list[ChunkRow]:
        """The chunks of one article, in order."""
        rows = self._rows(
            "SELECT id, article_id, ordinal, start_at, end_at FROM chunks WHERE article_id = %s ORDER BY ordinal",
            (article_id,),
        )
        return [ChunkRow(*r) for r in rows]

    def chunk_ids(self, after: str | None = None, limit: int = 1000) -> list[str]:
        """Chunk ids in id order after `after`."""
        rows = self._rows("SELECT id FROM chunks WHERE id > %s ORDER BY id LIMIT %s", (after or "", limit))
        return [r[0] for r in rows]

    def list_articles(self, limit: int = 100_000) -> list[ArticleRow]:
        """Indexed articles, newest indexed first, bodies included."""
        rows = self._rows(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY indexed_at DESC, source LIMIT %s", (limit,))
        return self._articles(rows, with_aliases=False)

    def has_articles(self) -> bool:
        """Whether anything is indexed (one row at most)."""
        return self._one("SELECT 1 FROM articles LIMIT 1") is not None

    def chunk_count(self) -> int:
        """Number of chunks (a counter kept with every write)."""
        row = self._one("SELECT value FROM counters WHERE name = 'chunks'")
        return int(row[0]) if row else 0

    def latest_published(self) -> date | None:
        """The newest publication date of any article (an index lookup)."""
        row = self._one("SELECT MAX(published) FROM articles")
        return row[0] if row else None

    def counts(self) -> dict[str, object]:
        """Totals and per-outlet / per-topic article counts."""
        def group(column: str) -> dict[str, int]:
            rows = self._rows(f"SELECT {column}, COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1")
            return {(r[0] or "(none)"): r[1] for r in rows}

        row = self._one(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM aliases), "
            "(SELECT MIN(published) FROM articles), (SELECT MAX(published) FROM articles)"
        )
        assert row is not None
        return {
            "articles": row[0], "aliases": row[1], "chunks": self.chunk_count(),
            "by_outlet": group("outlet"), "by_topic": group("topic"),
            "first_published": row[2].isoformat() if row[2] else None,
            "last_published": row[3].isoformat() if row[3] else None,
        }

    def totals(self) -> CatalogTotals:
        """Row counts of the parts that must agree."""
        row = self._one(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM chunks), "
            "(SELECT COUNT(*) FROM chunks WHERE tsv IS NOT NULL), (SELECT COUNT(*) FROM pending)"
        )
        assert row is not None
        return CatalogTotals(*row)

    def _articles(self, rows: list[tuple], with_aliases: bool = True) -> list[ArticleRow]:  # type: ignore[type-arg]
        aliases: dict[str, list[str]] = {}
        if with_aliases and rows:
            for article_id, source in self._rows(
                "SELECT article_id, source FROM aliases WHERE article_id = ANY(%s) ORDER BY source",
                ([r[0] for r in rows],),
            ):
                aliases.setdefault(article_id, []).append(source)
        return [
            ArticleRow(
                id=r[0], source=r[1], title=r[2], body=r[3], outlet=r[4], author=r[5], published=r[6],
                url=r[7], topic=r[8], content_hash=r[9], indexed_at=r[10], aliases=tuple(aliases.get(r[0], ())),
            )
            for r in rows
        ]

    # --- keyword index (full-text search) -------------------------------------------
    def keyword_search(self, terms: Sequence[str], limit: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk id, score) best first: at most CANDIDATES chunks holding question terms, those
        with the rarest terms first (found through the GIN index), scored by the idf-weighted
        rank of each term they hold."""
        stems = list(dict.fromkeys(s for term in terms for s in lexemes(term)))
        if not stems:
            return []
        frequencies, total = self.document_frequencies(stems)
        stems = [s for s in stems if s in frequencies]  # a word in no chunk finds nothing
        if not stems:
            return []
        # BM25's idf, e.g. a word in 10 of 7,000 chunks: ln(1 + 6990.5 / 10.5) = 6.5
        idf = [math.log(1 + (total - frequencies[s] + 0.5) / (frequencies[s] + 0.5)) for s in stems]
        queries, take = candidate_queries(frequencies, CANDIDATES, limit)
        where, params = _filter_sql(filters or Filters())
        # The filters go inside each branch, before its LIMIT. A plain Append runs its branches
        # in order and the outer LIMIT stops it once `take` chunks are found; PostgreSQL never
        # runs a subquery with a LIMIT in parallel workers, which could mix the branches up.
        branch = (
            "(SELECT c.id, c.tsv FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE c.tsv @@ CAST(%s AS tsquery) {where} LIMIT %s)"
        )
        rows = self._rows(
            "WITH t AS (SELECT CAST(lexeme AS tsquery) AS q, idf FROM unnest(%s::text[], %s::float8[]) AS u(lexeme, idf)), "
            f"candidates AS MATERIALIZED (SELECT * FROM ({' UNION ALL '.join([branch] * len(queries))}) AS found LIMIT %s) "
            f"SELECT c.id, (SELECT SUM(t.idf * {_TERM_RANK}) FROM t WHERE c.tsv @@ t.q) AS score FROM candidates c "
            "ORDER BY score DESC, c.id LIMIT %s",
            [[quote_lexeme(s) for s in stems], idf, *[v for q in queries for v in (q, *params, take)], take, limit],
        )
        return [(r[0], float(r[1])) for r in rows]

    def document_frequencies(self, stems: Sequence[str]) -> tuple[dict[str, int], int]:
        """Number of chunks containing each stem (a kept table), and the number of chunks."""
        total = self.chunk_count()
        if not stems:
            return {}, total
        rows = self._rows("SELECT term, df FROM keyword_df WHERE term = ANY(%s) AND df > 0", (list(stems),))
        return {r[0]: r[1] for r in rows}, total

    # --- writes ---------------------------------------------------------------------
    def begin_articles(self, ids: Sequence[str]) -> None:
        """Mark articles as being rewritten and drop their chunk rows (first write step)."""
        with self._transaction() as cur:
            cur.executemany("INSERT INTO pending VALUES (%s) ON CONFLICT DO NOTHING", [(i,) for i in ids])
            cur.execute(_DELETE_CHUNKS.format(column="article_id"), (list(ids),))

    def add_chunks(self, chunks: Sequence[Chunk], titles: dict[str, str]) -> None:
        """Store chunk spans with their tsvector, and count their lexemes (second write step)."""
        rows, lexeme_sets = [], []
        for c in chunks:
            literal, found = tsvector_literal(c.text, titles[c.article_id])
            rows.append((c.chunk_id, c.article_id, c.ordinal, c.start, c.end, literal))
            lexeme_sets.append(found)
        with self._transaction() as cur:
            cur.execute(_DELETE_CHUNKS.format(column="id"), ([c.chunk_id for c in chunks],))
            cur.executemany("INSERT INTO chunks VALUES (%s, %s, %s, %s, %s, CAST(%s AS tsvector))", rows)
            cur.executemany(
                "INSERT INTO keyword_df VALUES (%s, %s) ON CONFLICT (term) DO UPDATE SET df = keyword_df.df + EXCLUDED.df",
                sorted(count_lexemes(lexeme_sets).items()),
            )
            cur.execute("UPDATE counters SET value = value + %s WHERE name = 'chunks'", (len(rows),))

    def finish_articles(self, articles: Sequence[Article]) -> None:
        """Write the article rows last; the run that reaches this has fully indexed them."""
        now = _now()
        with self._transaction() as cur:
            cur.executemany(
                "INSERT INTO articles (id, source, content_hash, body_hash, title, outlet, author, published, "
                "url, topic, body, indexed_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE SET "
                "source = EXCLUDED.source, content_hash = EXCLUDED.content_hash, body_hash = EXCLUDED.body_hash, "
                "title = EXCLUDED.title, outlet = EXCLUDED.outlet, author = EXCLUDED.author, "
                "published = EXCLUDED.published, url = EXCLUDED.url, topic = EXCLUDED.topic, "
                "body = EXCLUDED.body, indexed_at = EXCLUDED.indexed_at, file_stamp = NULL",
                [
                    (a.article_id, a.source_key, a.content_hash, a.body_hash, a.title, a.outlet,
                     a.author, a.published, a.url, a.topic, a.body, now)
                    for a in articles
                ],
            )
            cur.execute("DELETE FROM aliases WHERE source = ANY(%s)", ([a.source_key for a in articles],))
            cur.execute("DELETE FROM pending WHERE article_id = ANY(%s)", ([a.article_id for a in articles],))

    def add_alias(self, source: str, article_id: str, content_hash: str) -> None:
        """Remember source as an exact duplicate of an indexed article."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO aliases (source, article_id, content_hash, indexed_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (source) DO UPDATE SET article_id = EXCLUDED.article_id, "
                "content_hash = EXCLUDED.content_hash, indexed_at = EXCLUDED.indexed_at, file_stamp = NULL",
                (source, article_id, content_hash, _now()),
            )

    def remove_alias(self, source: str) -> None:
        """Forget an alias."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM aliases WHERE source = %s", (source,))

    def remove_articles(self, ids: Sequence[str]) -> None:
        """Delete article rows, their chunks, aliases and signatures (after the vectors)."""
        ids = list(ids)
        with self._transaction() as cur:
            cur.execute(_DELETE_CHUNKS.format(column="article_id"), (ids,))
            for table, column in (("articles", "id"), ("aliases", "article_id"), ("pending", "article_id"),
                                  ("minhash", "article_id"), ("lsh_buckets", "article_id")):
                cur.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", (ids,))

    def pending(self) -> list[tuple[str, bool]]:
        """Articles a killed run left half-written: (id, whether an older row exists)."""
        rows = self._rows(
            "SELECT p.article_id, a.id IS NOT NULL FROM pending p LEFT JOIN articles a ON a.id = p.article_id"
        )
        return [(r[0], bool(r[1])) for r in rows]

    def invalidate(self, ids: Sequence[str]) -> None:
        """Drop possibly incomplete chunks and force the next run to re-index these articles."""
        ids = list(ids)
        with self._transaction() as cur:
            cur.execute(_DELETE_CHUNKS.format(column="article_id"), (ids,))
            cur.execute("UPDATE articles SET content_hash = '', file_stamp = NULL WHERE id = ANY(%s)", (ids,))
            cur.execute("DELETE FROM pending WHERE article_id = ANY(%s)", (ids,))

    # --- embedding cache ------------------------------------------------------------
    def cached_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these cache keys."""
        if not keys:
            return {}
        rows = self._rows("SELECT key, vector FROM vectors WHERE key = ANY(%s)", (list(keys),))
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def cache_vectors(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Remember vectors by cache key."""
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._transaction() as cur:
            cur.executemany(
                "INSERT INTO vectors VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET vector = EXCLUDED.vector", rows
            )

    # --- near-duplicates ------------------------------------------------------------
    def store_signature(self, article_id: str, signature: bytes, buckets: Sequence[int]) -> None:
        """Keep an article's MinHash signature and its LSH bucket keys."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO minhash VALUES (%s, %s) ON CONFLICT (article_id) DO UPDATE SET signature = EXCLUDED.signature",
                (article_id, signature),
            )
            cur.execute("DELETE FROM lsh_buckets WHERE article_id = %s", (article_id,))
            cur.executemany(
                "INSERT INTO lsh_buckets VALUES (%s, %s) ON CONFLICT DO NOTHING", [(b, article_id) for b in buckets]
            )

    def bucket_members(self, buckets: Sequence[int]) -> set[str]:
        """Ids of the articles sharing at least one bucket key."""
        if not buckets:
            return set()
        return {r[0] for r in self._rows("SELECT DISTINCT article_id FROM lsh_buckets WHERE bucket = ANY(%s)", (list(buckets),))}

    def signatures(self, after: str | None = None, limit: int = 1000) -> list[tuple[str, bytes]]:
        """(article id, signature) in id order after `after`."""
        rows = self._rows(
            "SELECT article_id, signature FROM minhash WHERE article_id > %s ORDER BY article_id LIMIT %s",
            (after or "", limit),
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def unsigned_articles(self, limit: int = 500) -> list[tuple[str, str]]:
        """(id, body) of articles without a signature."""
        rows = self._rows(
            "SELECT a.id, a.body FROM articles a LEFT JOIN minhash m ON m.article_id = a.id "
            "WHERE m.article_id IS NULL ORDER BY a.id LIMIT %s", (limit,),
        )
        return [(r[0], r[1]) for r in rows]

    def clear_buckets(self) -> None:
        """Drop every LSH bucket key."""
        with self._transaction() as cur:
            cur.execute("TRUNCATE lsh_buckets")

    def remember_copy(self, copy: NearDuplicate, record: str) -> None:
        """Record a near-duplicate source with its article as JSON."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO near_duplicates VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (source) DO UPDATE SET "
                "article_id = EXCLUDED.article_id, similarity = EXCLUDED.similarity, title = EXCLUDED.title, "
                "outlet = EXCLUDED.outlet, url = EXCLUDED.url, published = EXCLUDED.published, record = EXCLUDED.record",
                (copy.source, copy.article_id, copy.similarity, copy.title, copy.outlet, copy.url, copy.published, record),
            )

    def forget_copy(self, source: str) -> None:
        """Drop the near-duplicate record of a source."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM near_duplicates WHERE source = %s", (source,))

    def copy_record(self, source: str) -> str | None:
        """The JSON record of a near-duplicate source, if it is one."""
        row = self._one("SELECT record FROM near_duplicates WHERE source = %s", (source,))
        return row[0] if row else None

    def copies_of(self, article_ids: Iterable[str]) -> dict[str, list[NearDuplicate]]:
        """The near-duplicates remembered for each article, most similar first."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, list[NearDuplicate]] = {}
        if not ids:
            return found
        rows = self._rows(
            "SELECT source, article_id, similarity, title, outlet, url, published FROM near_duplicates "
            "WHERE article_id = ANY(%s) ORDER BY similarity DESC, source", (ids,),
        )
        for r in rows:
            found.setdefault(r[1], []).append(NearDuplicate(*r))
        return found

    # --- feeds and HTTP validators --------------------------------------------------
    def feed_entries(self, feed_url: str) -> dict[str, str]:
        """source -> fingerprint of the entries seen in committed rounds."""
        return dict(self._rows("SELECT source, fingerprint FROM feed_entries WHERE feed_url = %s", (feed_url,)))

    def is_known_feed(self, url: str) -> bool:
        """Whether a round of this feed was committed."""
        return self._one("SELECT 1 FROM feeds WHERE url = %s", (url,)) is not None

    def record_feed_round(self, entries: Sequence[tuple[str, str, str]], feeds: dict[str, str | None], summary: str) -> None:
        """Commit a round's entries and feeds."""
        now = _now()
        with self._transaction() as cur:
            cur.executemany(
                "INSERT INTO feed_entries VALUES (%s, %s, %s, %s) ON CONFLICT (feed_url, source) DO UPDATE SET "
                "fingerprint = EXCLUDED.fingerprint, seen_at = EXCLUDED.seen_at",
                [(feed, source, fingerprint, now) for feed, source, fingerprint in entries],
            )
            cur.executemany(
                "INSERT INTO feeds VALUES (%s, %s, %s, %s) ON CONFLICT (url) DO UPDATE SET "
                "title = EXCLUDED.title, last_round_at = EXCLUDED.last_round_at, last_summary = EXCLUDED.last_summary",
                [(url, title, now, summary) for url, title in feeds.items()],
            )

    def feed_statuses(self) -> list[FeedStatus]:
        """Every feed read so far, most recent round first."""
        rows = self._rows("SELECT url, title, last_round_at, last_summary FROM feeds ORDER BY last_round_at DESC, url")
        return [FeedStatus(*r) for r in rows]

    def http_validators(self, url: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) remembered for url."""
        row = self._one("SELECT etag, last_modified FROM http_cache WHERE url = %s", (url,))
        return (row[0], row[1]) if row else (None, None)

    def remember_http_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store a response's validators."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO http_cache VALUES (%s, %s, %s, %s) ON CONFLICT (url) DO UPDATE SET "
                "etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, checked_at = EXCLUDED.checked_at",
                (url, etag, last_modified, _now()),
            )

    def forget_http_validators(self, url: str) -> None:
        """Drop url's validators."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM http_cache WHERE url = %s", (url,))


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern (ESCAPE '\\') matching the strings that start with prefix literally."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _filter_sql(filters: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if filters.outlet:
        clauses.append("lower(a.outlet) = lower(%s)")
        params.append(filters.outlet)
    if filters.topic:
        clauses.append("lower(a.topic) = lower(%s)")
        params.append(filters.topic)
    if filters.since:
        clauses.append("a.published >= %s")
        params.append(filters.since)
    if filters.until:
        clauses.append("a.published <= %s")
        params.append(filters.until)
    return "".join(f" AND {c}" for c in clauses), params
