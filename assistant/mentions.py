"""Mentions in sentences: amounts, numbers, dates, people, organisations (websites too), places, things.

Two taggers behind one function: spaCy's small English pipeline (named entities, the default:
it tells a person from a company from a place) and regular expressions (numbers, money,
percentages, years, capitalised names; always on, because they catch figures the statistical
tagger misses, e.g. "$15.5m"). Sentences are tagged at question time, only those that are
candidates for the answer, and each sentence once per process (a bounded cache).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from assistant import nlp
from assistant.text import STOPWORDS

_SPACY_KINDS = {
    "MONEY": "MONEY", "PERCENT": "PERCENT", "CARDINAL": "CARDINAL", "QUANTITY": "QUANTITY",
    "DATE": "DATE", "TIME": "TIME", "PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC",
    "FAC": "FAC", "NORP": "NORP", "PRODUCT": "PRODUCT", "WORK_OF_ART": "WORK_OF_ART",
    "EVENT": "EVENT", "LAW": "LAW",
}

_SCALE = r"(?:bn|m|k|million|billion|trillion|thousand|mn)"
_CURRENCY_WORDS = r"(?:dollars|pounds|euros|francs|yen|yuan|rupees|roubles|rubles|pence|p\b|cents|marks|kroner|krona|kronor|crowns)"
# a reason clause, kept beside the names and figures inside it
_REASON = re.compile(
    r"\b(?:because(?: of)?|due to|owing to|as a result of|thanks to|caused by|blamed (?:on|for)|in order to|so that|"
    r"in (?:a |an |the )?(?:dispute|row|protest|response|reaction|retaliation) (?:over|about|at|against|to|for)|"
    r"amid (?:fears|concerns|worries|claims)|over (?:fears|concerns|worries)|the reason)\b[^,.;:!?]{0,80}", re.I)
# a match result: "4-0", "17-12", "6-3 3-6 6-3" (not a season "2003-04" nor a range "1,050-1,125")
_SCORE = re.compile(r"(?<![\w.,£$€-])\d{1,3}\s?[-–]\s?\d{1,3}(?:,?\s\d{1,2}\s?[-–]\s?\d{1,2})*(?![\w%-]|[.,]\d|\s(?:years?|months?|weeks?|days?|hours?|minutes?|per|million|billion)\b)")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("MONEY", re.compile(rf"(?:US\s?|A|C|HK|NZ)?[$£€¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?{_SCALE}\b)?|\d[\d,]*(?:\.\d+)?\s?{_SCALE}?\s?(?:Swiss\s|US\s|Hong Kong\s|Australian\s|Canadian\s)?{_CURRENCY_WORDS}|\d[\d,.]*p\b", re.I)),
    ("PERCENT", re.compile(r"\d[\d,]*(?:\.\d+)?\s?(?:%|per ?cent\b|percentage points?\b)", re.I)),
    ("DATE", re.compile(r"\b(?:1[89]|20)\d\d\b(?!\s?(?:%|per|[a-z]))")),
    ("QUANTITY", re.compile(r"\d[\d,]*(?:\.\d+)?\s?(?:kW|MW|GW|kWh|km|cm|mm|m\b|metres?|meters?|miles?|kg|tonnes?|tons?|litres?|liters?|gallons?|barrels?|feet|ft|inches|degrees?|minutes?|seconds?|hours?|days?|weeks?|months?|years?|mph|km/h|bottles?|acres?|hectares?)\b", re.I)),
    ("CARDINAL", re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand|m\b|bn\b))?(?![\w%])|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundreds?|thousands?|millions?|billions?)\b", re.I)),
    ("ORG", re.compile(r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:com|org|net|info|biz|tv|co\.uk|org\.uk|gov\.uk|ac\.uk)\b", re.I)),  # a website: "latinoradio.com"
    ("NAME", re.compile(r"(?<![\w'])(?:[A-Z][\w'’&.-]*[A-Za-z]|[A-Z])(?:\s+(?:of|the|de|del|della|van|von|der|la|le|du|&|and)?\s?[A-Z][\w'’&.-]*[A-Za-z])*")),
]


@dataclass(frozen=True)
class Mention:
    """A typed span of a sentence: kind is a spaCy entity label (or NAME for a capitalised span
    the regular expressions found), start/end are offsets in the sentence."""

    kind: str
    text: str
    start: int
    end: int


class MentionTagger:
    """Tags sentences with mentions; thread-safe, with a bounded cache of tagged sentences."""

    def __init__(self, use_spacy: bool = True, cache_size: int = 20_000) -> None:
        self.use_spacy = use_spacy
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[Mention, ...]] = OrderedDict()
        self._cache_size = cache_size

    def tag(self, sentences: Sequence[str]) -> list[tuple[Mention, ...]]:
        """The mentions of each sentence, in order of their start."""
        with self._lock:
            known = {s: self._cache[s] for s in sentences if s in self._cache}
        todo = [s for s in dict.fromkeys(sentences) if s not in known]
        if todo:
            statistical = nlp.entities(todo) if self.use_spacy else None
            for i, sentence in enumerate(todo):
                found = [Mention(_SPACY_KINDS[label], text, start, end) for label, text, start, end
                         in (statistical[i] if statistical else []) if label in _SPACY_KINDS]
                known[sentence] = _merge(found, regex_mentions(sentence))
            with self._lock:
                self._cache.update((s, known[s]) for s in todo)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return [known[s] for s in sentences]


def regex_mentions(sentence: str) -> list[Mention]:
    """Numbers, money, percentages, years and capitalised names found by regular expressions."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            text = match.group(0).strip()
            if not text or any(s < end and start < e for s, e in taken):
                continue
            if kind == "NAME" and (start == 0 or sentence[max(0, start - 2) : start].strip() in {".", '"', "“", "‘", "'"}):
                # a capitalised first word is a name only when it is no English word ("Harlow", not "Fishermen")
                first, _, rest = text.partition(" ")
                if _is_word(first):
                    if not rest:
                        continue
                    start += len(first) + 1
                    text = rest
            found.append(Mention(kind, text, start, start + len(text)))
            taken.append((start, end))
    found.extend(Mention("SCORE", m.group(0), m.start(), m.end()) for m in _SCORE.finditer(sentence))
    for match in _REASON.finditer(sentence):
        clause = match.group(0).rstrip()  # the match starts at a word; trailing spaces dropped
        found.append(Mention("REASON", clause, match.start(), match.start() + len(clause)))
    return sorted(found, key=lambda m: m.start)


