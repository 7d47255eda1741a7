"""Errors raised by the write path."""

from __future__ import annotations


class IndexingError(Exception):
    """Base class for errors of the write path."""


class IndexMismatchError(IndexingError):
    """The data directory was built with another embedding model or chunk settings."""


class IndexBusyError(IndexingError):
    """Another process holds the writer lock."""


class CatalogUnavailableError(IndexingError):
    """The catalog's database server cannot be reached (down, restarting, wrong URL)."""


class VectorStoreUnavailableError(IndexingError):
    """The Chroma server cannot be reached (down, restarting, wrong URL)."""


class ModelNotFoundError(IndexingError):
    """The embedding model cannot be found locally."""


class SkipArticle(Exception):
    """An input that cannot be indexed; the message is the reason shown in the report."""
