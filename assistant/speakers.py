"""Who says what: the speaker of a quoted or reported sentence, resolved from its neighbours
when the sentence itself only says "he said" or continues a quote.

Rules, in order:
1. the sentence names its speaker beside a speech verb, outside the quoted words:
   '"...," deputy planning director Jose Leibovich said.' / 'Mr Johnson said: "..."' /
   'said Mr Bach' / 'according to Ms Pollard';
2. a pronoun speaker ("he said") or a quote that carries on from the sentence before takes
   the speaker of the nearest earlier sentence that names one (at most three back);
3. otherwise the sentence has no speaker we can name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.mentions import Mention

SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|argued|argues|insisted|insists|predicted|predicts|warned|"
    r"warns|claimed|claims|accused|accuses|suggested|suggests|admitted|admits|likened|likens|"
    r"doubted|doubts|asked|asks|believes|believed|declared|declares|denied|denies|stated|states|"
    r"commented|comments|explained|explains|announced|announces|blamed|blames|described|describes|"
    r"called|calls|noted|notes|stressed|stresses|maintained|maintains|acknowledged|acknowledges|"
    r"conceded|concedes|revealed|reveals|wrote|writes|urged|urges|questioned|questions|dismissed|"
    r"dismisses|pointed out|points out|alleged|alleges|reckons|reckoned|thinks|thought|feels|felt|"
    r"hopes|hoped|fears|feared|saying|telling|adding|arguing|insisting|warning|claiming|accusing|"
    r"according to"
)
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b", re.I)
# verbs whose speaker may follow them: '"...," said Mr Bach', 'according to Ms Pollard'
_OBJECT_AFTER = {"accused", "accuses", "accusing", "blamed", "blames", "criticised", "praised", "dismissed",
                 "questioned", "urged", "told", "tells", "telling", "called", "calls", "described", "describes",
                 "likened", "asked", "asks", "warned", "warns", "claimed", "claims", "denied", "denies"}
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|from|of|to|for|on|by|with|near|into|against)\s+(?:the\s+)?$", re.I)
_KIND_RANK = {"PERSON": 0, "ORG": 1, "NORP": 2, "NAME": 2, "GPE": 3}
_PRONOUN_SUBJECT = re.compile(r"\b(he|she|they|it|we)\s+(?:\w+\s+){0,2}$", re.I)
_QUOTED = re.compile(r"\"[^\"]*\"?|“[^”]*”?|‘[^’]*’|(?<!\w)'[^']{12,}'(?!\w)")
_ADJECTIVE_USE = re.compile(r"\b(?:a|an|the|his|her|its|their)\s+$", re.I)  # "an alleged attack", "the claims"
_PRONOUN_SAID = re.compile(rf"\b(he|she)\s+(?:{SPEECH_VERBS})\b|\b(?:said|says|added|adds)\s+(he|she)\b", re.I)
_OPENS_QUOTE = re.compile(r"^\s*[\"“‘]")
_PLURAL_LEAD = re.compile(r"^\W*(they|we)\b", re.I)
_PRONOUN_LEAD = re.compile(r"^\W*(they|he|she|it|we)\b", re.I)
_VERBISH = {"is", "are", "was", "were", "has", "have", "had", "said", "says", "will", "would", "can", "could",
            "who", "which", "that", "did", "does", "do"}
_SPEAKER_KINDS = {"PERSON", "ORG", "NORP", "GPE", "NAME"}
_TITLES = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Lord|Lady)\.?\s+")


@dataclass(frozen=True)
class Speaker:
    """Who a sentence attributes its words to, and which sentence names them."""

    name: str
    sentence: int  # index of the sentence that names the speaker
    role: str = ""  # the words before the name in that sentence ("NATO secretary general")
    kind: str = "PERSON"  # the kind of mention that names the speaker (PERSON, ORG, GPE...; "" for a phrase)


def unquoted(text: str) -> str:
    """The sentence with its quoted words blanked (same length, so offsets still hold)."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def is_reported(text: str) -> bool:
    """Whether a sentence reports speech or a claim (a speech verb outside its quotes, or a quote)."""
    return bool(_SPEECH.search(unquoted(text))) or bool(_QUOTED.search(text))


