"""Reciprocal rank fusion, the per-article cap and the keyword query."""

from __future__ import annotations

import pytest

from assistant.retrieval import cap_per_article, reciprocal_rank_fusion
from assistant.text import content_stems, keyword_terms, words


def test_rrf_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["c", "x", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["x"] == pytest.approx(1 / 62)


def test_rrf_orders_best_first_and_breaks_ties_by_id() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "x", "a"]], k=60)
    assert [item for item, _ in fused] == ["a", "c", "b", "x"]
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)


def test_rrf_agreement_beats_a_single_first_place() -> None:
    fused = reciprocal_rank_fusion([["solo", "both"], ["other", "both"]], k=1)
    assert fused[0][0] == "both"  # 1/3 + 1/3 > 1/2


def test_rrf_of_nothing() -> None:
    assert reciprocal_rank_fusion([[], []]) == []


def test_cap_per_article_keeps_order() -> None:
    ranked = [("a:0", 0.9), ("a:1", 0.8), ("b:0", 0.7), ("a:2", 0.6), ("c:0", 0.5), ("b:1", 0.4)]
    article_of = {chunk: chunk.split(":")[0] for chunk, _ in ranked}
    kept = cap_per_article(ranked, article_of, cap=2)
    assert [c for c, _ in kept] == ["a:0", "a:1", "b:0", "c:0", "b:1"]
    assert [c for c, _ in cap_per_article(ranked, article_of, cap=1)] == ["a:0", "b:0", "c:0"]


def test_keyword_terms_are_the_content_words() -> None:
    assert keyword_terms("Who is the new chief of the Harbour Bank?") == ["new", "chief", "harbour", "bank"]
    assert keyword_terms('What did "they" say?') == []  # only stopwords
    assert keyword_terms("") == []
    assert keyword_terms(" ".join(f"w{i}" for i in range(100)), max_terms=5) == ["w0", "w1", "w2", "w3", "w4"]


def test_words_and_stems() -> None:
    assert words("Port Elwin's £3.2m") == ["port", "elwin", "s", "3", "2m"]
    assert content_stems("Closing the mines, closed mine") == ["close", "mine"]
