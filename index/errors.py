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


class ModelNotFoundError(IndexingError):
    """The embedding model cannot be found locally."""


class StoreUnavailableError(IndexingError):
    """A store stopped answering (e.g. the Chroma server went down); what is indexed is kept."""


class SkipArticle(Exception):
    """An input that cannot be indexed; the message is the reason shown in the report."""
