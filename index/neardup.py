"""Near-duplicate stories: MinHash over word shingles of the body finds candidates (LSH), the
exact shingle Jaccard decides. A near-duplicate is stored once (as an alias of the first copy)
and remembered here with its own outlet/title/url, so citations can say "also reported by".

Why MinHash and not embedding similarity: measured on the BBC corpus (README, "Near-duplicate
stories"), cosine of MiniLM article vectors puts different stories on the same subject (two Yukos court rulings, two
match reports) as close as copies of one story; shingle overlap separates them cleanly.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
from datasketch import MinHash, MinHashLSH

from index.article import Article
from index.catalog import Catalog
from index.config import NearDuplicateConfig

_SCHEMA = """
CREATE TABLE IF NOT EXISTS minhash (article_id TEXT PRIMARY KEY, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS near_duplicates (
    source TEXT PRIMARY KEY, article_id TEXT NOT NULL, similarity REAL NOT NULL,
    title TEXT NOT NULL, outlet TEXT, url TEXT, published TEXT, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS near_duplicates_article ON near_duplicates(article_id);
"""
_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's hashing scheme, fixed: stored signatures must stay comparable


def shingles(text: str, size: int = 5) -> set[str]:
    """Word n-grams of the lower-cased text; a text shorter than size words is one shingle.

    e.g. size=2: "The cat sat" -> {"the cat", "cat sat"}
    """
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a & b| / |a | b| (0.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass(frozen=True)
class Match:
    """An indexed article a new body nearly duplicates."""

    article_id: str
    source: str
    similarity: float


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


class NearDuplicates:
    """Finds near-duplicates among indexed articles and remembers the copies."""

    def __init__(self, catalog: Catalog, config: NearDuplicateConfig) -> None:
        self.catalog = catalog
        self.config = config
        catalog.ensure_schema(_SCHEMA)
        self._lsh: MinHashLSH | None = None
        self._pending: dict[str, tuple[str, set[str]]] = {}  # id -> (source, shingles), not yet in the catalog
        self._lock = threading.Lock()

    # --- finding ----------------------------------------------------------------------
    def find(self, article: Article) -> Match | None:
        """The most similar other article at or above the threshold, if any."""
        lsh = self._index()
        own = shingles(article.body, self.config.shingle_words)
        best: Match | None = None
        candidates = [c for c in lsh.query(self._signature(own)) if c != article.article_id]
        stored = self.catalog.get_articles(c for c in candidates if c not in self._pending)
        for candidate in candidates:
            if candidate in self._pending:
                source, other = self._pending[candidate]
            elif candidate in stored:
                source = stored[candidate].source
                other = shingles(stored[candidate].body, self.config.shingle_words)
            else:
                continue  # removed since the LSH was built
            similarity = jaccard(own, other)
            if similarity >= self.config.threshold and (best is None or similarity > best.similarity):
                best = Match(candidate, source, round(similarity, 4))
        return best

    def add(self, article: Article) -> None:
        """Make an article being indexed findable (its row is written by the caller)."""
        own = shingles(article.body, self.config.shingle_words)
        signature = self._signature(own)
        lsh = self._index()
        with self._lock:
            if article.article_id in lsh:
                lsh.remove(article.article_id)
            lsh.insert(article.article_id, signature)
            self._pending[article.article_id] = (article.source_key, own)
        with self.catalog.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO minhash VALUES (?, ?)",
                (article.article_id, signature.hashvalues.astype(np.uint32).tobytes()),
            )

    def reset(self) -> None:
        """Rebuild the LSH from the catalog on next use (another process may have indexed)."""
        with self._lock:
            self._lsh = None
            self._pending.clear()

    def settle(self) -> None:
        """The articles added so far are written to the catalog: stop holding their shingles."""
        with self._lock:
            self._pending.clear()

    def discard(self, article_id: str) -> None:
        """Forget an article that left the index (and its copies' records)."""
        with self._lock:
            if self._lsh is not None and article_id in self._lsh:
                self._lsh.remove(article_id)
            self._pending.pop(article_id, None)
        with self.catalog.transaction() as db:
            db.execute("DELETE FROM minhash WHERE article_id = ?", (article_id,))

    # --- remembering copies -----------------------------------------------------------
    def remember(self, article: Article, kept_id: str, similarity: float) -> None:
        """Record article as a near-duplicate of kept_id (with all it needs to stand alone)."""
        record = {k: v for k, v in asdict(article).items() if k != "extra"}
        record["published"] = article.published.isoformat() if article.published else None
        with self.catalog.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO near_duplicates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (article.source_key, kept_id, similarity, article.title, article.outlet,
                 article.url, record["published"], json.dumps(record)),
            )

    def forget(self, source: str) -> None:
        """Drop the near-duplicate record of a source."""
        with self.catalog.transaction() as db:
            db.execute("DELETE FROM near_duplicates WHERE source = ?", (source,))

    def record(self, source: str) -> Article | None:
        """The article a near-duplicate source held when it was indexed, if it is one."""
        row = self.catalog.db.execute(
            "SELECT record FROM near_duplicates WHERE source = ?", (source,)
        ).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        data["published"] = date.fromisoformat(data["published"]) if data["published"] else None
        return Article(**data)

    def copies_of(self, article_ids: list[str] | set[str]) -> dict[str, list[NearDuplicate]]:
        """The near-duplicates remembered for each of these articles, most similar first."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, list[NearDuplicate]] = {}
        if not ids:
            return found
        marks = ",".join("?" * len(ids))
        rows = self.catalog.db.execute(
            "SELECT source, article_id, similarity, title, outlet, url, published FROM "
            f"near_duplicates WHERE article_id IN ({marks}) ORDER BY similarity DESC, source", ids,
        )
        for r in rows:
            found.setdefault(r[1], []).append(
                NearDuplicate(r[0], r[1], r[2], r[3], r[4], r[5], date.fromisoformat(r[6]) if r[6] else None)
            )
        return found

    # --- internals --------------------------------------------------------------------
    def _signature(self, own: set[str]) -> MinHash:
        signature = MinHash(num_perm=self.config.num_perm, seed=1, scheme=_SCHEME)
        signature.update_batch([s.encode() for s in own])
        return signature

    def _index(self) -> MinHashLSH:
        """The LSH over every indexed article (signatures computed for those that lack one)."""
        with self._lock:
            if self._lsh is not None:
                return self._lsh
            # a lower LSH threshold than the decision threshold: the exact Jaccard decides
            lsh = MinHashLSH(threshold=max(0.1, self.config.threshold * 0.7), num_perm=self.config.num_perm)
            db = self.catalog.db
            stored = {
                r[0]: r[1] for r in db.execute(
                    "SELECT m.article_id, m.signature FROM minhash m JOIN articles a ON a.id = m.article_id"
                )
            }
            missing = {}
            for row in db.execute("SELECT id, body FROM articles"):
                values = np.frombuffer(stored.get(row[0], b""), dtype=np.uint32)
                if len(values) == self.config.num_perm:
                    signature = MinHash(num_perm=self.config.num_perm, seed=1, hashvalues=values, scheme=_SCHEME)
                else:
                    signature = self._signature(shingles(row[1], self.config.shingle_words))
                    missing[row[0]] = signature.hashvalues.astype(np.uint32).tobytes()
                lsh.insert(row[0], signature)
            if missing:
                with self.catalog.transaction() as tx:
                    tx.executemany("INSERT OR REPLACE INTO minhash VALUES (?, ?)", missing.items())
            self._lsh = lsh
            return lsh
