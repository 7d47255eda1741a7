"""Extractive answers: pick the best one to three sentences of the retrieved passages and
cite each verbatim, or abstain when the evidence is weak. No LLM, no network."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.settings import AnswerSettings
from assistant.text import content_stems, stem_set
from assistant.types import ABSTENTION, Citation, Passage
from index.sentences import sentence_spans

# Weights of the sentence score; tuned on the dev set (see docs/BENCHMARKS.md).
W_DENSE, W_LEXICAL, W_RANK, W_TYPE = 0.45, 0.40, 0.10, 0.08

_NUMERIC_Q = re.compile(
    r"\bhow (many|much|big|large|long|old|far|high|fast)\b|\bby how\b|\bwhat (percentage|"
    r"proportion|share|rate|price|amount|figure|sum|number|budget|value|size|total|growth)\b",
    re.IGNORECASE,
)
_TIME_Q = re.compile(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|month|day)\b", re.I)
_NAME_Q = re.compile(r"^\s*(who|whom|whose)\b|\b(which|what) (company|firm|person|man|woman|"
                     r"band|group|team|country|city|port|club|film|award|player|composer|"
                     r"sculptor|minister|network|channel|album|song|book|party)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|"
                     r"thousand|million|billion|half|twice)\b", re.IGNORECASE)
_YEAR_OR_DATE = re.compile(r"\b(1[89]|20)\d\d\b|\b(January|February|March|April|May|June|July|"
                           r"August|September|October|November|December|Monday|Tuesday|"
                           r"Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+)*")


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with its features and score."""

    passage: Passage
    start: int
    end: int
    text: str
    lexical: float = 0.0
    dense: float = 0.0
    type_match: float = 0.0
    score: float = 0.0
    stems: set[str] = field(default_factory=set)


@dataclass
class Extraction:
    """The outcome: chosen sentences (best first) or an abstention with its reason."""

    chosen: list[Candidate]
    abstained: bool
    reason: str = ""
    candidates: list[Candidate] = field(default_factory=list)


def candidate_sentences(passages: Sequence[Passage]) -> list[Candidate]:
    """Every distinct sentence of the passages, with offsets into the article body."""
    seen: set[tuple[str, int]] = set()
    found = []
    for passage in passages:
        for start, end in sentence_spans(passage.text):
            key = (passage.article_id, passage.start + start)
            if key not in seen:
                seen.add(key)
                found.append(Candidate(passage, passage.start + start, passage.start + end, passage.text[start:end]))
    return found


def answer_type_match(question: str, sentence: str) -> float:
    """1.0 when the sentence holds what the question asks for (a number, a date, a name)
    that the question itself does not contain; 0.0 otherwise."""
    question_words = set(re.findall(r"\w+", question.lower()))
    def new(matches: list[str]) -> bool:
        return any(m.lower() not in question_words for m in matches if m)
    if _NUMERIC_Q.search(question):
        return float(new([m.group(0) for m in re.finditer(r"[\d.,]+\w*|" + _NUMBER.pattern, sentence)]))
    if _TIME_Q.search(question):
        return float(new([m.group(0) for m in _YEAR_OR_DATE.finditer(sentence)]))
    if _NAME_Q.search(question):
        names = [w for m in _NAME.finditer(sentence) for w in m.group(0).split()]
        return float(new(names))
    return 0.0


def lexical_coverage(question_idf: dict[str, float], stems: set[str]) -> float:
    """Share of the question's IDF mass whose stems occur in stems (0..1)."""
    total = sum(question_idf.values())
    return sum(w for t, w in question_idf.items() if t in stems) / total if total else 0.0


def idf_weights(stems: Sequence[str], frequencies: dict[str, int], total: int) -> dict[str, float]:
    """Smoothed IDF per stem: log((N + 1) / (df + 0.5)); unseen words weigh the most."""
    return {s: math.log((total + 1) / (frequencies.get(s, 0) + 0.5)) for s in stems}


def extract(
    question: str,
    passages: Sequence[Passage],
    question_vector: np.ndarray,
    embed: callable,  # type: ignore[valid-type]
    question_idf: dict[str, float],
    settings: AnswerSettings,
) -> Extraction:
    """Score sentences and choose the answer, or abstain."""
    candidates = candidate_sentences(passages)
    if not candidates:
        return Extraction([], True, "no passages")
    for cand in candidates:
        cand.stems = stem_set(cand.text)
        cand.lexical = lexical_coverage(question_idf, cand.stems)
        cand.type_match = answer_type_match(question, cand.text)
    # embeddings only for the most promising sentences: keeps ask() fast
    shortlist = sorted(candidates, key=lambda c: -(c.lexical + 0.3 / c.passage.rank))[: settings.candidates]
    vectors = embed([c.text for c in shortlist])
    for cand, vector in zip(shortlist, vectors, strict=True):
        cand.dense = float(np.dot(question_vector, vector))
        cand.score = (
            W_DENSE * cand.dense + W_LEXICAL * cand.lexical + W_RANK / cand.passage.rank
            + W_TYPE * cand.type_match
        )
    ranked = sorted(shortlist, key=lambda c: -c.score)
    best = ranked[0]
    missing = _missing_rare_term(question_idf, best, passages)
    if best.score < settings.abstain_below:
        return Extraction([], True, f"best sentence scores {best.score:.2f}", ranked)
    if missing and question_idf[missing] > settings.max_missing_idf:
        return Extraction([], True, f"'{missing}' is not in the evidence", ranked)
    chosen = [best]
    for cand in ranked[1:]:
        if len(chosen) >= settings.max_sentences or cand.score < settings.extra_sentence_ratio * best.score:
            break
        if all(_distinct(cand, c) for c in chosen):
            chosen.append(cand)
    return Extraction(chosen, False, "", ranked)


def _missing_rare_term(question_idf: dict[str, float], best: Candidate, passages: Sequence[Passage]) -> str | None:
    """The rarest question stem absent from the best sentence's article (title + passages)."""
    context: set[str] = set()
    for passage in passages:
        if passage.article_id == best.passage.article_id:
            context |= stem_set(passage.title) | stem_set(passage.text)
    missing = [t for t in question_idf if t not in context]
    return max(missing, key=question_idf.__getitem__) if missing else None


def _distinct(a: Candidate, b: Candidate) -> bool:
    overlap = len(a.stems & b.stems) / max(1, min(len(a.stems), len(b.stems)))
    return overlap < 0.7


def compose(chosen: Sequence[Candidate]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after every sentence, and the citations in marker order."""
    if not chosen:
        return ABSTENTION, []
    citations, parts = [], []
    for n, cand in enumerate(chosen, start=1):
        p = cand.passage
        citations.append(
            Citation(
                n=n, quote=cand.text, start=cand.start, end=cand.end, passage_rank=p.rank,
                score=round(cand.score, 4), **p.model_dump(include=set(_REF_FIELDS)),
            )
        )
        parts.append(f"{cand.text} [{n}]")
    return " ".join(parts), citations


_REF_FIELDS = ("article_id", "source", "title", "outlet", "published", "url", "topic", "also_in")


def question_stems(question: str) -> list[str]:
    """Content stems of a question (what the IDF weights are computed for)."""
    return content_stems(question)
