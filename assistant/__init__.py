"""Read path and public API of Newsdesk: ask questions, get answers citing exact sentences."""

from assistant.api import Assistant
from assistant.errors import (
    AssistantError,
    ConfigError,
    IndexBusyError,
    IndexingError,
    IndexMismatchError,
    InvalidQuestionError,
    ModelNotFoundError,
    StoreUnavailableError,
)
from assistant.settings import Settings
from assistant.types import ABSTENTION, Answer, ArticleView, Citation, Passage, Stats
from index import IndexReport

__all__ = [
    "ABSTENTION",
    "Answer",
    "ArticleView",
    "Assistant",
    "AssistantError",
    "Citation",
    "ConfigError",
    "IndexBusyError",
    "IndexMismatchError",
    "IndexReport",
    "IndexingError",
    "InvalidQuestionError",
    "ModelNotFoundError",
    "Passage",
    "Settings",
    "Stats",
    "StoreUnavailableError",
]
