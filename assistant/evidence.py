"""Candidate answer sentences, read in their article: neighbours, cross-heads, mentions and
speakers.

Every sentence of a retrieved passage is a candidate. Its article is split into sentences once,
so a candidate knows the sentences around it (the year in the next sentence, the speaker named
two sentences before). Cross-heads (short headline-style lines inside the body, e.g. "Shelling
provokes fears war imminent") are kept as context but are never an answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property

from assistant.mentions import Mention, MentionTagger
from assistant.speakers import Speaker, is_reported, named_speaker, resolve_speakers
from assistant.types import Passage
from index.sentences import sentence_spans

CONTINUES = re.compile(
    r"^\W*(it|its|he|his|she|her|they|their|this|that|these|those|the (?:firm|company|group|club|bank|move|deal|plan))\b", re.I
)
"""A sentence that carries on the subject of the one before it."""
_ENDS_SENTENCE = re.compile(r"[.!?…\"”’')\]]\s*$")
CROSSHEAD_MAX_WORDS = 12


@dataclass
class ArticleText:
    """An article's body split into sentences, with what has been worked out about them."""

    article_id: str
    title: str
    body: str
    spans: list[tuple[int, int]]
    crosshead: list[bool]
    mentions: dict[int, tuple[Mention, ...]] = field(default_factory=dict)
    speakers: dict[int, Speaker | None] = field(default_factory=dict)

    def text(self, i: int) -> str:
        """Sentence i, verbatim."""
        start, end = self.spans[i]
        return self.body[start:end]

    @cached_property
    def titled_surnames(self) -> frozenset[str]:
        """Names the body gives after a title ("Ms Quill" -> "Quill")."""
        return frozenset(_TITLED.findall(self.body))

    def index_at(self, offset: int) -> int | None:
        """The sentence holding a body offset."""
        for i, (start, end) in enumerate(self.spans):
            if start <= offset < end:
                return i
        return None


@dataclass
class Candidate:
    """A sentence of a retrieved passage that might answer (a part of) the question."""

    article: ArticleText
    index: int  # sentence number in the article
    passage: Passage  # the best-ranked passage holding it
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    support: list[int] = field(default_factory=list)  # other sentences of the article cited with it
    value: Mention | None = None  # the mention that fills the asked-for slot
    value_sentence: int | None = None  # where that mention is (this sentence or a neighbour)

    @property
    def text(self) -> str:
        """The sentence, verbatim."""
        return self.article.text(self.index)

    @property
    def start(self) -> int:
        """Offset of the sentence in the article body."""
        return self.article.spans[self.index][0]

    @property
    def end(self) -> int:
        """End offset of the sentence in the article body."""
        return self.article.spans[self.index][1]

    @property
    def key(self) -> tuple[str, int]:
        """Identity of the sentence: (article id, sentence number)."""
        return self.article.article_id, self.index

    @property
    def mentions(self) -> tuple[Mention, ...]:
        """Typed mentions of the sentence (tagged on demand by Evidence.tag)."""
        return self.article.mentions.get(self.index, ())

    @property
    def speaker(self) -> Speaker | None:
        """Who the sentence attributes its words to (resolved on demand by Evidence.tag)."""
        return self.article.speakers.get(self.index)

    def neighbour(self, step: int) -> str:
        """The sentence step places away in the article ('' past either end or at a cross-head)."""
        i = self.index + step
        if 0 <= i < len(self.article.spans) and not self.article.crosshead[i]:
            return self.article.text(i)
        return ""


def is_crosshead(body: str, start: int, end: int) -> bool:
    """A short line of its own with no closing punctuation: a headline inside the body."""
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", end)
    line = body[line_start : line_end if line_end >= 0 else len(body)].strip()
    text = body[start:end].strip()
    return line == text and len(text.split()) <= CROSSHEAD_MAX_WORDS and not _ENDS_SENTENCE.search(text)


def split_article(article_id: str, title: str, body: str) -> ArticleText:
    """An article's sentences and cross-head flags."""
    spans = sentence_spans(body)
    return ArticleText(article_id, title, body, spans, [is_crosshead(body, s, e) for s, e in spans])


class Evidence:
    """The candidate sentences of a set of passages, and their articles."""

    def __init__(self, passages: Sequence[Passage], bodies: Mapping[str, str], tagger: MentionTagger) -> None:
        self.tagger = tagger
        self.articles: dict[str, ArticleText] = {}
        self.candidates: list[Candidate] = []
        seen: set[tuple[str, int]] = set()
        for passage in passages:
            body = bodies.get(passage.article_id)
            if body is None:
                continue
            article = self.articles.get(passage.article_id)
            if article is None:
                article = self.articles[passage.article_id] = split_article(passage.article_id, passage.title, body)
            for i, (start, end) in enumerate(article.spans):
                if start >= passage.start and end <= passage.end and not article.crosshead[i] and (article.article_id, i) not in seen:
                    seen.add((article.article_id, i))
                    self.candidates.append(Candidate(article, i, passage))

    def tag(self, candidates: Sequence[Candidate], lookback: int = 3) -> None:
        """Tag the mentions of candidates and of the neighbours they lean on (the next sentence
        when it carries on the candidate's subject; up to `lookback` sentences before a quote
        that does not name its speaker), then resolve speakers."""
        self._tag({(c.article.article_id, c.index) for c in candidates})
        needed: set[tuple[str, int]] = set()
        for cand in candidates:
            article = cand.article
            if cand.index + 1 < len(article.spans) and CONTINUES.search(article.text(cand.index + 1)):
                needed.add((article.article_id, cand.index + 1))
            if is_reported(cand.text) and named_speaker(cand.text, cand.mentions) is None:
                needed.update((article.article_id, i) for i in range(max(0, cand.index - lookback), cand.index))
        self._tag(needed)
        for article in self.articles.values():
            run = sorted(article.mentions)
            speakers = resolve_speakers([article.text(i) for i in run], [article.mentions[i] for i in run], run)
            for i, speaker in zip(run, speakers, strict=True):
                article.speakers[i] = speaker

    def _tag(self, wanted: set[tuple[str, int]]) -> None:
        todo = sorted((a, i) for a, i in wanted if i not in self.articles[a].mentions)
        tagged = self.tagger.tag([self.articles[a].text(i) for a, i in todo])
        for (a, i), mentions in zip(todo, tagged, strict=True):
            article = self.articles[a]
            article.mentions[i] = as_people(mentions, article.titled_surnames)


_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lord|Lady)\.? ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_MISREAD = {"GPE", "ORG", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "NAME"}


def as_people(mentions: tuple[Mention, ...], surnames: Set[str]) -> tuple[Mention, ...]:
    """Mentions whose last name the article also gives with a title ("Marta Quill" ... "Ms
    Quill") are people, whatever the small NER model called them: it reads unfamiliar names
    as places or organisations."""
    return tuple(
        Mention("PERSON", m.text, m.start, m.end)
        if m.kind in _MISREAD and " " in m.text and m.text.split()[-1] in surnames and m.text[:1].isupper()
        and not m.text.lower().startswith("the ")
        else m
        for m in mentions
    )
