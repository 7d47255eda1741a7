"""Write path of Newsdesk: load, clean, chunk, embed and store articles."""

from index.article import Article, article_id_for
from index.config import BUNDLED_MODEL, ChunkConfig, EmbeddingConfig, LoaderConfig
from index.errors import (
    IndexBusyError,
    IndexingError,
    IndexMismatchError,
    ModelNotFoundError,
    NewsdeskError,
    StoreUnavailableError,
)
from index.report import IndexReport, Skipped

__all__ = [
    "BUNDLED_MODEL",
    "Article",
    "ChunkConfig",
    "EmbeddingConfig",
    "IndexBusyError",
    "IndexMismatchError",
    "IndexReport",
    "IndexingError",
    "LoaderConfig",
    "ModelNotFoundError",
    "NewsdeskError",
    "Skipped",
    "StoreUnavailableError",
    "article_id_for",
]
