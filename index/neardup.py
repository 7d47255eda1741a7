"""Near-duplicate stories: MinHash over word shingles of the body finds candidates (LSH), the
exact shingle Jaccard decides. A near-duplicate is stored once (as an alias of the first copy)
and remembered here with its own outlet/title/url, so citations can say "also reported by".

The LSH lives in the catalog: each signature's band hashes are rows of an indexed bucket table,
so a lookup is one indexed query and nothing is rebuilt in memory when a process starts.

Why MinHash and not embedding similarity: measured on the BBC corpus (README, "Near-duplicate
stories"), cosine of MiniLM article vectors puts different stories on the same subject (two Yukos court rulings, two
match reports) as close as copies of one story; shingle overlap separates them cleanly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
from datasketch import MinHash, MinHashLSH

from index.article import Article
from index.catalog import Catalog, NearDuplicate
from index.config import NearDuplicateConfig

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's hashing scheme, fixed: stored signatures must stay comparable
_PAGE = 500


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


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch finds best for a Jaccard threshold, e.g. (0.35, 128) -> (21, 6).
    The LSH threshold is lower than the decision threshold: the exact Jaccard decides."""
    lsh = MinHashLSH(threshold=max(0.1, threshold * 0.7), num_perm=num_perm)
    return lsh.b, lsh.r


def bucket_keys(hashvalues: np.ndarray, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per band: a hash of the band number and its slice of the signature."""
    keys = []
    for band in range(bands):
        part = np.asarray(hashvalues[band * rows : (band + 1) * rows], dtype=np.uint32).tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "big") + part, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


@dataclass(frozen=True)
class Match:
    """An indexed article a new body nearly duplicates."""

    article_id: str
    source: str
    similarity: float


class NearDuplicates:
    """Finds near-duplicates among indexed articles and remembers the copies."""

    def __init__(self, catalog: Catalog, config: NearDuplicateConfig) -> None:
        self.catalog = catalog
        self.config = config
        self.bands, self.rows = lsh_bands(config.threshold, config.num_perm)
        self._pending: dict[str, tuple[str, set[str]]] = {}  # id -> (source, shingles), not yet in the catalog
        self._lock = threading.Lock()

    # --- finding ----------------------------------------------------------------------
    def prepare(self) -> None:
        """Make the bucket table match these settings (the writer calls this under its lock).

        Only the first run after an upgrade, or after a change of the near-duplicate
        settings, has work to do: it buckets every stored signature once."""
        with self._lock:
            self._pending.clear()
        wanted = f"{_SCHEME}/{self.config.num_perm}/{self.config.shingle_words}/{self.bands}x{self.rows}"
        stored = self.catalog.get_meta().get("lsh")
        if stored == wanted:
            return
        if not self.catalog.has_articles() and not self.catalog.signatures(None, 1):
            self.catalog.set_meta({"lsh": wanted})  # a new index: nothing to bucket
            return
        reuse = stored is None  # signatures of an older version: reused where their size fits
        log.warning("building the near-duplicate bucket table (LSH %s); once per setting", wanted)
        self.catalog.clear_buckets()
        after: str | None = None
        while page := self.catalog.signatures(after, _PAGE):
            after = page[-1][0]
            bodies = {} if reuse else self.catalog.get_articles(i for i, _ in page)
            for article_id, raw in page:
                values = np.frombuffer(raw, dtype=np.uint32)
                if not reuse or len(values) != self.config.num_perm:
                    if article_id not in bodies:
                        bodies.update(self.catalog.get_articles([article_id]))
                    if article_id not in bodies:
                        continue  # a signature left by an interrupted run
                    values = self._signature(shingles(bodies[article_id].body, self.config.shingle_words)).hashvalues
                self._store(article_id, values)
        while unsigned := self.catalog.unsigned_articles(_PAGE):
            for article_id, body in unsigned:
                self._store(article_id, self._signature(shingles(body, self.config.shingle_words)).hashvalues)
        self.catalog.set_meta({"lsh": wanted})

    def find(self, article: Article) -> Match | None:
        """The most similar other article at or above the threshold, if any."""
        own = shingles(article.body, self.config.shingle_words)
        keys = bucket_keys(self._signature(own).hashvalues, self.bands, self.rows)
        candidates = sorted(c for c in self.catalog.bucket_members(keys) if c != article.article_id)
        with self._lock:
            pending = {c: self._pending[c] for c in candidates if c in self._pending}
        stored = self.catalog.get_articles(c for c in candidates if c not in pending)
        best: Match | None = None
        for candidate in candidates:
            if candidate in pending:
                source, other = pending[candidate]
            elif candidate in stored:
                source = stored[candidate].source
                other = shingles(stored[candidate].body, self.config.shingle_words)
            else:
                continue  # bucketed by a run that did not finish
            similarity = jaccard(own, other)
            if similarity >= self.config.threshold and (best is None or similarity > best.similarity):
                best = Match(candidate, source, round(similarity, 4))
        return best

    def add(self, article: Article) -> None:
        """Make an article being indexed findable (its row is written by the caller)."""
        own = shingles(article.body, self.config.shingle_words)
        self._store(article.article_id, self._signature(own).hashvalues)
        with self._lock:
            self._pending[article.article_id] = (article.source_key, own)

    def settle(self) -> None:
        """The articles added so far are written to the catalog: stop holding their shingles."""
        with self._lock:
            self._pending.clear()

    def discard(self, article_id: str) -> None:
        """Forget an article that left the index (the catalog dropped its signature)."""
        with self._lock:
            self._pending.pop(article_id, None)

    # --- remembering copies -----------------------------------------------------------
    def remember(self, article: Article, kept_id: str, similarity: float) -> None:
        """Record article as a near-duplicate of kept_id (with all it needs to stand alone)."""
        record = {k: v for k, v in asdict(article).items() if k != "extra"}
        record["published"] = article.published.isoformat() if article.published else None
        copy = NearDuplicate(article.source_key, kept_id, similarity, article.title, article.outlet, article.url, article.published)
        self.catalog.remember_copy(copy, json.dumps(record))

    def forget(self, source: str) -> None:
        """Drop the near-duplicate record of a source."""
        self.catalog.forget_copy(source)

    def record(self, source: str) -> Article | None:
        """The article a near-duplicate source held when it was indexed, if it is one."""
        raw = self.catalog.copy_record(source)
        if raw is None:
            return None
        data = json.loads(raw)
        data["published"] = date.fromisoformat(data["published"]) if data["published"] else None
        return Article(**data)

    def copies_of(self, article_ids: list[str] | set[str]) -> dict[str, list[NearDuplicate]]:
        """The near-duplicates remembered for each of these articles, most similar first."""
        return self.catalog.copies_of(article_ids)

    # --- internals --------------------------------------------------------------------
    def _signature(self, own: set[str]) -> MinHash:
        signature = MinHash(num_perm=self.config.num_perm, seed=1, scheme=_SCHEME)
        signature.update_batch([s.encode() for s in own])
        return signature

    def _store(self, article_id: str, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.uint32)
        self.catalog.store_signature(article_id, values.tobytes(), bucket_keys(values, self.bands, self.rows))


__all__ = ["Match", "NearDuplicate", "NearDuplicates", "bucket_keys", "jaccard", "lsh_bands", "shingles"]
