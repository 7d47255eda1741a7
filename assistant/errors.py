"""Errors of the read path and the public API.

One root for both layers: AssistantError (defined in index/errors.py as NewsdeskError,
since index/ may not import assistant/). Its families:

    AssistantError
    ├── ConfigError            settings that cannot work (unknown setting or backend, bad value)
    ├── InvalidQuestionError   a question or ask option that is not valid input (empty, too
    │                          long, not text, k out of range, a date that is not a date)
    └── IndexingError          the write path and the stores
        ├── IndexBusyError     another process is indexing this data directory
        ├── IndexMismatchError the index was built with another model or chunk settings
        ├── ModelNotFoundError the embedding model is not available offline
        └── StoreUnavailableError  the Chroma server stopped answering
"""

from __future__ import annotations

from index.errors import (
    IndexBusyError,
    IndexingError,
    IndexMismatchError,
    ModelNotFoundError,
    NewsdeskError,
    StoreUnavailableError,
)

AssistantError = NewsdeskError
"""The root of every Newsdesk error: its message is meant for a person, as one line."""


class ConfigError(AssistantError):
    """Settings that cannot work (an unknown setting, a value out of range, an unknown LLM backend)."""


class InvalidQuestionError(AssistantError):
    """A question, or an option of it (k, filters, history), that is not valid input."""


USER_ERRORS: tuple[type[Exception], ...] = (AssistantError,)
"""Errors the CLI and UI turn into a plain message (all of them share the root AssistantError)."""

__all__ = [
    "USER_ERRORS",
    "AssistantError",
    "ConfigError",
    "IndexBusyError",
    "IndexMismatchError",
    "IndexingError",
    "InvalidQuestionError",
    "ModelNotFoundError",
    "StoreUnavailableError",
]
