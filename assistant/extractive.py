"""Extractive answers: pick the best one to three sentences of the retrieved passages and
cite each verbatim, or abstain when the evidence is weak. No LLM, no network."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.settings import AnswerSettings
from assistant.text import STOPWORDS, content_stems, stem, stem_set
from assistant.types import ABSTENTION, Citation, Passage
from index.sentences import sentence_spans

# Weights of the sentence score, tuned on shared/eval/dev.jsonl (a plateau of equal accuracy
# around these values, not a single best point): similarity to the question, coverage of the
# question words by the sentence read with its article's title, passage rank, answer type.
W_DENSE, W_FOCUS, W_RANK, W_TYPE = 0.6, 0.3, 0.2, 0.1

_NUMERIC_Q = re.compile(
    r"\bhow (many|much|big|large|long|old|far|high|fast)\b|\bby how\b|\bwhat (percentage|"
    r"proportion|share|rate|price|amount|figure|sum|number|budget|value|size|total|growth)\b",
    re.IGNORECASE,
)
_YEAR_Q = re.compile(r"\b(what|which|in what) year\b|\bwhen\b", re.IGNORECASE)
_NAME_Q = re.compile(r"^\s*(who|whom|whose)\b|\b(which|what)\s+(\w+\s+)?(\w+)\b", re.IGNORECASE)
_PLACE_Q = re.compile(r"^\s*where\b", re.IGNORECASE)
_FOCUS = re.compile(r"\b(?:how (?:many|much)|which|what)\s+(\w+)(?:\s+(\w+))?", re.IGNORECASE)
_NUMBER = re.compile(r"[$£€]?\d[\d,.]*\s?(?:%|bn|m|k|million|billion|thousand|trillion)?|\b(?:one|two|"
                     r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|"
                     r"thousand|million|billion)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_NAME = re.compile(r"(?<=\s)[A-Z][\w'\-]+(?:\s+(?:of |the |de |van )?[A-Z][\w'\-]+)*")


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with its features and score."""

    passage: Passage
    start: int
    end: int
    text: str
    lexical: float = 0.0
    focus: float = 0.0
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
    """How well a sentence holds what the question asks for and does not itself contain.

    1.0: the expected kind of answer (number, year, name, place) stands next to the question's
    focus word ("how many adults" -> "2,234 adults"); 0.5: the kind occurs elsewhere in the
    sentence; 0.0: it does not occur, or only as words the question already has.
    """
    asked = {w.lower() for w in re.findall(r"\w+", question)}
    focus_match = _FOCUS.search(question)
    focus = {
        stem(w.lower()) for w in (focus_match.groups() if focus_match else ()) if w and w.lower() not in STOPWORDS
    }
    if _NUMERIC_Q.search(question):
        pattern = _NUMBER
    elif _YEAR_Q.search(question):
        pattern = _YEAR
    elif _PLACE_Q.search(question) or _NAME_Q.search(question):
        pattern = _NAME
    else:
        return 0.0
    best = 0.0
    tokens = [stem(w.lower()) for w in re.findall(r"\w+", sentence)]
    for match in pattern.finditer(sentence):
        found = {w.lower() for w in re.findall(r"\w+", match.group(0))}
        if not found or found <= asked:
            continue
        best = max(best, 0.5)
        if focus:
            position = len(re.findall(r"\w+", sentence[: match.start()]))
            width = len(re.findall(r"\w+", match.group(0)))
            near = tokens[max(0, position - 3) : position + width + 3]
            if focus.intersection(near):
                return 1.0
    return best


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
    embed: Callable[[list[str]], np.ndarray],
    question_idf: dict[str, float],
    settings: AnswerSettings,
) -> Extraction:
    """Score sentences and choose the answer, or abstain."""
    candidates = candidate_sentences(passages)
    if not candidates:
        return Extraction([], True, "no passages")
    title_stems = {p.article_id: stem_set(p.title) for p in passages}
    for cand in candidates:
        cand.stems = stem_set(cand.text)
        cand.lexical = lexical_coverage(question_idf, cand.stems)
        # a sentence is read in its story: words of the title count as present, so the
        # sentence of the right story that holds the remaining words wins
        cand.focus = lexical_coverage(question_idf, cand.stems | title_stems[cand.passage.article_id])
        cand.type_match = answer_type_match(question, cand.text)
    # embeddings only for the most promising sentences: keeps ask() fast
    shortlist = sorted(candidates, key=lambda c: -(c.lexical + c.focus + 0.3 / c.passage.rank))
    shortlist = shortlist[: settings.candidates]
    vectors = embed([c.text for c in shortlist])
    for cand, vector in zip(shortlist, vectors, strict=True):
        cand.dense = float(np.dot(question_vector, vector))
        cand.score = (
            W_DENSE * cand.dense + W_FOCUS * cand.focus + W_RANK / cand.passage.rank
            + W_TYPE * cand.type_match
        )
    ranked = sorted(shortlist, key=lambda c: -c.score)
    best = ranked[0]
    missing = _missing_rare_term(question_idf, best, passages)
    if best.score < settings.abstain_below:
        return Extraction([], True, f"best sentence scores {best.score:.2f}", ranked)
    if missing and question_idf[missing] > settings.max_missing_idf:
        return Extraction([], True, f"'{missing}' does not occur in the indexed articles", ranked)
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
