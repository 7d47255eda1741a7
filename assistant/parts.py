"""Split a question that asks about two or more stories, things or periods into its parts.

Three shapes, each answered part by part:
- coordinated clauses: "How much beer does India drink, and how much wine does China drink?"
- coordinated names: "How much did Titan and Monsanto each pay?" -> one part per company
  (found with spaCy's noun chunks; a name like "Securities and Exchange Commission" is one
  entity and is never split);
- a list after a colon: "In which courts did Apple sue: the one over X, and the one over Y?"
A part that names nothing and leans on the others ("... and how much did it take there?")
searches with the names of the question's other parts too.
"""

from __future__ import annotations

import re
from typing import Any

from assistant import nlp
from assistant.text import content_stems

_WH = r"(?:how|what|which|who|whom|whose|where|when|why|in (?:what|which)|on (?:what|which|how)|at (?:what|which)|by how|for (?:what|which|how)|from (?:what|which)|since (?:what|which))"
_CLAUSE_BREAK = re.compile(rf"(?:,|;)?\s+and\s+(?={_WH}\b)", re.I)
_SEPARATELY = re.compile(r"\b(each|both|respectively|separate|two)\b", re.I)
_COLON_LIST = re.compile(r"^(?P<base>[^:]{12,}):\s*(?P<items>.+)$")
_ITEM_BREAK = re.compile(r",?\s+and\s+(?=(?:the|a|an|his|her|its|their)\b)|;\s+", re.I)
_REFERS_BACK = re.compile(r"\b(it|its|he|him|his|she|her|they|them|their|there|this|that|these|those|each)\b", re.I)


def split_parts(question: str) -> list[str]:
    """The parts of a question, as questions; [question] when it has one part."""
    return [text for text, _ in split_parts_with_context(question)]


def split_parts_with_context(question: str) -> list[tuple[str, str]]:
    """(part, what retrieval should search for) for each part; [(question, question)] when it
    has one part. A part that leans on the others searches with their names too."""
    text = question.strip()
    lead, body = _split_lead(text)
    for splitter in (_clauses, _listed_items, _coordinated_names):
        parts = splitter(body)
        if len(parts) > 1:
            return [(_with_lead(lead, p), _with_context(lead, p, parts)) for p in parts]
    return [(question, question)]


def _with_lead(lead: str, part: str) -> str:
    return f"{lead} {part}".strip() if lead else part


def _split_lead(text: str) -> tuple[str, str]:
    """A declarative sentence before the question ("De Niro topped two charts. Which film...?")
    is context shared by every part."""
    sentences = re.split(r"(?<=[.!])\s+(?=[A-Z])", text)
    if len(sentences) > 1 and not sentences[0].rstrip().endswith("?"):
        return " ".join(sentences[:-1]), sentences[-1]
    return "", text


def _clauses(text: str) -> list[str]:
    pieces = [p.strip(" ,;") for p in _CLAUSE_BREAK.split(text) if p and p.strip(" ,;")]
    if len(pieces) < 2 or any(len(p.split()) < 3 for p in pieces):
        return [text]
    return [_as_question(p) for p in pieces]


def _listed_items(text: str) -> list[str]:
    match = _COLON_LIST.match(text)
    if not match:
        return [text]
    items = [i.strip(" ,;?") for i in _ITEM_BREAK.split(match.group("items")) if i.strip(" ,;?")]
    if len(items) < 2:
        return [text]
    base = match.group("base").strip()
    return [f"{base}: {item}?" for item in items]


_NAME = r"[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*)*"
_EACH = re.compile(rf"\b(?P<a>{_NAME})\s+and\s+(?P<b>{_NAME})\s+(?:each|both)\b")


def _coordinated_names(text: str) -> list[str]:
    """One part per conjunct of 'A and B' where both conjuncts name something (a proper noun)
    and the 'and' is not inside a named entity."""
    each = _EACH.search(text)
    if each:  # "did Harlow and Denby each pay": plain names, no parse needed
        before, after = text[: each.start()], re.sub(r"^\s*(?:each|both)\b", "", text[each.end("b") :])
        return [_tidy(before + name + after) for name in (each.group("a"), each.group("b"))]
    doc = nlp.parse(text)
    if doc is None:
        return [text]
    chunks = list(doc.noun_chunks)
    inside_entity = {t.i for e in doc.ents for t in e}
    for left, right in zip(chunks, chunks[1:], strict=False):
        between = doc[left.end : right.start]
        if [t.lower_ for t in between] != ["and"] or between[0].i in inside_entity:
            continue
        if not (_names_something(left) and _names_something(right)):
            continue
        if left.start > 0 and doc[left.start - 1].lower_ in {"between", "of", "and"}:
            continue  # "the alliance between Fiat and GM" names one thing
        possessives = _possessive(doc, left) and _possessive(doc, right)
        if not (possessives or _SEPARATELY.search(text)):
            continue  # "Kenteris and Thanou" acquitted together: one story
        right_end = _extend_possessive(doc, right)
        start, end = doc[left.start].idx, doc[right_end - 1].idx + len(doc[right_end - 1].text)
        before, after = text[:start], text[end:]
        after = re.sub(r"^\s+(?:each|both)\b", "", after)
        return [_tidy(before + conjunct + after) for conjunct in (left.text, doc[right.start : right_end].text)]
    return [text]


def _names_something(chunk: Any) -> bool:
    return any(t.pos_ == "PROPN" for t in chunk)


def _possessive(doc: Any, chunk: Any) -> bool:
    return any(t.tag_ == "POS" for t in chunk) or (chunk.end < len(doc) and doc[chunk.end].tag_ == "POS")


def _extend_possessive(doc: Any, chunk: Any) -> int:
    """'Honda' + "'s upgraded Asimo": a possessive chunk runs on to its noun."""
    end = chunk.end
    if end < len(doc) and doc[end].tag_ == "POS":
        end += 1
        while end < len(doc) and doc[end].pos_ in {"ADJ", "VERB", "NOUN", "PROPN", "NUM"} and doc[end].dep_ != "ROOT":
            end += 1
    return end


def _with_context(lead: str, part: str, parts: list[str]) -> str:
    """A part that refers back ("how much did it cost?"), or is too short to find its story
    ("what was the starting price?"), searches with the names of the other parts too."""
    text = _with_lead(lead, part)
    names_something = re.search(r"(?<!^)\b[A-Z]\w+", part)
    leans = not names_something and (_REFERS_BACK.search(part) or len(content_stems(part)) <= 3)
    if lead or not leans:
        return text
    others = [w for p in parts if p is not part for w in re.findall(r"(?<!^)\b[A-Z][\w'’-]+", p)]
    return f"{text} ({' '.join(dict.fromkeys(others))})" if others else text


def _as_question(piece: str) -> str:
    piece = piece.strip()
    piece = piece[0].upper() + piece[1:] if piece else piece
    return piece if piece.endswith("?") else piece.rstrip(".") + "?"


def _tidy(text: str) -> str:
    return re.sub(r"\s+([?,.;:])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
