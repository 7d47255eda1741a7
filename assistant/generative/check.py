"""The citation check of an LLM reply: every sentence must cite a supplied passage that
really supports it. Pure apart from the embedding function it is given.

For each sentence and each passage it cites, the passage sentence that best supports it is
found by embedding similarity plus word overlap (the index's own embedding model); the best
becomes the citation's verbatim quote, with offsets into the article body. A sentence is
flagged unsupported when its best support scores below the threshold, when it names a number
or a name that its cited passage never mentions, or when it cites nothing and no passage
supports it. A sentence the model left without a marker but that a passage supports gets
that passage's [n] written after it, marked as attached by the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.text import STOPWORDS, content_stems, stem, stem_set, words
from assistant.types import ABSTENTION, ArticleRef, Citation, Passage, SentenceCheck
from index.sentences import sentence_spans

Embed = Callable[[list[str]], np.ndarray]
"""Texts -> L2-normalised vectors (the index's embedder)."""

# support = W_DENSE * cosine + W_LEXICAL * share of the claim's content words in the quote;
# e.g. a paraphrase with cosine 0.70 sharing 3 of 4 content words: 0.5*0.70 + 0.5*0.75 = 0.725
W_DENSE, W_LEXICAL = 0.5, 0.5

MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_MARKER_RUN = re.compile(r"(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")  # used with match(text, pos)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"\b[A-Z]\w*")  # word by word, as stem_set reads the passage ("Winn-Dixie's")
_NOT_NAMES = STOPWORDS | {"i", "yes", "sure", "ok", "okay"}


NOT_STATED = re.compile(r"^\W*the (?:indexed )?articles (?:don't|do not|does not|doesn't) (?:say|state|mention|give|report)\b", re.I)
"""How a reply (or the extractive answer) says the articles are about the subject but lack the fact."""


@dataclass
class CheckResult:
    """The checked reply: text without bad markers, per-sentence support, one citation per [n]."""

    text: str
    abstained: bool  # the abstention reply, or a reply saying the articles don't say it
    not_stated: bool = False  # some sentence says "The articles don't say ..."
    sentences: list[SentenceCheck] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)


@dataclass
class _Candidate:
    passage: Passage
    start: int  # offsets in the article body
    end: int
    text: str


def cited_numbers(text: str) -> list[int]:
    """The passage numbers of every [n] / [n, m] marker, in order, e.g. 'a [1][2, 3].' -> [1, 2, 3]."""
    return [int(n) for group in MARKER.findall(text) for n in re.split(r"\s*[,;]\s*", group)]


def strip_markers(text: str) -> str:
    """The text without its [n] markers, whitespace tidied."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", MARKER.sub(" ", text))).strip()


def drop_unknown_markers(text: str, supplied: int) -> tuple[str, list[int]]:
    """Remove the numbers of markers that name no supplied passage (1..supplied); a marker
    left empty goes, with the space before it. Nothing else of the text changes."""
    removed: list[int] = []

    def keep(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(2))]
        valid = [n for n in numbers if 1 <= n <= supplied]
        removed.extend(n for n in numbers if n not in valid)
        if valid == numbers:
            return match.group(0)
        return f"{match.group(1)}[{', '.join(map(str, valid))}]" if valid else ""

    cleaned = re.sub(r"([ \t]*)" + MARKER.pattern, keep, text)
    return cleaned, sorted(set(removed))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a reply; a marker opening a sentence ('... sky. [1] Then') belongs to
    the sentence before it."""
    spans: list[list[int]] = []
    for start, end in sentence_spans(text):
        lead = _MARKER_RUN.match(text, start, end)
        if lead and spans:
            spans[-1][1] = lead.end()
            start = lead.end()
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            spans.append([start, end])
    return [(s, e) for s, e in spans]


def is_abstention(sentence: str) -> bool:
    """Whether a sentence is the abstention sentence (markers, quotes and case aside)."""
    def norm(s: str) -> str:
        return " ".join(words(s.replace("’", "'").replace("'", "")))
    return norm(strip_markers(sentence)) == norm(ABSTENTION)


