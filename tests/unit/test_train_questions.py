"""Our own questions: the training set (bench/train_questions.jsonl, the schema the calibration
reads) and the plain-question evaluation set (bench/easy_questions.jsonl, never fitted on); every
answer verbatim in its article (checked against ../shared when this checkout has it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import SHARED

BENCH = Path(__file__).resolve().parents[2] / "bench"
TRAIN = BENCH / "train_questions.jsonl"
EASY = BENCH / "easy_questions.jsonl"
KINDS = {"paraphrase", "attribution", "multi", "unanswerable"}


def _questions(path: Path = TRAIN) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_ids_are_unique_and_marked_as_ours() -> None:
    ids = [q["id"] for q in _questions()]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("t") for i in ids)


@pytest.mark.parametrize("question", _questions(), ids=lambda q: q["id"])
def test_each_question_has_the_fields_of_its_kind(question: dict) -> None:
    assert question["type"] in KINDS
    assert "evidence" not in question  # no article sentences copied into the repository
    if question["type"] == "unanswerable":
        assert (question["answer"], question["docs"]) == ("", [])
        assert question["near"] and question["trap"]
    else:
        assert question["answer"] and question["docs"]
    if question["type"] == "multi":
        assert len(question["answers_all"]) >= 2 and question["answer"] == question["answers_all"][0]


def test_plain_questions_are_answerable_factoids_apart_from_the_training_ones() -> None:
    plain = _questions(EASY)
    assert len({q["id"] for q in plain}) == len(plain) == 100
    assert all(q["id"].startswith("e") and q["type"] == "factoid" and q["answer"] and len(q["docs"]) == 1 for q in plain)
    assert all("evidence" not in q for q in plain)
    trained_on = {d for q in _questions() for d in q["docs"] + q.get("near", [])}
    assert trained_on.isdisjoint(d for q in plain for d in q["docs"])


@pytest.mark.parametrize("path", [TRAIN, EASY], ids=lambda p: p.name)
def test_every_answer_is_verbatim_in_a_gold_article(path: Path) -> None:
    corpus = SHARED / "corpora" / "bbc"
    if not corpus.is_dir():
        pytest.skip("../shared/corpora/bbc is not available in this checkout")
    missing = []
    for q in _questions(path):
        texts = [(corpus / d).read_text(encoding="utf-8", errors="replace") for d in q["docs"]]
        for answer in [q["answer"], *q.get("answers_all", []), *q.get("aliases", [])]:
            if answer and not any(answer in t for t in texts):
                missing.append((q["id"], answer))
    assert missing == []
