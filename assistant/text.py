"""Words, stems and keyword queries, normalised the way the FTS5 porter tokenizer does."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("porter")  # the algorithm of FTS5's 'porter' tokenizer

# The Snowball project's English stop word list (snowballstem.org/algorithms/english/stop.txt),
# kept here as data: importing a library for it cost a second at every CLI start.
_SNOWBALL_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing would should
could ought i'm you're he's she's it's we're they're i've you've we've they've i'd you'd he'd
she'd we'd they'd i'll you'll he'll she'll we'll they'll isn't aren't wasn't weren't hasn't
haven't hadn't doesn't don't didn't won't wouldn't shan't shouldn't can't cannot couldn't
mustn't let's that's who's what's here's there's when's where's why's how's a an the and but if
or because as until while of at by for with about against between into through during before
after above below to from up down in out on off over under again further then once here there
when where why how all any both each few more most other some such no nor not only own same so
than too very
"""
# question words that carry no topic ("who said", "how many"), and contraction leftovers
_QUESTION_WORDS = """did does say said says according tell told many much s t can will just also
would could"""
STOPWORDS = frozenset(_SNOWBALL_STOP.split()) | frozenset(_QUESTION_WORDS.split())


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


def keyword_terms(text: str, max_terms: int = 32) -> list[str]:
    """The content words of text for the keyword search (the catalog ORs and quotes them)."""
    return [w for w in dict.fromkeys(words(text)) if w not in STOPWORDS][:max_terms]
