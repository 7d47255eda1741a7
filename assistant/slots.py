"""What a question asks for (its slot) and which kinds of mention can fill it.

The slot is read from the question's wh-phrase: "how much did X pay" asks for an amount of
money, "how many adults" for a count of adults, "which company" for an organisation, "who
said" for a speaker. A sentence can only answer when it holds a mention of a kind that fills
the slot (see assistant/mentions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Slot(StrEnum):
    """The kind of answer a question asks for."""

    AMOUNT = "amount"  # money: "how much did it cost", "what price"
    NUMBER = "number"  # a count or measure: "how many adults", "how tall", "what weight"
    PERCENT = "percent"  # a share or rate: "what share", "what proportion", "by how much ... rise"
    DATE = "date"  # "when", "in what year", "since which years"
    PERSON = "person"  # "who", "which official"
    ORG = "organisation"  # "which company", "which network"
    PLACE = "place"  # "where", "which district"
    THING = "thing"  # a named thing: "which drink", "which award", "which film"
    REASON = "reason"  # "why"
    STATEMENT = "statement"  # "what did X say about Y"
    OTHER = "other"  # "what happened to ..."


# mention kinds (assistant/mentions.py) that fill each slot
FILLERS: dict[Slot, frozenset[str]] = {
    Slot.AMOUNT: frozenset({"MONEY"}),
    Slot.NUMBER: frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "TIME"}),
    Slot.PERCENT: frozenset({"PERCENT"}),
    Slot.DATE: frozenset({"DATE"}),
    Slot.PERSON: frozenset({"PERSON"}),
    Slot.ORG: frozenset({"ORG", "PERSON", "PRODUCT"}),
    Slot.PLACE: frozenset({"GPE", "LOC", "FAC"}),
    Slot.REASON: frozenset({"REASON"}),  # "because ...", "in a dispute over ..." (regular expressions)
    Slot.THING: frozenset({"PRODUCT", "WORK_OF_ART", "EVENT", "ORG", "LAW", "NAME"}),
}

_PERSON_NOUNS = set("""
academic actor actress adviser analyst artist athlete author banker bishop boss chairman chancellor
chief coach commentator commissioner composer correspondent critic defendant designer director
economist editor executive expert farmer figure founder frontbencher grower head judge lawyer
leader manager master member minister mp official owner painter player politician president
producer professor pundit researcher scientist secretary senator singer speaker spokesman
spokeswoman sprinter star striker teacher veteran winner woman man writer campaigner guy
skipper captain driver runner rider boxer golfer jockey
person actor
""".split())
_ORG_NOUNS = set("""
company firm group bank brewer maker manufacturer network broadcaster channel carrier airline
retailer chain club team squad side party organisation organization agency body insurer operator
publisher studio label supermarket union charity court courts university council website
""".split())
_PLACE_NOUNS = set("""
country city town village district region state province port area island capital county
nation venue stadium ground street location site
""".split())
_NUMBER_NOUNS = set("""
output weight temperature height length distance speed time duration size capacity population
score scoreline margin age number total majority figure figures attendance crowd
""".split())
SCORE_NOUNS = frozenset({"score", "scoreline"})
"""Heads of questions that ask for a match result ("what was the score"): only a score fills them."""
_AMOUNT_NOUNS = set("""
price cost fee sum amount budget value revenue revenues profit profits salary damages fine
compensation bid valuation turnover sales
""".split())
_PERCENT_NOUNS = set("share proportion percentage rate growth".split())
_DATE_NOUNS = set("year years date day month decade".split())
_REASON_NOUNS = set("grounds reason reasons basis cause".split())

_MONEY_VERBS = re.compile(
    r"\b(pay|paid|cost|costs|spend|spent|raise|raised|worth|earn|earned|charge|charged|sell|sold|"
    r"fetch|fetched|owe|owed|invest|invested|give|given|gave|hand|handed|award|awarded|receive|"
    r"received|fine|fined|bid|make|made|lose|lost|price|priced|budget|fund|funded|gather|gathered|"
    r"contribute|contributed|donate|donated|pledge|pledged|collect|collected|generate|generated|"
    r"take|took|taken|gross|grossed|settle|settled|compensate|compensated|afford|bring|brought)\b",
    re.I,
)
_SPEECH_VERBS = (
    r"say|said|says|tell|told|describe|described|call|called|claim|claimed|argue|argued|insist|"
    r"insisted|predict|predicted|warn|warned|accuse|accused|suggest|suggested|admit|admitted|"
    r"liken|likened|put|doubt|doubted|ask|asked|believe|believed|declare|declared|deny|denied|"
    r"state|stated|add|added|comment|commented|explain|explained|announce|announced|blame|blamed|"
    r"dismiss|dismissed|criticise|criticised|praise|praised|attribute|attributed"
)
_SPEECH = re.compile(rf"\b({_SPEECH_VERBS})\b", re.I)


@dataclass(frozen=True)
class AskedFor:
    """The slot of a question and the words that name what is counted or measured."""

    slot: Slot
    head: str = ""  # the noun of "which X" / "how many X" ("company", "adults"), lower-case
    speaker_question: bool = False  # "who said ..." / "which official insisted ...": the speaker is asked
    phrase: tuple[str, ...] = ()  # every word of that noun phrase ("nigerian", "grower")


def asked_for(question: str) -> AskedFor:
    """Read the slot from the question's main wh-phrase."""
    low = question.strip().lower()
    speech = bool(_SPEECH.search(low))
    wh = _main_wh(low)
    if wh is None:
        return AskedFor(Slot.OTHER)
    word, rest = wh.group(1), low[wh.end() :]
    if word in {"who", "whom", "whose"}:
        return AskedFor(Slot.PERSON, speaker_question=speech)
    if word == "where":
        return AskedFor(Slot.PLACE)
    if word == "when":
        return AskedFor(Slot.DATE)
    if word == "why":
        return AskedFor(Slot.REASON)
    if word == "how":
        return _how(rest, low)
    phrase = _noun_phrase(rest)
    if not phrase:
        if re.search(r"\b(?:pay|paid|cost|costs|charge|charged|fetch|fetched|raise|raised|earn|earned|worth)\b", low):
            return AskedFor(Slot.AMOUNT)
        if speech and re.match(r"\s*(?:did|does|do|has|have|had|will|would|is|are|was|were)\b", rest):
            return AskedFor(Slot.STATEMENT)
        return AskedFor(Slot.OTHER)
    head = phrase[-1]
    slot = _slot_of_noun(head)
    return AskedFor(slot, head, speaker_question=slot == Slot.PERSON and speech, phrase=tuple(phrase))


