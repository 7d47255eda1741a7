"""Words, stems and keyword queries, normalised the way the FTS5 porter tokenizer does."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("porter")  # the algorithm of FTS5's 'porter' tokenizer
# question words that carry no topic ("who said", "how many")
_QUESTION_WORDS = {"did", "does", "say", "said", "according", "tell", "told", "many", "much"}
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | _QUESTION_WORDS


def words(text: str) -> list[str]:
    """Lower-cased word tokens (unicode letters and digits)."""
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter stem of a lower-cased word."""
    return _STEMMER.stemWord(word)


def content_stems(text: str) -> list[str]:
    """Stems of the non-stopword words of text, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            stemmed = stem(word)
            if stemmed:
                seen.setdefault(stemmed)
    return list(seen)


def stem_set(text: str) -> set[str]:
    """All stems of text (stopwords included), for overlap tests."""
    return {stem(w) for w in words(text)}


def fts_query(text: str, max_terms: int = 32) -> str | None:
    """An FTS5 MATCH expression OR-ing the content words of text; None if it has none."""
    terms = [w for w in dict.fromkeys(words(text)) if w not in STOPWORDS][:max_terms]
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