def named_speaker(text: str, mentions: Sequence[Mention]) -> tuple[str, str, str] | None:
    """(name, role, mention kind) of the speaker a sentence names beside its speech verb, outside quotes."""
    outside = unquoted(text)
    verbs = [v for v in _SPEECH.finditer(outside) if not _ADJECTIVE_USE.search(outside[max(0, v.start() - 6) : v.start()])]
    if not verbs:
        return None
    candidates = [m for m in mentions if m.kind in _SPEAKER_KINDS and outside[m.start : m.end].strip()
                  and not _PREPOSITION_BEFORE.search(outside[max(0, m.start - 12) : m.start])]
    best: tuple[tuple[int, int], Mention] | None = None
    for verb in verbs:
        for mention in candidates:
            after = mention.start >= verb.end()
            if after and verb.group(0).lower() in _OBJECT_AFTER:
                continue
            gap = mention.start - verb.end() if after else verb.start() - mention.end
            between = outside[min(mention.end, verb.end()) : max(mention.start, verb.start())]
            if gap < 0 or gap > 60 or re.search(r"[\"“”;]", between):
                continue
            rank = (_KIND_RANK.get(mention.kind, 3), gap)
            if best is None or rank < best[0]:
                best = (rank, mention)
    if best is None:
        return None
    mention = best[1]
    verb_at = min((v.start() for v in verbs), default=0)
    if mention.end <= verb_at and _PRONOUN_SUBJECT.search(outside[mention.end : verb_at] + " "):
        return None  # "Russia, he said" is the pronoun's word, not Russia's
    role = _role_before(outside, mention.start, set_off=outside[mention.end :].lstrip().startswith(","))
    appositive = re.match(r",\s+((?:a|an|the)\s+[^,.;\"“”]{3,60})", outside[mention.end :])
    if appositive:  # '... said Joshua Osagie, a cocoa farmer from Edo state'
        role = f"{role} {appositive.group(1)}".strip()
    return _TITLES.sub("", mention.text).strip() or mention.text, role, mention.kind


def _role_before(text: str, start: int, set_off: bool = False) -> str:
    """Up to eight words before a name, inside its clause ("NATO secretary general"), without speech
    verbs; for a name set off by commas after its role (set_off: "The secretary of the rowing
    union, Ann Vell, said"), that role too."""
    clauses = re.split(r"([,.;:\"“”])", text[:start])
    clause = clauses[-1]
    if set_off and len(clause.split()) <= 1 and len(clauses) >= 3 and clauses[-2] == ",":
        clause = f"{clauses[-3]} {clause}"
    words = [w for w in clause.split()[-8:] if not _SPEECH.fullmatch(w)]
    return " ".join(words)


def resolve_speakers(
    sentences: Sequence[str], mentions: Sequence[Sequence[Mention]], positions: Sequence[int] | None = None,
) -> list[Speaker | None]:
    """The speaker of each sentence of an article, in order (None where there is none).
    positions: the sentences' numbers in the article (default 0, 1, 2...); Speaker.sentence is one."""
    speakers: list[Speaker | None] = []
    last: Speaker | None = None
    previous: tuple[int, str] | None = None
    recent: list[tuple[int, Sequence[Mention]]] = []
    for i, text, found in zip(positions or range(len(sentences)), sentences, mentions, strict=True):
        own = named_speaker(text, found)
        if own is not None:
            last = Speaker(own[0], i, own[1], own[2])
            speakers.append(last)
        elif previous is not None and is_reported(text) and _PLURAL_LEAD.match(text):
            # "They have accused ...": they are the subject of the sentence before
            speakers.append(Speaker(subject_phrase(previous[1]), previous[0], kind=""))
        elif last is not None and i - last.sentence <= 3 and is_reported(text):
            speakers.append(last)  # "he said", or a quote carrying on
        elif (_PRONOUN_SAID.search(text) or _OPENS_QUOTE.match(text)) and (person := _last_person(recent)) is not None:
            speakers.append(person)  # '"...," he said' after a sentence naming him
        elif previous is not None and is_reported(text) and _PRONOUN_LEAD.match(text):
            # "They have accused ...": they are the subject of the sentence before
            speakers.append(Speaker(subject_phrase(previous[1]), previous[0], kind=""))
        else:
            speakers.append(None)
        previous = (i, text)
        recent = [(j, m) for j, m in recent if i - j < 3] + [(i, found)]
    return speakers


def _last_person(recent: list[tuple[int, Sequence[Mention]]]) -> Speaker | None:
    """The person named last in the recent sentences."""
    for j, found in reversed(recent):
        people = [m for m in found if m.kind == "PERSON"]
        if people:
            return Speaker(_TITLES.sub("", people[-1].text).strip() or people[-1].text, j, "")
    return None


def subject_phrase(sentence: str) -> str:
    """The opening noun phrase of a sentence: its words up to the first comma or verb."""
    taken = []
    for word in sentence.split()[:8]:
        if word.lower().strip(",") in _VERBISH:
            break
        taken.append(word.strip(","))
        if word.endswith(","):
            break
    return " ".join(taken)
