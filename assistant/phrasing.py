"""Sentences Newsdesk writes itself: "The articles don't say how much the Harlow Trust paid."

A question becomes an indirect question by undoing its inversion ("did X pay" -> "X paid",
"was X awarded" -> "X was awarded"); lemminflect knows which words can be verbs and inflects
them. When the question is not one of these simple shapes, it is quoted as asked.
"""

from __future__ import annotations

_DO = {"do", "does", "did"}
_MOVABLE = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could",
            "should", "may", "might", "must", "shall"}


def not_stated(question: str) -> str:
    """The sentence saying the articles do not answer a question."""
    indirect = indirect_question(question)
    if indirect:
        return f"The articles don't say {indirect}."
    return f'The articles don\'t answer "{question.strip()}"'


def not_found(question: str) -> str:
    """The sentence saying nothing in the archive is about the question's subject."""
    return "I couldn't find that in the indexed articles."


def indirect_question(question: str) -> str | None:
    """'How much did the Harlow Trust pay for the mill?' -> 'how much the Harlow Trust paid
    for the mill'; None when the question's shape is not a simple inversion."""
    text = question.strip().rstrip("?").strip()
    tokens = text.split()
    if not tokens or tokens[0].lower() not in _WH_OPENERS:
        return None
    aux_at = next((i for i, t in enumerate(tokens[:8]) if t.lower() in _DO | _MOVABLE), None)
    if aux_at is None or aux_at == 0:
        return _lower_first(text)  # "who won ...", "which film won ...": no inversion
    aux = tokens[aux_at]
    predicate = next((i for i in range(aux_at + 2, len(tokens)) if tokens[i].lower() in _PREDICATES), None)
    verb_at = predicate if predicate is not None and aux.lower() not in _DO else _main_verb(tokens, aux_at + 1)
    if aux.lower() in _DO:
        if verb_at is None:
            return None
        out = tokens[:aux_at] + tokens[aux_at + 1 : verb_at] + [_inflect(tokens[verb_at], aux.lower())] + tokens[verb_at + 1 :]
        return _lower_first(" ".join(out))
    if verb_at is None:
        clause_end = next((i for i, t in enumerate(tokens) if i > aux_at and t.endswith(",")), len(tokens) - 1)
        if clause_end <= aux_at + 1:
            return None
        last = tokens[clause_end]
        comma = last.endswith(",")
        tokens[clause_end] = last.rstrip(",") + " " + aux + ("," if comma else "")
        return _lower_first(" ".join(tokens[:aux_at] + tokens[aux_at + 1 :]))
    while verb_at - 1 > aux_at + 1 and (tokens[verb_at - 1].lower().endswith("ly") or tokens[verb_at - 1].lower() in {"be", "been", "being", "have"}):
        verb_at -= 1  # "Ada Rook was finally awarded": the adverb stays after the auxiliary
    out = tokens[:aux_at] + tokens[aux_at + 1 : verb_at] + [aux] + tokens[verb_at:]
    return _lower_first(" ".join(out))


_WH_OPENERS = {"how", "what", "which", "who", "whom", "whose", "where", "when", "why", "in", "at", "on",
               "by", "for", "from", "since", "to"}
_STOPS = {"in", "on", "at", "for", "during", "to", "with", "from", "by", "about", "over", "down", "up",
          "into", "towards", "toward", "when", "while", "after", "before", "since", "between", "of", "as",
          "than", "against", "under", "through", "out", "off", "back"}
_PREDICATES = {"due", "expected", "set", "likely", "going", "able", "about", "supposed", "scheduled"}
_DETERMINERS = {"the", "a", "an", "its", "his", "her", "their", "this", "that", "these", "those"}


def _main_verb(tokens: list[str], start: int) -> int | None:
    """The main verb after an inverted auxiliary: per spaCy's parse, the first base-form verb
    after the subject ("did ferry crews on the route walk out" -> walk); else the last
    lower-case word that can be a verb before the first preposition following the subject
    ("the IRB Rugby Aid match raise for")."""
    parsed = _verb_after_subject(tokens, start)
    if parsed is not None:
        return parsed
    found = None
    for i in range(start, len(tokens)):
        word = tokens[i].strip(",;:'\"").lower()
        if i > start and word in _STOPS:
            break
        inside_name = tokens[i - 1][:1].isupper() and i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
        if tokens[i][:1].islower() and tokens[i - 1].lower() not in _DETERMINERS and not inside_name and _can_be_verb(word):
            found = i  # ("Chief engineer Tomas Brandt": a title, not a verb)
        if tokens[i].endswith(","):
            break
    return found


def _verb_after_subject(tokens: list[str], start: int) -> int | None:
    """The index in tokens of the first base-form verb after the subject per spaCy, if it is
    at or after start."""
    from assistant import nlp

    text = " ".join(tokens)
    doc = nlp.parse(text)
    if doc is None:
        return None
    subject = next((t.i for t in doc if t.dep_ in {"nsubj", "nsubjpass"}), None)
    if subject is None:
        return None
    verb = next((t for t in doc[subject + 1 :] if t.tag_ == "VB" and t.text[:1].islower()), None)
    if verb is None:
        return None
    at = text.count(" ", 0, verb.idx)  # tokens are the text's space-separated words
    return at if at >= start else None


def _can_be_verb(word: str) -> bool:
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word) or "AUX" in getAllLemmas(word)


def _inflect(word: str, do: str) -> str:
    from lemminflect import getAllLemmas, getInflection

    tag = {"did": "VBD", "does": "VBZ"}.get(do)
    lemmas = getAllLemmas(word.lower()).get("VERB")
    if tag is None or not lemmas:
        return word
    forms = getInflection(lemmas[0], tag)
    return forms[0] if forms else word


def _lower_first(text: str) -> str:
    first, _, rest = text.partition(" ")
    if first.isupper() and len(first) > 1:
        return text
    return first.lower() + (" " + rest if rest else "")
