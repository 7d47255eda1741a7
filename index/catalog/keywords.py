"""Keyword text for PostgreSQL full-text search, tokenised like SQLite's FTS5
`porter unicode61`: runs of letters and digits, lower-cased, diacritics removed, Porter stems.

Stemming here (not with PostgreSQL's 'english' configuration, a Snowball "Porter2") keeps
the lexemes identical to the stems the read path computes for its IDF weights.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence

import snowballstemmer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_POSITION = 16383  # PostgreSQL keeps positions 1..16383
_local = threading.local()  # a Snowball stemmer is not thread-safe: one per thread


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("porter")
    return stemmer


def lexemes(text: str) -> list[str]:
    """Porter stems of the words of text, in order, e.g. 'Café owners' -> ['cafe', 'owner']."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = _TOKEN.findall(folded)
    return [stem or word for stem, word in zip(_stemmer().stemWords(words), words, strict=True)]  # 's' stems to ''



def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str, title: str) -> tuple[str, set[str]]:
    """A tsvector literal of a chunk (text words weighted A, title words B) and its lexemes.

    e.g. text 'Ships sail', title 'Port' -> "'ship':1A 'sail':2A 'port':3B"
    """
    positions: dict[str, list[str]] = {}
    words = [(w, "A") for w in lexemes(text)] + [(w, "B") for w in lexemes(title)]
    for number, (word, weight) in enumerate(words, start=1):
        positions.setdefault(word, []).append(f"{min(number, _MAX_POSITION)}{weight}")
    literal = " ".join(f"{_quote(word)}:{','.join(places[:256])}" for word, places in positions.items())
    return literal, set(positions)


def tsquery_literal(terms: Iterable[str]) -> str | None:
    """A tsquery literal OR-ing the stems of the terms; None when there are none.

    e.g. ['harbour', 'banks'] -> "'harbour' | 'bank'"
    """
    stems = dict.fromkeys(s for term in terms for s in lexemes(term))
    return " | ".join(_quote(s) for s in stems) or None


def count_lexemes(sets: Sequence[set[str]]) -> dict[str, int]:
    """How many of the sets hold each lexeme (document frequencies of a batch)."""
    counts: dict[str, int] = {}
    for found in sets:
        for word in found:
            counts[word] = counts.get(word, 0) + 1
    return counts
