"""Follow-up questions made standalone without an LLM."""

from __future__ import annotations

import pytest

from assistant.followup import is_follow_up, previous_questions, standalone_question


def test_previous_questions_from_pairs_and_messages() -> None:
    assert previous_questions([("First?", "A."), ("Second?", "B.")]) == ["First?", "Second?"]
    messages = [
        {"role": "user", "content": "First?"},
        {"role": "assistant", "content": "A."},
        {"role": "user", "content": "Second?"},
    ]
    assert previous_questions(messages) == ["First?", "Second?"]
    assert previous_questions([]) == []


@pytest.mark.parametrize(
    "question",
    ["And what did the chairman say?", "What about the ferry?", "Why?", "How much did it cost them?"],
)
def test_follow_ups(question: str) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who was appointed chief executive of the Harbour Bank of Port Elwin?",
        "How many miners will lose their jobs at the Kessel tin mine?",
    ],
)
def test_standalone_questions(question: str) -> None:
    assert not is_follow_up(question)


def test_follow_up_carries_the_previous_keywords() -> None:
    history = [("Who runs the Harbour Bank of Port Elwin?", "Marta Quill [1]")]
    rewritten = standalone_question("And what did the chairman say?", history)
    assert rewritten.startswith("And what did the chairman say?")
    for word in ("Harbour", "Bank", "Port", "Elwin"):
        assert word in rewritten
    assert "Who" not in rewritten.split("?", 1)[1]  # stopwords are not carried


def test_standalone_question_is_left_alone() -> None:
    history = [("Who runs the Harbour Bank?", "Marta Quill [1]")]
    question = "How many miners will lose their jobs at the Kessel tin mine?"
    assert standalone_question(question, history) == question
    assert standalone_question("And the ferry?", []) == "And the ferry?"
