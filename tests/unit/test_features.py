"""Sentence features computed from word-piece coverage (no model: coverage rows given)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from assistant.calibration import lacks_asked_value
from assistant.features import (
    fillers,
    hedged,
    named_by_role,
    ordinal_clash,
    value_noun,
    value_window,
    weakest_coverage,
    worst_by_group,
    year_clash,
)
from assistant.mentions import Mention, regex_mentions
from assistant.query import Query, parse_question
from assistant.speakers import Speaker
from index.embedding import TokenVectors


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


def _money(sentence: str, value: str) -> Mention:
    start = sentence.index(value)
    return Mention("MONEY", value, start, start + len(value))


def test_an_estimate_does_not_answer_what_was_paid() -> None:
    query = parse_question("How much did the Brackley mill eventually sell for?")
    sentence = "Agents said the Brackley mill could fetch up to £2m at auction."
    assert hedged(query, sentence, _money(sentence, "£2m")) == 1.0


def test_a_plain_figure_is_not_hedged() -> None:
    query = parse_question("How much did the Brackley mill eventually sell for?")
    sentence = "The Brackley mill was sold for £1.6m on Friday."
    assert hedged(query, sentence, _money(sentence, "£1.6m")) == 0.0


def test_a_question_about_the_estimate_accepts_one() -> None:
    query = parse_question("How much was the Brackley mill expected to fetch?")
    sentence = "Agents said the Brackley mill could fetch up to £2m at auction."
    assert hedged(query, sentence, _money(sentence, "£2m")) == 0.0


def test_a_sentence_without_a_value_of_the_asked_kind_cannot_answer() -> None:
    assert lacks_asked_value({"typed": 1.0, "filler": 0.0, "filler_next": 0.0})
    assert not lacks_asked_value({"typed": 1.0, "filler": 0.0, "filler_next": 1.0})  # "… ," he said. / Mr X added
    assert not lacks_asked_value({"typed": 0.0, "filler": 0.0, "filler_next": 0.0})  # "why …": no value to hold


def test_only_a_match_result_fills_a_score_question() -> None:
    query = parse_question("What was the score when Cray Rovers beat Skerrin in the cup?")
    lost = "Cray Rovers played Skerrin within 24 hours of their league match."
    won = "Cray Rovers beat Skerrin 3-1 in the cup on Saturday."
    assert fillers(query, regex_mentions(lost)) == []
    assert [m.text for m in fillers(query, regex_mentions(won))] == ["3-1"]


def test_worst_covered_piece_per_part_of_speech() -> None:
    reach = np.array([0.9, 0.2, 0.8, 0.6, 0.4])
    groups = ["propn", "verb", "propn", "noun", "mod"]
    assert worst_by_group(reach, groups) == {"verb_cov": 0.2, "noun_cov": 0.6, "propn_cov": 0.8, "mod_cov": 0.4}


def test_a_part_of_speech_the_question_lacks_counts_as_covered() -> None:
    assert worst_by_group(np.array([0.3]), ["noun"]) == {"verb_cov": 1.0, "noun_cov": 0.3, "propn_cov": 1.0, "mod_cov": 1.0}
    assert worst_by_group(None, []) == dict.fromkeys(("verb_cov", "noun_cov", "propn_cov", "mod_cov"), 1.0)


@pytest.mark.parametrize(
    ("feature", "question", "sentence", "clash"),
    [
        (ordinal_clash, "Who skippered the third Cray ferry?", "Ada Rook skippered the second Cray ferry.", 1.0),
        (ordinal_clash, "Who skippered the third Cray ferry?", "Ada Rook skippered the third Cray ferry, and the second.", 0.0),
        (ordinal_clash, "Who skippered the third Cray ferry?", "Ada Rook skippered a Cray ferry.", 0.0),
        (ordinal_clash, "Who skippered the Cray ferry?", "Ada Rook skippered the second Cray ferry.", 0.0),
        (year_clash, "How many ferries sailed from Cray in 2003?", "Cray ferries made 410 sailings in 2004.", 1.0),
        (year_clash, "How many ferries sailed from Cray in 2003?", "Cray ferries made 410 sailings in 2003, up from 2002.", 0.0),
        (year_clash, "How many ferries sailed from Cray in 2003?", "Cray ferries made 410 sailings last year.", 0.0),
        (year_clash, "How many ferries sailed from Cray?", "Cray ferries made 410 sailings in 2004.", 0.0),
    ],
)
def test_a_clash_is_a_position_or_year_the_sentence_names_instead_of_the_questions(
    feature: Callable[[Query, str], float], question: str, sentence: str, clash: float,
) -> None:
    assert feature(parse_question(question), sentence) == clash


@pytest.mark.parametrize(("question", "role", "by_role"), [
    ("Who is the secretary of the Lowmoor rowing union?", "The secretary of the Lowmoor rowing union", True),
    ("Who is the chief executive of Harbour Bank?", "chief executive", True),
    ("Who coached the Cray rowing crew that won the Lowmoor Cup?", "Cray's stroke", False),
    ("Who coached the Cray rowing crew?", "", False),
    ("Who is the Lowmoor harbour master who said the pier would reopen in March?", "Lowmoor's harbour master", True),
])
def test_a_speaker_introduced_by_the_asked_role_can_answer_who(question: str, role: str, by_role: bool) -> None:
    assert named_by_role(parse_question(question), Speaker("Ann Vell", 0, role)) is by_role


def _pieces(words: list[str], vectors: dict[str, list[float]]) -> TokenVectors:
    """A sentence of whole-word pieces with the given (normalised) vectors."""
    offsets, at = [], 0
    for w in words:
        offsets.append((at, at + len(w)))
        at += len(w) + 1
    rows = np.array([vectors[w] for w in words], dtype=float)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return TokenVectors(rows.mean(axis=0), words, rows, offsets)


_AXES = {"fans": [1, 0, 0], "came": [0, 1, 0], "capacity": [0, 0.2, 1], "of": [0, 0, 1], "9,000": [0.5, 0.5, 0],
         "the": [0, 0, 1], "gate": [0.3, 1, 0], "was": [0, 0, 1], "crowd": [0.95, 0.1, 0]}


def test_the_window_around_a_value_leaves_the_value_out() -> None:
    sentence = _pieces(["the", "gate", "was", "9,000"], _AXES)
    assert value_window(sentence, Mention("CARDINAL", "9,000", 13, 18), window=2) == [1, 2]


def test_the_question_noun_must_be_met_beside_the_value() -> None:
    question = _pieces(["fans", "came"], _AXES)
    groups = ["noun", "verb"]
    crowd = _pieces(["crowd", "of", "9,000"], _AXES)  # "how many fans came?": "a crowd of 9,000"
    capacity = _pieces(["capacity", "of", "9,000"], _AXES)  # the ground's size, not who came
    met = value_noun(question.token_vectors, groups, crowd, Mention("CARDINAL", "9,000", 9, 14))
    unmet = value_noun(question.token_vectors, groups, capacity, Mention("CARDINAL", "9,000", 12, 17))
    assert met > 0.9
    assert unmet < 0.1


def test_a_question_without_a_noun_is_not_held_against_the_value() -> None:
    question = _pieces(["came"], _AXES)
    sentence = _pieces(["capacity", "of", "9,000"], _AXES)
    assert value_noun(question.token_vectors, ["verb"], sentence, Mention("CARDINAL", "9,000", 12, 17)) == 1.0