def _is_word(token: str) -> bool:
    """Whether a capitalised token is an ordinary English word (or a stop word)."""
    from lemminflect import getAllLemmas

    low = token.lower().strip("'’")
    return len(low) < 3 or bool(getAllLemmas(low)) or low in STOPWORDS


def _merge(statistical: list[Mention], regex: list[Mention]) -> tuple[Mention, ...]:
    """spaCy's entities, plus regex mentions that overlap none of them (figures it missed) and
    every reason clause and match score;
    a regex MONEY/PERCENT overrides a spaCy figure it covers when it is longer ("£40,000" read
    as "40,000") or says what spaCy's label does not ("79p" read as a number or a date)."""
    kept: list[Mention] = []
    for mention in statistical:
        better = next((r for r in regex if r.kind in {"MONEY", "PERCENT"}
                       and mention.kind in {"CARDINAL", "QUANTITY", "DATE", "MONEY", "PERCENT"}
                       and r.start <= mention.start and mention.end <= r.end
                       and (len(r.text) > len(mention.text) or r.kind != mention.kind)), None)
        kept.append(better or mention)
    for mention in regex:
        if mention.kind in {"REASON", "SCORE"} or not any(m.start < mention.end and mention.start < m.end for m in kept):
            kept.append(mention)
    return tuple(sorted(dict.fromkeys(kept), key=lambda m: m.start))
