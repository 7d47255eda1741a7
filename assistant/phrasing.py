"""Sentences Newsdesk writes itself: "The articles don't say how much the Harlow Trust paid."

A question becomes an indirect question by undoing its inversion ("did X pay" -> "X paid",
"was X awarded" -> "X was awarded"); lemminflect knows which words can be verbs and inflects
them. When the question is not one of these simple shapes, it is quoted as asked.
"""

from __future__ import annotations

import re
from typing import Any

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
    for the mill'; None when the question's shape is not a simple inversion. A question of
    two parts ("..., and who did ...") is turned part by part."""
    text = question.strip().rstrip("?").strip()
    pieces = _SECOND_PART.split(text)
    if len(pieces) > 1:
        turned = [_indirect_clause(p) for p in pieces]
        return None if any(t is None for t in turned) else ", and ".join(t for t in turned if t)
    return _indirect_clause(text)


_SECOND_PART = re.compile(r",? and (?=(?:how|what|which|who|whom|whose|where|when|why|in which|in what)\b)", re.I)


def _indirect_clause(text: str) -> str | None:
    tokens = text.split()
    if not tokens or tokens[0].lower() not in _WH_OPENERS:
        return None
    aux_at = next((i for i, t in enumerate(tokens[:8]) if t.lower() in _DO | _MOVABLE), None)
    if aux_at is None or aux_at == 0:
        return _lower_first(text)  # "who won ...", "which film won ...": no inversion
    aux = tokens[aux_at]
    shape = _parsed_shape(tokens, aux_at)
    if shape == _NOT_INVERTED:
        return _lower_first(text)  # "how many adults were polled ...": already in statement order
    predicate = next((i for i in range(aux_at + 2, len(tokens)) if tokens[i].lower() in _PREDICATES), None)
    if predicate is not None and aux.lower() not in _DO:
        verb_at: int | None = predicate
    elif shape == _COPULA:
        verb_at = None  # "how big was the settlement the firms reached": "was" goes to the end
    else:
        verb_at = shape if shape is not None else _main_verb(tokens, aux_at + 1)
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
    """Without a parse: the last lower-case word that can be a verb before the first
    preposition following the subject ("the IRB Rugby Aid match raise for")."""
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


_NOT_INVERTED, _COPULA = -1, -2
_BE = {"is", "are", "was", "were"}
_FORMS_AFTER = {"do": {"VB"}, "does": {"VB"}, "did": {"VB"}, "has": {"VBN"}, "have": {"VBN"}, "had": {"VBN"}}
"""Penn tags of the main verb each auxiliary takes (be: VBN, VBG, and VBD, which spaCy often
gives a participle; a modal: VB, VBP)."""


def _parsed_shape(tokens: list[str], aux_at: int) -> int | None:
    """What spaCy's parse says about the question: _NOT_INVERTED when a verb follows the
    auxiliary at once ("how many adults were polled"), _COPULA when a form of "be" is the main
    verb ("how big was the settlement the firms reached"), else the token index of the main
    verb after the subject ("did ferry crews on the route walk out" -> walk, "was most of the
    film shot" -> shot, "has the novel sold" -> sold); None without a parse or a verb."""
    from assistant import nlp

    text = " ".join(tokens)
    doc = nlp.parse(text)
    if doc is None:
        return None
    at: dict[int, Any] = {}  # each space-separated word's first spaCy token ("processed," -> "processed")
    for t in doc:
        at.setdefault(text.count(" ", 0, t.idx), t)
    aux = tokens[aux_at].lower()
    before = [at[i] for i in range(1, aux_at) if i in at]
    following = [at[i] for i in range(aux_at + 1, len(tokens)) if i in at]
    if any(t.tag_ in {"VBD", "VBZ", "VBP"} and t.dep_ in {"ROOT", "ccomp", "conj"} for t in before):
        return _NOT_INVERTED  # "which official insisted the country already had ...": the wh-phrase is the subject
    if following and aux not in _DO:
        first, second = following[0], (following[1] if len(following) > 1 else None)
        if first.tag_ in {"VBN", "VBG"} or (first.tag_ == "RB" and second is not None and second.tag_ in {"VBN", "VBG"}):
            return _NOT_INVERTED  # "how many adults were polled"
        if aux in _BE and first.tag_ == "IN":
            return _NOT_INVERTED  # "which port is under threat", "who is in charge": the wh-phrase is the subject
        if first.tag_ == "JJ" and not (second is not None and second.tag_.startswith("NN")) and any(t.tag_.startswith("NN") for t in before):
            return _NOT_INVERTED  # "how many Britons were dead or missing"
    subject = next((t for t in following if t.dep_ in {"nsubj", "nsubjpass"}), None) or next(
        (t for t in following if t.tag_.startswith("NN") or t.tag_ == "PRP"), None)
    if subject is None:
        return None
    # spaCy often tags a past participle VBD; a verb inside a clause of the subject ("the
    # settlement the firms reached", "the officer who was taken") is not the main verb
    forms = _FORMS_AFTER.get(aux, {"VBN", "VBG", "VBD"} if aux in _BE else {"VB", "VBP"})
    for index in range(text.count(" ", 0, subject.idx) + 1, len(tokens)):
        token = at.get(index)
        if token is None or not token.text[:1].islower() or token.tag_ not in forms or token.dep_ in _NOT_MAIN:
            continue
        if tokens[index - 1].lower() == "to":
            continue  # an infinitive ("launch to play"): the main verb is before it
        if token.dep_ == "acl" and (token.head.tag_ not in {"NNP", "NNPS", "PRP"} or tokens[index - 1].endswith(",")):
            continue  # "the revival starring X" describes the subject; "was Scott first elected" does not
        if token.dep_ == "advcl" and (all(c.i != subject.i for c in token.children) or any(
                c.dep_ == "mark" or c.tag_ == "WRB" for c in token.children)):
            continue  # a clause of its own ("when they died"), unless spaCy hung the subject on it
        if any(c.dep_ in {"nsubj", "nsubjpass"} and c.i != subject.i for c in token.children):
            continue
        return index
    if aux in _BE and at.get(aux_at) is not None and at[aux_at].dep_ == "ROOT":
        return _COPULA
    return None


_NOT_MAIN = {"aux", "auxpass", "relcl", "conj", "pcomp", "amod"}


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
