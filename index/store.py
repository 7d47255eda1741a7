"""The index of one data directory (or of one shared catalog): catalog, vector collection and
embedder, opened together and checked to belong to the same embedding model and chunk
settings, and to each other (every chunk has its vector)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from index.catalog import CATALOG_FILE, Catalog, open_catalog
from index.config import ChunkConfig, EmbeddingConfig
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.errors import IndexMismatchError
from index.vectorstore import (
    ChromaStore,
    check_collection_name,
    collection_name,
    legacy_collection_name,
)

log = logging.getLogger(__name__)

__all__ = ["CATALOG_FILE", "IndexStore", "VectorAgreement", "wipe_index"]


@dataclass(frozen=True)
class VectorAgreement:
    """Chunks in the catalog against vectors in the collection."""

    chunks: int
    vectors: int
    shared: bool  # a collection shared with other indexes: its count includes theirs

    @property
    def missing(self) -> int:
        """Chunks that have no vector (at least this many, in a shared collection)."""
        return max(0, self.chunks - self.vectors)

    @property
    def extra(self) -> int:
        """Vectors without a chunk (not knowable in a shared collection: 0 there)."""
        return 0 if self.shared else max(0, self.vectors - self.chunks)

    @property
    def warning(self) -> str | None:
        """What is wrong, in one line, or None."""
        if self.missing:
            return (f"{self.missing} of {self.chunks} chunks have no vector (the collection lost them); "
                    "the next `newsdesk index` run re-embeds them")
        if self.extra:
            return f"{self.extra} vectors belong to no chunk (left by an interrupted run); search ignores them"
        return None


class IndexStore:
    """Everything the write and read paths share, for one index."""

    def __init__(
        self,
        data_dir: Path,
        embedding: EmbeddingConfig,
        chunking: ChunkConfig,
        chroma_url: str | None = None,
        embedder: Embedder | None = None,
        catalog_url: str | None = None,
        collection: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.stateless = bool(catalog_url and chroma_url)  # nothing is kept in data_dir then
        self.chunking = chunking
        self.embedding = embedding
        self.embedder: Embedder = embedder or SentenceTransformerEmbedder(embedding)
        self.catalog: Catalog = open_catalog(catalog_url, self.data_dir)
        self.identity = {
            "model": self.embedder.model_key,
            "chunk_max_tokens": str(chunking.max_tokens),
            "chunk_overlap_sentences": str(chunking.overlap_sentences),
        }
        meta = self._identify(collection, embedded=not chroma_url)
        self.index_id = meta["index_id"]
        self.shared_collection = meta.get("collection_owned") != "1"
        local = None if chroma_url else self.data_dir / "chroma"
        metadata = dict(self.identity) if self.shared_collection else {**self.identity, "newsdesk_index": self.index_id}
        self.vectors = ChromaStore(local, chroma_url, meta["collection"], metadata)
        agreement = self.vector_agreement()
        if agreement.warning:
            log.warning("index %s: %s", self.catalog.location, agreement.warning)

    def _identify(self, collection: str | None, embedded: bool) -> dict[str, str]:
        """The index's meta: created with a new index id on first open, adopted from an older
        version (its collection name kept), checked against the settings."""
        if collection is not None:
            check_collection_name(collection)
        meta = self.catalog.get_meta()
        if "model" not in meta or "index_id" not in meta:
            with self.catalog.writer_lock(timeout=60):  # two replicas opening a new catalog at once
                meta = self.catalog.get_meta()
                if "model" not in meta:
                    meta = self._create(collection)
                elif "index_id" not in meta:
                    meta = self._adopt(meta, embedded)
        built = {k: meta[k] for k in self.identity if k in meta}
        if built != self.identity:
            diff = ", ".join(
                f"{k}: index has {built.get(k)!r}, settings say {v!r}"
                for k, v in self.identity.items()
                if built.get(k) != v
            )
            raise IndexMismatchError(
                f"the index in {self.catalog.location} was built with other settings ({diff}). "
                "Use the same settings, another --data-dir, or rebuild with "
                "`newsdesk index --rebuild ...`."
            )
        if collection is not None and collection != meta["collection"]:
            raise IndexMismatchError(
                f"the index in {self.catalog.location} keeps its vectors in the Chroma collection "
                f"{meta['collection']!r}, but the settings name {collection!r} "
                "(NEWSDESK_CHROMA_COLLECTION). Unset it, or rebuild with `newsdesk index --rebuild ...`."
            )
        return meta

    def _create(self, collection: str | None) -> dict[str, str]:
        index_id = uuid.uuid4().hex[:12]
        name = collection or collection_name(
            index_id, self.embedder.model_key, self.chunking.max_tokens, self.chunking.overlap_sentences
        )
        meta = {**self.identity, "index_id": index_id, "collection": name,
                "collection_owned": "0" if collection else "1"}
        self.catalog.set_meta(meta)
        return {**self.catalog.get_meta(), **meta}

    def _adopt(self, meta: dict[str, str], embedded: bool) -> dict[str, str]:
        """An index of Newsdesk 0.1: its vectors stay in the collection named from the
        settings alone. On a server other data dirs may use it too, so it is treated as
        shared (a rebuild deletes only this index's vectors, then moves to a collection of
        its own); an embedded one belongs to this data dir alone."""
        name = legacy_collection_name(meta["model"], int(meta["chunk_max_tokens"]), int(meta["chunk_overlap_sentences"]))
        adopted = {"index_id": uuid.uuid4().hex[:12], "collection": name,
                   "collection_owned": "1" if embedded else "0"}
        self.catalog.set_meta(adopted)
        log.info("index %s: adopted the collection %s of an older Newsdesk", self.catalog.location, name)
        return {**meta, **adopted}

    def vector_agreement(self) -> VectorAgreement:
        """Catalog chunks against collection vectors (two counts: constant time)."""
        return VectorAgreement(self.catalog.chunk_count(), self.vectors.count(), self.shared_collection)

    def missing_vectors(self, page: int = 1000) -> list[str]:
        """Chunk ids without a vector (reads every chunk id: call when the counts disagree)."""
        missing: list[str] = []
        after: str | None = None
        while ids := self.catalog.chunk_ids(after, page):
            after = ids[-1]
            have = self.vectors.existing(ids)
            missing.extend(i for i in ids if i not in have)
        return missing

    def cache_key_prefix(self) -> str:
        """Embedding-cache keys are scoped to the model."""
        return self.embedder.model_key


def wipe_index(data_dir: Path, chroma_url: str | None = None, catalog_url: str | None = None) -> None:
    """Delete an index (for a rebuild, whatever settings built it): its own collection, or
    in a shared collection only its own vectors; then every catalog row."""
    data_dir = Path(data_dir).expanduser().resolve()
    if not catalog_url and not (data_dir / CATALOG_FILE).exists():
        return
    catalog = open_catalog(catalog_url, data_dir)
    try:
        meta = catalog.get_meta()
        name = meta.get("collection")
        if name is None and "model" in meta:  # never opened by this version
            name = legacy_collection_name(meta["model"], int(meta["chunk_max_tokens"]), int(meta["chunk_overlap_sentences"]))
        if name is not None:
            _drop_vectors(catalog, data_dir, chroma_url, name, owned=meta.get("collection_owned") == "1" or (
                "collection" not in meta and not chroma_url))
        catalog.wipe()
    finally:
        catalog.close()


def _drop_vectors(catalog: Catalog, data_dir: Path, chroma_url: str | None, name: str, owned: bool) -> None:
    local = None if chroma_url else data_dir / "chroma"
    if local is not None and not local.is_dir():
        return
    store = ChromaStore(local, chroma_url, name, {})
    if owned:
        store.delete_collection()
        return
    after: str | None = None
    while ids := catalog.chunk_ids(after, 1000):
        after = ids[-1]
        store.delete_chunks(ids)
    log.info("deleted this index's vectors from the shared collection %s", name)
