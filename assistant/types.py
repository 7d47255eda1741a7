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
    also_reported_by: list[str] = Field(
        default_factory=list, description="other copies of this story (exact or near duplicates "
        "stored once): the outlet of each, else its site or file name",
    )


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


class SentenceCheck(BaseModel):
    """The citation check of one sentence of an LLM answer."""

    text: str = Field(description="the sentence as it appears in Answer.text, markers included")
    start: int = Field(description="offset of the sentence in Answer.text")
    end: int
    cites: list[int] = Field(default_factory=list, description="the supplied passages it cites ([n])")
    supported: bool
    score: float = Field(0.0, description="support of its best cited passage sentence (0..1)")
    support: Citation | None = Field(None, description="the passage sentence that best supports it")
    reason: str | None = Field(None, description="why it is flagged unsupported")


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
    sentences: list[SentenceCheck] = Field(
        default_factory=list, description="LLM mode: the citation check of every answer sentence"
    )
    removed_markers: list[int] = Field(
        default_factory=list, description="LLM mode: [n] markers naming no supplied passage, removed"
    )
    model: str | None = Field(None, description="LLM mode: the backend that wrote the answer")
    fallback: str | None = Field(
        None, description="why the LLM answer was replaced by the extractive one (the model failed)"
    )

    @property
    def unsupported(self) -> list[SentenceCheck]:
        """Sentences the citation check flagged (LLM mode)."""
        return [s for s in self.sentences if not s.supported]


class ArticleView(ArticleRef):
    """An indexed article in full, for reading and highlighting quotes by offset."""

    body: str
    author: str | None = None
    indexed_at: str | None = None


class FeedView(BaseModel):
    """A feed that has been indexed, with its last round (for the Library tab)."""

    url: str
    title: str | None = None
    last_round_at: str | None = Field(None, description="UTC time of the last completed round")
    last_summary: str | None = Field(None, description="that round's one-line report")


class Stats(BaseModel):
    """What the index holds."""

    data_dir: str
    articles: int
    aliases: int
    chunks: int
    vectors: int
    vectors_missing: int = Field(0, description="chunks without a vector (re-embedded by the next index run)")
    warning: str | None = Field(None, description="chunk/vector disagreement, in one line")
    model: str
    by_outlet: dict[str, int]
    by_topic: dict[str, int]
    first_published: str | None = None
    last_published: str | None = None
