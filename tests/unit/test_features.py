"""Sentence features computed from word-piece coverage (no model: coverage rows given)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.features import weakest_coverage


def test_weakest_is_the_mean_of_the_two_worst_covered_question_pieces() -> None:
    assert weakest_coverage(np.array([0.9, 0.8, 0.2, 0.4]), []) == pytest.approx(0.3)


def test_a_neighbour_covers_what_the_sentence_lacks() -> None:
    sentence = np.array([0.9, 0.8, 0.2, 0.4])
    before, after = np.array([0.1, 0.1, 0.7, 0.1]), np.array([0.1, 0.1, 0.1, 0.6])
    assert weakest_coverage(sentence, [before, after]) == pytest.approx(0.65)
    assert weakest_coverage(sentence, [None, after]) == pytest.approx(0.4)


def test_nothing_to_cover_is_zero() -> None:
    assert weakest_coverage(None, []) == 0.0
    assert weakest_coverage(np.array([]), []) == 0.0