def key_terms(claim: str) -> tuple[set[str], set[str]]:
    """Numbers and names of a claim: what a wrong answer most often gets wrong.
    e.g. 'Berlin hosted 3,000 fans.' -> ({'3000'}, {'berlin'})"""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(claim)}
    names = {stem(w.lower()) for w in _CAPITALISED.findall(claim) if w.lower() not in _NOT_NAMES}
    return numbers, names


def is_not_stated(sentence: str) -> bool:
    """Whether a sentence says the articles do not hold what was asked ("The articles don't
    say how much ..."): a statement about the articles, not a claim taken from them."""
    return bool(NOT_STATED.match(strip_markers(sentence)))


def check_reply(
    reply: str, passages: Sequence[Passage], embed: Embed, threshold: float, question: str = ""
) -> CheckResult:
    """Check every sentence of reply against the numbered passages (passage n = passages[n-1]).

    Words a claim merely repeats from the question are not evidence: the overlap is measured
    on the words it adds (all of its words when it adds none). A sentence without a marker
    that a passage supports gets that passage's [n] attached (SentenceCheck.attached); a
    "The articles don't say ..." sentence is a statement, never flagged. Citations all have
    the role "answer" here; which are only related is decided per part of the question
    (assistant/generative/reply_parts.py).
    """
    text, removed = drop_unknown_markers(reply.strip(), len(passages))
    spans = split_sentences(text)
    if not spans or is_abstention(text[spans[0][0] : spans[0][1]]):
        return CheckResult(text=ABSTENTION, abstained=True, removed_markers=removed)
    spans = [(s, e) for s, e in spans if not is_abstention(text[s:e])]  # not a claim
    claims = [strip_markers(text[s:e]) for s, e in spans]
    cites = [list(dict.fromkeys(cited_numbers(text[s:e]))) for s, e in spans]
    statements = [is_not_stated(claim) for claim in claims]
    # an uncited claim is compared with every passage: the check attaches the one that supports it
    uncited = any(not c and not statement for c, statement in zip(cites, statements, strict=True))
    wanted = range(1, len(passages) + 1) if uncited else {n for c in cites for n in c}
    candidates = {n: _candidates(passages[n - 1]) for n in wanted}
    vectors = _embed_unique(embed, claims + [c.text for cs in candidates.values() for c in cs])

    asked = set(content_stems(question))
    sentences: list[SentenceCheck] = []
    best_per_n: dict[int, Citation] = {}

    def keep_best(citation: Citation | None) -> None:
        if citation and (citation.n not in best_per_n or citation.score > best_per_n[citation.n].score):
            best_per_n[citation.n] = citation

    for (start, end), claim, numbers, statement in zip(spans, claims, cites, statements, strict=True):
        written = text[start:end]
        if statement:  # "The articles don't say ...": about the articles, not a claim from them
            supports = [_best_support(claim, n, candidates[n], vectors, asked) for n in numbers]
            for citation, _ in supports:
                keep_best(citation)
            sentences.append(SentenceCheck(text=written, start=start, end=end, cites=numbers, supported=True,
                                           support=_strongest(supports)[0]))
            continue
        if not numbers:
            hints = [_best_support(claim, n, candidates[n], vectors, asked) for n in candidates]
            hint, missing = _strongest(hints)
            if hint and not missing and hint.score >= threshold:
                # the model forgot the marker: attach the passage that supports the sentence
                attached = hint.model_copy(update={"attached": True})
                if attached.n not in best_per_n:
                    best_per_n[attached.n] = attached
                sentences.append(SentenceCheck(text=written, start=start, end=end, cites=[hint.n],
                                               supported=True, score=hint.score, support=attached, attached=True))
                continue
            sentences.append(SentenceCheck(text=written, start=start, end=end, supported=False,
                                           score=hint.score if hint else 0.0, support=hint,
                                           reason=_unsupported_uncited(hint, missing, threshold)))
            continue
        supports = [_best_support(claim, n, candidates[n], vectors, asked) for n in numbers]
        for citation, _ in supports:
            keep_best(citation)
        citation, missing = _strongest(supports)
        score = citation.score if citation else 0.0
        reason: str | None = None
        if missing:
            reason = f"{', '.join(sorted(missing))} not in the cited passage{'s' if len(numbers) > 1 else ''}"
        elif score < threshold:
            reason = f"weak support ({score:.2f} < {threshold:.2f})"
        sentences.append(SentenceCheck(
            text=written, start=start, end=end, cites=numbers, supported=reason is None,
            score=score, support=citation, reason=reason,
        ))
    text, sentences = _with_attached_markers(text, sentences)
    not_stated = any(statements)
    return CheckResult(
        text=text, abstained=not_stated, not_stated=not_stated, sentences=sentences, removed_markers=removed,
        citations=[best_per_n[n] for n in sorted(best_per_n)],
    )


