"""Extractive answers: sentence candidates and offsets, scoring parts, choice, abstention."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from assistant.extractive import (
    Extraction,
    answer_type_match,
    candidate_sentences,
    compose,
    extract,
    idf_weights,
    lexical_coverage,
    question_stems,
)
from assistant.settings import AnswerSettings
from assistant.text import stem_set
from assistant.types import ABSTENTION, Passage

BODY = (
    "Storm closes the port.\n\n"
    "The harbour at Cray was closed on Friday after a storm damaged the pier. "
    "Harbourmaster Oswin Hale said repairs would cost 40,000 crowns. "
    "Fishermen moved their boats to Lowmoor.\n\n"
    "The ferry to the Skerrin Islands will resume on Monday."
)
OTHER = "Bakers in Tolborough sold four hundred loaves. The stone oven came from Cremieu."


def passage(body: str, start: int, end: int, rank: int, article: str = "a1") -> Passage:
    return Passage(
        article_id=article, source=f"/news/{article}.txt", title=f"Title {article}", rank=rank,
        text=body[start:end], start=start, end=end, score=1 / (60 + rank),
    )


def fake_embed(texts: list[str]) -> np.ndarray:
    """Deterministic bag-of-stems vectors: similar wording, similar vectors (no model)."""
    rows = []
    for text in texts:
        row = np.zeros(256, dtype=np.float32)
        for token in stem_set(text):
            row[int(hashlib.md5(token.encode()).hexdigest(), 16) % 256] += 1.0
        rows.append(row / (np.linalg.norm(row) or 1.0))
    return np.stack(rows)


def answer(question: str, passages: list[Passage], idf: dict[str, float] | None = None, **settings: object) -> Extraction:
    stems = question_stems(question)
    weights = idf or {s: 2.0 for s in stems}
    return extract(question, passages, fake_embed([question])[0], fake_embed, weights, AnswerSettings(**settings))


def test_candidates_carry_offsets_into_the_article_body() -> None:
    start = BODY.index("The harbour")
    passages = [passage(BODY, start, len(BODY), 1), passage(OTHER, 0, len(OTHER), 2, "a2")]
    candidates = candidate_sentences(passages)
    assert len(candidates) == 6
    for cand in candidates:
        body = BODY if cand.passage.article_id == "a1" else OTHER
        assert body[cand.start : cand.end] == cand.text
    assert candidates[0].text == "The harbour at Cray was closed on Friday after a storm damaged the pier."


def test_candidates_from_overlapping_passages_are_distinct() -> None:
    first = BODY.index("The harbour")
    middle = BODY.index("Harbourmaster")
    candidates = candidate_sentences([passage(BODY, first, middle + 60, 1), passage(BODY, middle, len(BODY), 2)])
    starts = [c.start for c in candidates]
    assert len(starts) == len(set(starts))


def test_lexical_coverage_is_the_idf_share_present() -> None:
    idf = {"harbour": 3.0, "cost": 1.0}
    assert lexical_coverage(idf, {"harbour", "cost"}) == 1.0
    assert lexical_coverage(idf, {"harbour"}) == 0.75
    assert lexical_coverage(idf, set()) == 0.0
    assert lexical_coverage({}, {"harbour"}) == 0.0


def test_idf_weights_rare_words_weigh_more() -> None:
    weights = idf_weights(["common", "rare", "unseen"], {"common": 90, "rare": 2}, total=100)
    assert weights["unseen"] > weights["rare"] > weights["common"] > 0


@pytest.mark.parametrize(
    ("question", "with_answer", "without"),
    [
        ("How much will the repairs cost?", "Repairs would cost 40,000 crowns.", "Repairs will be costly."),
        ("In what year did the mine open?", "The mine opened in 1884.", "The mine opened long ago."),
        ("Who is the harbourmaster?", "The harbourmaster is Oswin Hale.", "The harbourmaster is retired."),
    ],
)
def test_answer_type_match_needs_the_asked_kind(question: str, with_answer: str, without: str) -> None:
    assert answer_type_match(question, with_answer) > 0
    assert answer_type_match(question, without) == 0


def test_answer_type_match_ignores_what_the_question_already_says() -> None:
    assert answer_type_match("Who is Oswin Hale?", "Yes, Oswin Hale.") == 0


def test_extract_chooses_the_sentence_that_answers() -> None:
    start = BODY.index("The harbour")
    passages = [passage(BODY, start, len(BODY), 1), passage(OTHER, 0, len(OTHER), 2, "a2")]
    result = answer("How much would the harbour repairs cost?", passages)
    assert not result.abstained
    assert result.chosen[0].text == "Harbourmaster Oswin Hale said repairs would cost 40,000 crowns."
    assert 1 <= len(result.chosen) <= AnswerSettings().max_sentences


def test_extract_abstains_on_unrelated_evidence() -> None:
    passages = [passage(OTHER, 0, len(OTHER), 1, "a2")]
    result = answer("Which striker scored the winning goal in the cup final?", passages)
    assert result.abstained and result.chosen == [] and result.reason


def test_extract_abstains_without_passages() -> None:
    assert answer("Anything at all?", []).abstained


def test_extract_respects_max_sentences() -> None:
    start = BODY.index("The harbour")
    passages = [passage(BODY, start, len(BODY), 1)]
    result = answer("harbour pier storm repairs cost boats ferry", passages, max_sentences=1, abstain_below=0.0)
    assert len(result.chosen) == 1


def test_compose_marks_every_sentence_and_keeps_offsets() -> None:
    start = BODY.index("The harbour")
    passages = [passage(BODY, start, len(BODY), 1), passage(OTHER, 0, len(OTHER), 2, "a2")]
    candidates = candidate_sentences(passages)
    chosen = [candidates[1], candidates[4]]
    text, citations = compose(chosen)
    assert text == f"{chosen[0].text} [1] {chosen[1].text} [2]"
    assert [c.n for c in citations] == [1, 2]
    for cand, citation in zip(chosen, citations, strict=True):
        body = BODY if citation.article_id == "a1" else OTHER
        assert citation.quote == body[citation.start : citation.end] == cand.text
        assert citation.source == cand.passage.source and citation.title == cand.passage.title
        assert citation.passage_rank == cand.passage.rank
    assert len(re.findall(r"\[\d+\]", text)) == len(citations)


def test_compose_nothing_is_the_abstention() -> None:
    assert compose([]) == (ABSTENTION, [])
