"""Input checks at the boundary (assistant/validation.py): one-line InvalidQuestionErrors."""

from __future__ import annotations

import pytest

from assistant import InvalidQuestionError
from assistant.validation import check_history, check_k, check_question, check_text


@pytest.mark.parametrize(("k", "expected"), [(None, None), (1, 1), (50, 50), (7, 7), (5.0, 5)])
def test_valid_k(k: object, expected: int | None) -> None:
    assert check_k(k) == expected


@pytest.mark.parametrize("k", ["abc", "5", 2.5, -5, 0, 51, 10**9, True, [3], float("nan")])
def test_invalid_k_is_refused_with_the_bounds(k: object) -> None:
    with pytest.raises(InvalidQuestionError) as refused:
        check_k(k)
    assert str(refused.value) == f"k={k!r}: the number of passages must be a whole number from 1 to 50"


def test_a_lone_surrogate_is_refused_where_it_is() -> None:
    with pytest.raises(InvalidQuestionError) as refused:
        check_question("Who paid \udcff?", 2000)  # what Python makes of the byte 0xff in argv
    assert str(refused.value) == (
        "the question is not valid text: character 10 is not UTF-8 ('\\udcff', e.g. from invalid UTF-8 bytes)"
    )


@pytest.mark.parametrize(("value", "kind"), [(42, "int"), (None, "NoneType"), (["who?"], "list"), (b"who?", "bytes")])
def test_a_question_that_is_not_text(value: object, kind: str) -> None:
    with pytest.raises(InvalidQuestionError) as refused:
        check_question(value, 2000)
    assert str(refused.value) == f"the question must be text, not {kind}"


def test_question_is_stripped_and_bounded() -> None:
    assert check_question("  Who?  ", 10) == "Who?"
    with pytest.raises(InvalidQuestionError, match="^the question is empty"):
        check_question(" \n ", 10)
    with pytest.raises(InvalidQuestionError, match="^the question is 11 characters long; the limit is 10 "):
        check_question("w" * 11, 10)


def test_text_checks_name_the_field() -> None:
    assert check_text("Harbour Gazette", "outlet") == "Harbour Gazette"
    with pytest.raises(InvalidQuestionError, match=r"^outlet must be text, not int$"):
        check_text(3, "outlet")


def test_history_pairs_and_messages() -> None:
    assert check_history(None) == []
    assert check_history([["Who?", "Ruiz [1]"]]) == [("Who?", "Ruiz [1]")]
    messages = [{"role": "user", "content": "Who?"}, {"role": "assistant", "content": "Ruiz"}]
    assert check_history(messages) == messages


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("Who?", "history must be a list of [question, answer] pairs or {role, content} messages"),
        ({"role": "user"}, "history must be a list of [question, answer] pairs or {role, content} messages"),
        ([["only a question"]], "history turn 1 must be a [question, answer] pair of text"),
        ([["q", "a"], 7], "history turn 2 must be a [question, answer] pair of text"),
        ([["q", 7]], "history turn 1 must be text, not int"),
        ([{"role": "system", "content": "x"}], "history message 1: role must be 'user' or 'assistant'"),
        ([{"role": "user", "content": "\ud800"}], "history message 1 is not valid text: character 1 is not UTF-8"),
    ],
)
def test_bad_history_is_refused(history: object, message: str) -> None:
    with pytest.raises(InvalidQuestionError) as refused:
        check_history(history)
    assert str(refused.value).startswith(message)