def _unsupported_uncited(hint: Citation | None, missing: set[str], threshold: float) -> str:
    """Why a sentence without a marker stays flagged: no passage supports it well enough.
    e.g. "cites no passage; none supports it (closest [2]: 0.41 < 0.50)"."""
    if hint is None:
        return "cites no passage"
    if missing:
        return f"cites no passage; none supports it ({', '.join(sorted(missing))} not in the closest, [{hint.n}])"
    return f"cites no passage; none supports it (closest [{hint.n}]: {hint.score:.2f} < {threshold:.2f})"


def _with_attached_markers(text: str, sentences: list[SentenceCheck]) -> tuple[str, list[SentenceCheck]]:
    """The reply with an [n] written into every sentence whose citation the check attached,
    before its full stop as the prompt asks ("... euros [1]."); sentence offsets moved to match."""
    if not any(s.attached for s in sentences):
        return text, sentences
    pieces, moved, shift, position = [], [], 0, 0
    for sentence in sentences:
        cut, marker = sentence.end, ""
        if sentence.attached:
            marker = f" [{sentence.cites[0]}]"
            cut -= text[cut - 1 : cut] in {".", "!", "?"}
        pieces += [text[position:cut], marker]
        moved.append(sentence.model_copy(update={
            "start": sentence.start + shift, "end": sentence.end + shift + len(marker),
            "text": text[sentence.start : cut] + marker + text[cut : sentence.end],
        }))
        shift += len(marker)
        position = cut
    pieces.append(text[position:])
    return "".join(pieces), moved


def _strongest(supports: list[tuple[Citation | None, set[str]]]) -> tuple[Citation | None, set[str]]:
    """The best support: one whose passage mentions all the claim's numbers and names
    first, then the highest score."""
    return max(supports, key=lambda s: (not s[1], s[0].score if s[0] else 0.0), default=(None, set()))


def _candidates(passage: Passage) -> list[_Candidate]:
    return [
        _Candidate(passage, passage.start + s, passage.start + e, passage.text[s:e])
        for s, e in sentence_spans(passage.text)
    ]


def _embed_unique(embed: Embed, texts: list[str]) -> dict[str, np.ndarray]:
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, embed(unique), strict=True)) if unique else {}


def _best_support(
    claim: str, n: int, candidates: list[_Candidate], vectors: dict[str, np.ndarray], asked: set[str],
) -> tuple[Citation | None, set[str]]:
    """The citation [n] of the passage sentence that best supports claim, and the claim's
    numbers and names that passage n never mentions."""
    if not candidates:
        return None, set()
    passage = candidates[0].passage
    stems = [s for s in content_stems(claim) if s not in asked] or content_stems(claim)
    def score(c: _Candidate) -> float:
        dense = float(np.dot(vectors[claim], vectors[c.text]))
        cand_stems = stem_set(c.text)
        lexical = sum(s in cand_stems for s in stems) / len(stems) if stems else 0.0
        return W_DENSE * max(dense, 0.0) + W_LEXICAL * lexical
    best = max(candidates, key=score)
    numbers, names = key_terms(claim)
    context = passage.title + "\n" + passage.text
    missing = (numbers - {x.replace(",", "") for x in _NUMBER.findall(context)}) | (names - stem_set(context))
    citation = Citation(
        n=n, quote=best.text, start=best.start, end=best.end, passage_rank=passage.rank,
        score=round(score(best), 4), **passage.model_dump(include=set(ArticleRef.model_fields)),
    )
    return citation, {_display(claim, m) for m in missing}


def _display(claim: str, term: str) -> str:
    """The claim's own spelling of a missing stem or number, for the message."""
    for word in re.findall(r"[\w'-]+|\d+(?:[.,]\d+)*", claim):
        if word.replace(",", "") == term or stem(word.lower()) == term:
            return f"'{word}'"
    return f"'{term}'"
