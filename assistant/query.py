"""A question parsed once: words, stems, the keyword query, what it asks for, its named
constraints, its time words and its parts. Retrieval, both answerers and the citation check
read this object instead of re-tokenising the question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant import nlp
from assistant.parts import split_parts_with_context
from assistant.slots import AskedFor, Slot, asked_for
from assistant.text import STOPWORDS, content_stems, keyword_terms, stem, words
from assistant.timewords import TimeScope, parse_time_words

YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
"""A year written out (1800-2099), as questions and sentences name one."""
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# capitalised words after the first word, joined into names ("Jose Leibovich", "Tate & Lyle")
_NAME = re.compile(r"(?<![\w'])[A-Z][\w'’&.-]*(?:\s+(?:of|the|de|van|von|&)?\s?[A-Z][\w'’&.-]*)*")
_QUESTION_OPENERS = {"how", "what", "which", "who", "whom", "whose", "where", "when", "why", "in", "on", "at",
                     "by", "for", "from", "to", "and", "but", "after", "before", "during", "since", "roughly",
                     "according", "across", "near", "besides", "tory", "is", "are", "was", "were", "did", "does", "do"}


@dataclass(frozen=True)
class Query:
    """What a question says and asks for."""

    text: str
    search_text: str  # what retrieval searches for: the text, with a follow-up's carried words
    stems: tuple[str, ...]  # content stems of text, in order, without repeats
    keywords: tuple[str, ...]  # the words of search_text the keyword search looks for
    asked: AskedFor
    names: tuple[str, ...]  # named constraints, as written ("Titan", "Securities and Exchange Commission")
    entities: tuple[str, ...]  # names of people, organisations, places, works, products, events (spaCy)
    years: tuple[str, ...]
    numbers: tuple[str, ...]
    time: TimeScope = field(default_factory=TimeScope)
    parts: tuple[Query, ...] = ()  # sub-questions when the question asks about several stories/things

    @property
    def slot(self) -> Slot:
        """The kind of answer asked for."""
        return self.asked.slot

    @property
    def name_stems(self) -> set[str]:
        """Stems of the words of the named constraints."""
        return {stem(w) for name in self.names for w in words(name) if w not in STOPWORDS}

    @property
    def is_multi_part(self) -> bool:
        """True when the question has two or more parts to answer."""
        return len(self.parts) > 1


def parse_question(
    text: str, search_text: str | None = None, reference: date | None = None,
    events: dict[str, date] | None = None, split: bool = True,
) -> Query:
    """Parse a question (and, when split, its parts, each a Query of its own).

    reference: the date relative time words count back from (the archive's newest article).
    """
    search_text = search_text or text
    time = parse_time_words(search_text, reference, events or {}) if reference else TimeScope()
    parts: tuple[Query, ...] = ()
    if split:
        pieces = split_parts_with_context(text)
        if len(pieces) > 1:
            parts = tuple(parse_question(p, search, reference, events, split=False) for p, search in pieces)
    return Query(
        text=text, search_text=search_text, stems=tuple(content_stems(text)), keywords=tuple(keyword_terms(search_text)),
        asked=asked_for(text), names=tuple(named_constraints(text)), entities=tuple(named_entities(text)), years=tuple(YEAR.findall(text)),
        numbers=tuple(n for n in _NUMBER.findall(text) if not YEAR.fullmatch(n)), time=time, parts=parts,
    )


_ENTITY_KINDS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"}


def named_entities(text: str) -> list[str]:
    """The question's names of people, organisations, places, products, works and events (not
    nationalities, dates or figures): an article that answers names at least one of them."""
    doc = nlp.parse(text)
    if doc is None:
        return [n for n in named_constraints(text) if " " in n]
    return list(dict.fromkeys(e.text.strip(" .'’") for e in doc.ents if e.label_ in _ENTITY_KINDS and e.text.strip()))


def named_constraints(text: str) -> list[str]:
    """Capitalised names of a question, without its opening word or wh-words."""
    names = []
    for match in _NAME.finditer(text):
        name = match.group(0).strip(" .'’")
        tokens = name.split()
        while tokens and tokens[0].lower() in _QUESTION_OPENERS | STOPWORDS and match.start() == text.find(tokens[0]):
            tokens = tokens[1:]
        while tokens and tokens[0].lower() in {"which", "what", "who", "how", "where", "when", "why", "the", "and", "in"}:
            tokens = tokens[1:]
        if tokens:
            names.append(" ".join(tokens))
    return list(dict.fromkeys(names))