def statement_parts(question: str) -> tuple[str, str]:
    """A "what did X say about Y" question split at its speech verb: the words naming who speaks
    and the words naming what about ("What did the harbourmaster", " about the storm?");
    (question, "") without a speech verb."""
    found = _SPEECH.search(question)
    return (question[: found.start()], question[found.end() :]) if found else (question, "")


_WH_WORD = re.compile(r"\b(who|whom|whose|what|which|where|when|why|how)\b")
_AUX = r"(?:is|are|was|were|will|would|did|does|do|has|have|had|can|could|should|might|may)"


def _main_wh(low: str) -> re.Match[str] | None:
    """The wh-word of the main clause: a leading "When X did Y, which ..." is a subordinate clause,
    and so is a relative one set off by a comma ("X, who did Y, is an analyst at which firm?")."""
    found = list(_WH_WORD.finditer(low))
    if len(found) > 1 and found[0].group(1) == "when" and found[0].start() <= 1 and "," in low[found[0].end() : found[1].start()]:
        return found[1]
    if len(found) > 1 and low[: found[0].start()].rstrip().endswith(","):
        return found[1]
    return found[0] if found else None


def _noun_phrase(rest: str) -> list[str]:
    """The words naming what a "what/which" asks for: "what share of X" -> [share],
    "which Renaissance master lent" -> [renaissance, master], "what was the score of" -> [score]."""
    rest = re.split(r"[,;:?(]", rest, maxsplit=1)[0]
    rest = re.sub(r"^\s*(?:is|are|was|were)\s+(?:the\s+|a\s+|an\s+)?", " ", rest)
    taken: list[str] = []
    for word in re.findall(r"[\w'&-]+", rest)[:5]:
        if word in _STOP_PHRASE or word in _PREPOSITIONS or (taken and (word.endswith("ly") or _only_verb(word))):
            break
        taken.append(word)
    return taken


def _only_verb(word: str) -> bool:
    """A word that can be a verb but not a noun ("built", "lent", "insisted")."""
    from lemminflect import getAllLemmas

    lemmas = getAllLemmas(word)
    return "VERB" in lemmas and "NOUN" not in lemmas and "ADJ" not in lemmas


_PREPOSITIONS = {"of", "in", "on", "at", "for", "to", "from", "with", "by", "that", "who", "which", "near",
                 "across", "behind", "over", "under", "into", "about", "after", "before", "during",
                 "between", "among", "against", "as", "than", "per",
                 # subordinators end the phrase too: "the score when Ireland won" asks for a score
                 "when", "once", "while", "whilst", "if", "where", "since", "until", "because"}


_STOP_PHRASE = {"is", "are", "was", "were", "will", "would", "did", "does", "do", "has", "have", "had", "can",
                "could", "should", "might", "may", "the", "a", "an", "lent", "won", "said", "says", "put",
                "became", "happened", "topped", "led", "made", "gave", "took", "came"}


def _how(rest: str, low: str) -> AskedFor:
    """how many / how much / how tall ..."""
    match = re.match(r"\s*(many|much|\w+)\s*([\w'-]*)", rest)
    if not match:
        return AskedFor(Slot.OTHER)
    word, noun = match.group(1), match.group(2)
    if word == "many":
        phrase = _noun_phrase(rest[match.end(1) :])
        return AskedFor(Slot.NUMBER, phrase[-1] if phrase else noun)
    if word == "much":
        if noun in {"beer", "wine", "water", "oil", "gas", "food", "rain", "snow", "time", "land", "electricity", "power"}:
            return AskedFor(Slot.NUMBER, noun)
        if noun in {"money", "cash", "compensation"} or _MONEY_VERBS.search(low):
            return AskedFor(Slot.AMOUNT)
        return AskedFor(Slot.NUMBER, noun)
    if word in {"big", "large", "tall", "high", "long", "old", "far", "fast", "heavy", "deep", "wide", "hot", "cold", "often", "small"}:
        return AskedFor(Slot.NUMBER, word)
    return AskedFor(Slot.OTHER)


def _slot_of_noun(head: str) -> Slot:
    """The slot a "which/what X" head noun asks for."""
    if head in _REASON_NOUNS:
        return Slot.REASON
    singular = head[:-1] if head.endswith("s") and head[:-1] in (_PERSON_NOUNS | _ORG_NOUNS | _PLACE_NOUNS) else head
    if singular in _PERSON_NOUNS:
        return Slot.PERSON
    if singular in _ORG_NOUNS:
        return Slot.ORG
    if singular in _PLACE_NOUNS:
        return Slot.PLACE
    if head in _PERCENT_NOUNS:
        return Slot.PERCENT
    if head in _AMOUNT_NOUNS:
        return Slot.AMOUNT
    if head in _DATE_NOUNS:
        return Slot.DATE
    if head in _NUMBER_NOUNS:
        return Slot.NUMBER
    return Slot.THING
