"""Keyword text for PostgreSQL full-text search, tokenised like SQLite's FTS5
`porter unicode61`: runs of letters and digits, lower-cased, diacritics removed, Porter stems.

Stemming here (not with PostgreSQL's 'english' configuration, a Snowball "Porter2") keeps
the lexemes identical to the stems the read path computes for its IDF weights.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence

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
    return [stem for stem, _ in word_forms(text)]


def word_forms(text: str) -> list[tuple[str, str]]:
    """(Porter stem, folded word) of each word of text: 'Café owners' -> [('cafe', 'cafe'),
    ('owner', 'owners')]. SQLite's FTS5 stores one of the two (it leaves words under three
    letters unstemmed: 'us', where the stemmer gives 'u')."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = _TOKEN.findall(folded)
    return [(stem or word, word) for stem, word in zip(_stemmer().stemWords(words), words, strict=True)]  # 's' stems to ''



def quote_lexeme(lexeme: str) -> str:
    """A lexeme as a quoted tsvector/tsquery literal: nothing in it is syntax."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str, title: str) -> tuple[str, set[str]]:
    """A tsvector literal of a chunk (text words weighted A, title words B) and its lexemes.

    e.g. text 'Ships sail', title 'Port' -> "'ship':1A 'sail':2A 'port':3B"
    """
    positions: dict[str, list[str]] = {}
    words = [(w, "A") for w in lexemes(text)] + [(w, "B") for w in lexemes(title)]
    for number, (word, weight) in enumerate(words, start=1):
        positions.setdefault(word, []).append(f"{min(number, _MAX_POSITION)}{weight}")
    literal = " ".join(f"{quote_lexeme(word)}:{','.join(places[:256])}" for word, places in positions.items())
    return literal, set(positions)


def count_lexemes(sets: Sequence[set[str]]) -> dict[str, int]:
    """How many of the sets hold each lexeme (document frequencies of a batch)."""
    counts: dict[str, int] = {}
    for found in sets:
        for word in found:
            counts[word] = counts.get(word, 0) + 1
    return counts


def candidate_queries(frequencies: Mapping[str, int], budget: int, least: int) -> tuple[list[str], int]:
    """Where a keyword search finds the chunks it ranks: tsqueries to take chunks from, in
    order (no chunk matches two of them), and how many chunks to take in all (at most budget).

    Rarest stems first. The stems whose document frequencies add up to at most budget make the
    first query, and as many chunks as they hold are taken, at least `least`: df {year: 21524,
    fiat: 133, motor: 97}, budget 2000 -> ["'motor' | 'fiat'", "'year' & !('motor' | 'fiat')"],
    230. Each commoner stem's other chunks come next, reached only when the queries before
    find fewer (a filter, or fewer than `least`). When even the rarest stem is over budget,
    budget chunks, those holding the two rarest first: {year: 21524, rate: 5210} ->
    ["'rate' & 'year'", "'rate' & !'year'", "'year' & !('rate')"], 2000. Stems in no chunk
    are left out.
    """
    ordered = sorted((s for s in frequencies if frequencies[s] > 0), key=lambda s: (frequencies[s], s))
    if not ordered:
        return [], 0
    quoted = [quote_lexeme(s) for s in ordered]
    rare, spent = 0, 0
    while rare < len(ordered) and spent + frequencies[ordered[rare]] <= budget:
        spent += frequencies[ordered[rare]]
        rare += 1
    if rare:
        queries, take = [" | ".join(quoted[:rare])], min(budget, max(spent, least))
    elif len(quoted) == 1:
        return quoted, budget
    else:  # even the rarest is over budget
        queries, take, rare = [f"{quoted[0]} & {quoted[1]}", f"{quoted[0]} & !{quoted[1]}"], budget, 1
    queries += [f"{quoted[i]} & !({' | '.join(quoted[:i])})" for i in range(rare, len(quoted))]
    return queries, take
