"""Typed results of the read path: what ask() returns, in every interface."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

ABSTENTION = "I couldn't find that in the indexed articles."
"""The sentence every answering mode uses when the articles do not contain the answer."""


class ArticleRef(BaseModel):
    """Where a passage or a quote comes from."""

    article_id: str
    source: str = Field(description="source key: the absolute file path, or the URL")
    title: str
    outlet: str | None = None
    published: date | None = None
    url: str | None = None
    topic: str | None = None
    also_in: list[str] = Field(default_factory=list, description="exact duplicates (aliases)")


class Passage(ArticleRef):
    """A retrieved chunk; start/end locate text in the article body."""

    rank: int = Field(description="1-based position in the fused ranking")
    text: str
    start: int
    end: int
    score: float = Field(description="fused (RRF) score")


class Citation(ArticleRef):
    """One [n] of the answer: the verbatim sentence it rests on and where it lies."""

    n: int = Field(description="the number shown as [n] in the answer text")
    quote: str = Field(description="verbatim sentence; equals article body[start:end]")
    start: int
    end: int
    passage_rank: int = Field(description="rank of the passage the quote was taken from")
    score: float = 0.0


class Answer(BaseModel):
    """An answer whose every sentence carries [n] markers pointing at citations."""

    question: str
    text: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    mode: str = "extractive"
    standalone_question: str | None = Field(
        None, description="the follow-up rewritten with its history, when it was rewritten"
    )
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")


class ArticleView(ArticleRef):
    """An indexed article in full, for reading and highlighting quotes by offset."""

    body: str
    author: str | None = None
    indexed_at: str | None = None


class Stats(BaseModel):
    """What the index holds."""

    data_dir: str
    articles: int
    aliases: int
    chunks: int
    vectors: int
    model: str
    by_outlet: dict[str, int]
    by_topic: dict[str, int]
    first_published: str | None = None
    last_published: str | None = None
