"""Errors raised by the write path, under the one root of Newsdesk's errors.

The root lives here because index/ is the bottom layer: assistant/ re-exports it as
`assistant.AssistantError`, so a caller catches every Newsdesk error with one class.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Root of every error Newsdesk reports as a one-line message, not a traceback
    (public name: assistant.AssistantError)."""


class IndexingError(NewsdeskError):
    """Base class for errors of the write path and of the stores."""


class IndexMismatchError(IndexingError):
    """The data directory was built with another embedding model or chunk settings."""


class IndexBusyError(IndexingError):
    """Another process holds the writer lock."""


class StoreUnavailableError(IndexingError):
    """A store stopped answering (the Chroma server or the catalog's database went down);
    what is indexed is kept."""


class CatalogUnavailableError(StoreUnavailableError):
    """The catalog's database server cannot be reached (down, restarting, wrong URL)."""


class VectorStoreUnavailableError(StoreUnavailableError):
    """The Chroma server cannot be reached (down, restarting, wrong URL)."""


class ModelNotFoundError(IndexingError):
    """The embedding model cannot be found locally."""


class SkipArticle(Exception):
    """An input that cannot be indexed; the message is the reason shown in the report."""
