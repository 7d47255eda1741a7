"""The data directory: catalog, vector collection and embedder, opened together and checked
to belong to the same embedding model and chunk settings."""

from __future__ import annotations

from pathlib import Path

from index.catalog import Catalog
from index.config import ChunkConfig, EmbeddingConfig
from index.embedding import Embedder, SentenceTransformerEmbedder
from index.errors import IndexMismatchError
from index.vectorstore import ChromaStore, collection_name

CATALOG_FILE = "catalog.sqlite"


class IndexStore:
    """Everything the write and read paths share, for one data directory."""

    def __init__(
        self,
        data_dir: Path,
        embedding: EmbeddingConfig,
        chunking: ChunkConfig,
        chroma_url: str | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.chunking = chunking
        self.embedding = embedding
        self.embedder: Embedder = embedder or SentenceTransformerEmbedder(embedding)
        self.catalog = Catalog(self.data_dir / CATALOG_FILE)
        self.identity = {
            "model": self.embedder.model_key,
            "chunk_max_tokens": str(chunking.max_tokens),
            "chunk_overlap_sentences": str(chunking.overlap_sentences),
        }
        self._check_identity()
        name = collection_name(self.embedder.model_key, chunking.max_tokens, chunking.overlap_sentences)
        self.vectors = ChromaStore(
            None if chroma_url else self.data_dir / "chroma", chroma_url, name, self.identity
        )

    def _check_identity(self) -> None:
        stored = self.catalog.get_meta()
        built = {k: stored[k] for k in self.identity if k in stored}
        if not built:
            self.catalog.set_meta({**self.identity, "schema": "1"})
            return
        if built != self.identity:
            diff = ", ".join(
                f"{k}: index has {built.get(k)!r}, settings say {v!r}"
                for k, v in self.identity.items()
                if built.get(k) != v
            )
            raise IndexMismatchError(
                f"the index in {self.data_dir} was built with other settings ({diff}). "
                "Use the same settings, another --data-dir, or rebuild with "
                "`newsdesk index --rebuild ...`."
            )

    def cache_key_prefix(self) -> str:
        """Embedding-cache keys are scoped to the model."""
        return self.embedder.model_key


def wipe_index(data_dir: Path, chroma_url: str | None = None) -> None:
    """Delete the index of a data directory: catalog, local vectors, or its server collection."""
    from index.catalog import Catalog

    data_dir = Path(data_dir).expanduser().resolve()
    catalog_path = data_dir / CATALOG_FILE
    if chroma_url and catalog_path.exists():
        meta = Catalog(catalog_path).get_meta()
        if "model" in meta:
            name = collection_name(meta["model"], int(meta["chunk_max_tokens"]), int(meta["chunk_overlap_sentences"]))
            ChromaStore.drop(chroma_url, name)
    for suffix in ("", "-wal", "-shm"):
        (data_dir / (CATALOG_FILE + suffix)).unlink(missing_ok=True)
    ChromaStore.drop_local(data_dir / "chroma")
