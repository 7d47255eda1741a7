"""Make a follow-up question standalone without an LLM: carry the keywords of the previous
question when the new one leans on it ("And what did the NATO chief say?")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import STOPWORDS, words

History = Sequence[tuple[str, str]] | Sequence[dict[str, str]]
"""(question, answer) pairs, or chat messages {'role': 'user'|'assistant', 'content': ...}."""

_OPENS_FOLLOW_UP = re.compile(r"^\s*(and|but|also|so|what about|how about|then)\b", re.IGNORECASE)
_REFERS_BACK = re.compile(
    r"\b(he|she|it|they|them|him|his|her|their|this|that|these|those|there|the same|else|"
    r"again|other|another)\b",
    re.IGNORECASE,
)
_NAMED = re.compile(r"(?<!^)\b[A-Z][\w'-]+")


def previous_questions(history: History) -> list[str]:
    """The user's earlier questions, oldest first."""
    questions = []
    for turn in history:
        if isinstance(turn, dict):
            if turn.get("role") == "user" and isinstance(turn.get("content"), str):
                questions.append(turn["content"])
        elif turn:
            questions.append(str(turn[0]))
    return questions


def is_follow_up(question: str) -> bool:
    """A question that leans on its history: it opens with 'And'/'What about', is very
    short, or refers back with a pronoun while naming nothing itself."""
    if _OPENS_FOLLOW_UP.search(question) or len(words(question)) <= 4:
        return True
    return bool(_REFERS_BACK.search(question)) and not _NAMED.search(question.strip())


def standalone_question(question: str, history: History) -> str:
    """The question plus the previous question's keywords, when it is a follow-up."""
    earlier = previous_questions(history)
    if not earlier or not is_follow_up(question):
        return question
    own = set(words(question))
    carried = [w for w in dict.fromkeys(re.findall(r"\w+", earlier[-1]))
               if w.lower() not in STOPWORDS and w.lower() not in own]
    return f"{question} ({' '.join(carried)})" if carried else question
