"""The parts of a question in an LLM reply: which part each checked sentence answers, the
state each part is left in, which citations are only related, and disputed claims.

Which part a sentence answers, sentence by sentence in reply order:
1. the part whose own words (content stems of the part that no other part has, e.g. "titan"
   vs "monsanto") the sentence uses most, plus the passages it cites that were retrieved for
   that part only — the highest sum wins;
2. on a tie, a sentence right after "The articles don't say ..." continues that part (the
   prompt asks for the closest sentence next); otherwise the first tied part that has no
   sentence yet (the prompt asks for one sentence per part, in order); otherwise the part of
   the sentence before.

A part is answered when it has sentences and none says "The articles don't say ..."; it is
not stated when one does (its citations are related sentences, not the answer); a part no
sentence answers is abstained: not_found when its retrieval found nothing or the reply is
the abstention sentence, else not_stated. A part is contested when two or more of its
supported sentences attribute claims to different parties ("Kyiv says ...", "The separatists
accuse ...") and one of them says the claim is disputed (claims, accuses, denies, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answerers.extractive import _DISPUTE as DISPUTE
from assistant.generative.check import CheckResult, is_not_stated, strip_markers
from assistant.phrasing import not_stated
from assistant.speakers import SPEECH_VERBS, unquoted
from assistant.text import content_stems, stem_set
from assistant.types import AbstainReason, Citation, PartAnswer, SentenceCheck

# speech verbs and the base forms a reply uses for a party's claim ("the separatists accuse")
_CLAIM_VERB = re.compile(
    rf"\b(?:{SPEECH_VERBS}|say|tell|accuse|blame|deny|allege|insist|claim|call|argue|maintain|dispute|disputes|disputed)\b",
    re.I,
)


@dataclass(frozen=True)
class PartSpec:
    """One part of the question as the reply is read against it."""

    question: str
    numbers: frozenset[int]  # the [n] of the passages retrieved for this part

    @property
    def stems(self) -> set[str]:
        """Content stems of the part."""
        return set(content_stems(self.question))


@dataclass
class RepliedParts:
    """What the reply says for each part, and for the question as a whole."""

    parts: list[PartAnswer]
    citations: list[Citation]  # the check's citations, role "related" where no answer rests on them
    abstained: bool
    reason: AbstainReason | None
    contested: bool = False
    owners: list[int] = field(default_factory=list)  # the part of each checked sentence


def assign_parts(parts: Sequence[PartSpec], sentences: Sequence[SentenceCheck]) -> list[int]:
    """The index of the part each sentence answers (see the module docstring for the rule)."""
    own = [p.stems - set().union(*(o.stems for o in parts if o is not p)) for p in parts]
    exclusive = [p.numbers - frozenset().union(*(o.numbers for o in parts if o is not p)) for p in parts]
    owners: list[int] = []
    for i, sentence in enumerate(sentences):
        words = stem_set(strip_markers(sentence.text))
        scores = [len(words & own[p]) + len(set(sentence.cites) & exclusive[p]) for p in range(len(parts))]
        tied = [p for p, score in enumerate(scores) if score == max(scores)]
        previous = owners[-1] if owners else None
        if len(tied) == 1:
            owners.append(tied[0])
        elif previous in tied and is_not_stated(sentences[i - 1].text):
            owners.append(previous)
        else:
            unanswered = [p for p in tied if p not in owners]
            owners.append(unanswered[0] if unanswered else previous if previous in tied else tied[0])
    return owners


def reply_parts(parts: Sequence[PartSpec], result: CheckResult) -> RepliedParts:
    """The state of every part of the question in a checked reply."""
    owners = assign_parts(parts, result.sentences)
    answers: list[PartAnswer] = []
    answering: set[int] = set()  # [n] that an answered part's sentence rests on
    contested = False
    for index, part in enumerate(parts):
        mine = [s for s, owner in zip(result.sentences, owners, strict=True) if owner == index]
        cites = sorted({n for s in mine for n in s.cites})
        if not mine:
            reason: AbstainReason = "not_found" if result.abstained or not part.numbers else "not_stated"
            answers.append(PartAnswer(question=part.question, text=not_stated(part.question), abstained=True, reason=reason))
            continue
        text = " ".join(s.text for s in mine)
        if any(is_not_stated(s.text) for s in mine):
            answers.append(PartAnswer(question=part.question, text=text, abstained=True, reason="not_stated", citations=cites))
            continue
        answering.update(cites)
        contested = contested or is_contested(mine)
        answers.append(PartAnswer(question=part.question, text=text, abstained=False, citations=cites))
    abstained = all(a.abstained for a in answers)
    overall: AbstainReason | None = None
    if abstained:
        overall = "not_found" if all(a.reason == "not_found" for a in answers) else "not_stated"
    citations = [c if c.n in answering else c.model_copy(update={"role": "related"}) for c in result.citations]
    return RepliedParts(answers, citations, abstained, overall, contested, owners)


def claimant(sentence: str) -> str | None:
    """Who a reply sentence attributes its claim to, as sorted content stems: the words of the
    clause before its first speech verb ("Kyiv says the rebels fired" -> 'kyiv'), or after
    "according to" ("According to the rebels, ..." -> 'rebel'); None when it attributes nothing."""
    outside = unquoted(strip_markers(sentence))
    verb = _CLAIM_VERB.search(outside)
    if verb is None:
        return None
    if verb.group(0).lower() == "according to":
        who = re.split(r"[,;:]", outside[verb.end() :], maxsplit=1)[0]
    else:
        who = re.split(r"[,;:]", outside[: verb.start()])[-1]
    return " ".join(sorted(content_stems(who))) or None


def is_contested(sentences: Sequence[SentenceCheck]) -> bool:
    """Two or more supported sentences attribute claims to different parties, and one says
    the claim is disputed."""
    supported = [s.text for s in sentences if s.supported and not is_not_stated(s.text)]
    parties = {who for text in supported if (who := claimant(text))}
    return len(parties) >= 2 and any(DISPUTE.search(strip_markers(text)) for text in supported)
