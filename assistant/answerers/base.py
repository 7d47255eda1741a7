"""The answerer interface both modes implement, and what they are handed.

An answerer gets the parsed question and, for each of its parts, the retrieved passages; it
yields the answer text in pieces and then the complete Answer (so `ask()` is the last item of
`stream()`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.query import Query
from assistant.types import Answer, Passage
from index.embedding import TokenVectors


@dataclass
class Retrieved:
    """What retrieval found for one part of a question (or the whole of a one-part question)."""

    query: Query
    passages: list[Passage]
    bodies: Mapping[str, str]  # article id -> body, for the articles of the passages
    question: TokenVectors  # the part's question embedding, with its word-pieces' vectors
    idf: dict[str, float] = field(default_factory=dict)  # IDF of the part's content stems

    @property
    def vector(self) -> np.ndarray:
        """The part's question embedding."""
        return self.question.vector


class Answerer(Protocol):
    """Writes the answer to a question from what retrieval found for each of its parts."""

    mode: str

    def stream(self, query: Query, found: Sequence[Retrieved]) -> Iterator[str | Answer]:
        """Yield text pieces, then the complete Answer as the last item."""
        ...
