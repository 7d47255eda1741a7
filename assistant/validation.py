"""Checks of what callers hand the read path: the question, k, the history and filter text.

Called at every boundary (the Python API, the CLI through it, the web API) so that bad input
is an InvalidQuestionError with a one-line message, never an error deep inside a tokenizer,
SQLite or a slice. Text must encode as UTF-8: a lone surrogate (what Python makes of invalid
UTF-8 on a command line, or a JSON "\\ud800") is refused here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from annotated_types import Ge, Le

from assistant.errors import InvalidQuestionError
from assistant.settings import RetrievalSettings


def check_text(value: object, name: str) -> str:
    """value if it is a str that encodes as UTF-8; InvalidQuestionError otherwise."""
    if not isinstance(value, str):
        raise InvalidQuestionError(f"{name} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidQuestionError(
            f"{name} is not valid text: character {error.start + 1} is not UTF-8 "
            f"({value[error.start]!r}, e.g. from invalid UTF-8 bytes)"
        ) from None
    return value


def check_optional_text(value: object, name: str) -> str | None:
    """None or '' -> None; else check_text (filters such as outlet and topic)."""
    return None if value is None or value == "" else check_text(value, name)


def check_question(question: object, max_chars: int) -> str:
    """The question, stripped: text, not empty, at most max_chars characters."""
    text = check_text(question, "the question").strip()
    if not text:
        raise InvalidQuestionError("the question is empty: ask something about the articles")
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,} "
            "(NEWSDESK_ANSWER__MAX_QUESTION_CHARS)"
        )
    return text


def k_bounds() -> tuple[int, int]:
    """The smallest and largest k the settings allow (RetrievalSettings.k: 1..50)."""
    metadata = RetrievalSettings.model_fields["k"].metadata
    low = next(cast(int, m.ge) for m in metadata if isinstance(m, Ge))
    high = next(cast(int, m.le) for m in metadata if isinstance(m, Le))
    return low, high


def check_k(k: object) -> int | None:
    """None (the settings' k) or a whole number within k_bounds(); 5.0 counts as 5 (web
    forms send numbers as floats), 2.5, -5, "abc", True and 10**9 do not."""
    if k is None:
        return None
    low, high = k_bounds()
    whole = isinstance(k, int) or (isinstance(k, float) and k.is_integer())
    if isinstance(k, bool) or not whole or not low <= k <= high:  # type: ignore[operator]
        raise InvalidQuestionError(f"k={k!r}: the number of passages must be a whole number from {low} to {high}")
    return int(k)  # type: ignore[call-overload]


def check_history(history: object) -> list[Any]:
    """A conversation: (question, answer) pairs or {'role': ..., 'content': ...} messages, all text."""
    if history is None:
        return []
    if isinstance(history, str | bytes | Mapping) or not isinstance(history, Sequence):
        raise InvalidQuestionError(
            "history must be a list of [question, answer] pairs or {role, content} messages"
        )
    turns: list[Any] = []
    for n, turn in enumerate(history, start=1):
        if isinstance(turn, Mapping):
            role, content = turn.get("role"), turn.get("content")
            if role not in ("user", "assistant"):
                raise InvalidQuestionError(f"history message {n}: role must be 'user' or 'assistant'")
            turns.append({"role": role, "content": check_text(content, f"history message {n}")})
        elif isinstance(turn, Sequence) and not isinstance(turn, str | bytes) and len(turn) == 2:
            turns.append((check_text(turn[0], f"history turn {n}"), check_text(turn[1], f"history turn {n}")))
        else:
            raise InvalidQuestionError(f"history turn {n} must be a [question, answer] pair of text")
    return turns
