"""Errors of the read path and the public API."""

from __future__ import annotations

from index import IndexBusyError, IndexingError, IndexMismatchError, ModelNotFoundError


class AssistantError(Exception):
    """Base class for errors a user should see as a message, not a traceback."""


class ConfigError(AssistantError):
    """Settings that cannot work (e.g. an unknown LLM backend)."""


class InvalidQuestionError(AssistantError):
    """An empty or over-long question."""


USER_ERRORS: tuple[type[Exception], ...] = (AssistantError, IndexingError)
"""Errors the CLI and UI turn into a plain message."""

__all__ = [
    "USER_ERRORS",
    "AssistantError",
    "ConfigError",
    "IndexBusyError",
    "IndexMismatchError",
    "IndexingError",
    "InvalidQuestionError",
    "ModelNotFoundError",
]
