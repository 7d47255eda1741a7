"""Which part of a question each sentence of an LLM reply answers, the state of each part,
related citations and disputed claims: pure logic on checked sentences (no model)."""

from __future__ import annotations

import pytest

from assistant.generative.check import CheckResult, cited_numbers
from assistant.generative.reply_parts import (
    PartSpec,
    assign_parts,
    claimant,
    is_contested,
    reply_parts,
)
from assistant.types import ABSTENTION, Citation, SentenceCheck

TITAN = "How much did Titan pay to settle the bribery case?"
MONSANTO = "How much did Monsanto pay to settle the bribery case?"
SHARED = frozenset({1, 2})  # both parts found both passages


def sentence(text: str, supported: bool = True) -> SentenceCheck:
    return SentenceCheck(text=text, start=0, end=len(text), cites=cited_numbers(text), supported=supported)


def citation(n: int) -> Citation:
    return Citation(n=n, quote=f"quote {n}", start=0, end=7, passage_rank=n, article_id=f"a{n}", source=f"/a{n}.txt", title=f"A{n}")


def checked(*texts: str) -> CheckResult:
    sentences = [sentence(t) for t in texts]
    numbers = sorted({n for s in sentences for n in s.cites})
    return CheckResult(text=" ".join(texts), abstained=False, sentences=sentences, citations=[citation(n) for n in numbers])


def owners(parts: list[PartSpec], *texts: str) -> list[int]:
    return assign_parts(parts, [sentence(t) for t in texts])


def test_a_sentence_goes_to_the_part_whose_own_words_it_uses() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    assert owners(parts, "Monsanto paid $500,000 [2].", "Titan paid $15.5m [1].") == [1, 0]


def test_without_names_the_passages_found_for_one_part_only_decide() -> None:
    parts = [PartSpec(TITAN, frozenset({1})), PartSpec(MONSANTO, frozenset({2}))]
    assert owners(parts, "It paid $500,000 [2].", "It paid $15.5m [1].") == [1, 0]


def test_when_nothing_decides_sentences_answer_the_parts_in_order_then_continue_the_last() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    assert owners(parts, "It paid $15.5m [1].", "It paid $500,000 [2].", "That settled the case [2].") == [0, 1, 1]


def test_the_closest_sentence_after_the_articles_dont_say_stays_with_that_part() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    reply = ("The articles don't say how much Titan paid.", "The company settled a lawsuit [1].", "Monsanto paid $500,000 [2].")
    assert owners(parts, *reply) == [0, 0, 1]


def test_a_part_not_stated_has_related_citations_while_the_answered_part_keeps_its_own() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    result = checked("The articles don't say how much Titan paid.", "Titan faced a bribery case [1].", "Monsanto paid $500,000 [2].")
    replied = reply_parts(parts, result)
    titan, monsanto = replied.parts
    assert (titan.abstained, titan.reason, titan.citations) == (True, "not_stated", [1])
    assert titan.text == "The articles don't say how much Titan paid. Titan faced a bribery case [1]."
    assert (monsanto.abstained, monsanto.reason, monsanto.citations, monsanto.text) == (False, None, [2], "Monsanto paid $500,000 [2].")
    assert [(c.n, c.role) for c in replied.citations] == [(1, "related"), (2, "answer")]
    assert (replied.abstained, replied.reason, replied.owners) == (False, None, [0, 0, 1])


def test_a_passage_both_related_and_an_answer_is_cited_as_the_answer() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    replied = reply_parts(parts, checked("The articles don't say how much Titan paid [1].", "Monsanto paid $500,000 [1]."))
    assert [(c.n, c.role) for c in replied.citations] == [(1, "answer")]


def test_a_part_no_sentence_answers_says_the_articles_dont_say_it() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, frozenset())]
    replied = reply_parts([parts[0], PartSpec(MONSANTO, SHARED)], checked("Titan paid $15.5m [1]."))
    assert [(p.abstained, p.reason) for p in replied.parts] == [(False, None), (True, "not_stated")]
    assert replied.parts[1].text == "The articles don't say how much Monsanto paid to settle the bribery case."
    assert replied.parts[1].citations == [] and not replied.abstained
    # a part whose retrieval found nothing is not found
    assert reply_parts(parts, checked("Titan paid $15.5m [1].")).parts[1].reason == "not_found"


def test_every_part_not_stated_makes_the_answer_not_stated() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    replied = reply_parts(parts, checked("The articles don't say how much Titan paid.", "The articles don't say how much Monsanto paid."))
    assert (replied.abstained, replied.reason) == (True, "not_stated")
    assert [p.reason for p in replied.parts] == ["not_stated", "not_stated"]


def test_the_abstention_reply_leaves_every_part_not_found() -> None:
    parts = [PartSpec(TITAN, SHARED), PartSpec(MONSANTO, SHARED)]
    replied = reply_parts(parts, CheckResult(text=ABSTENTION, abstained=True))
    assert (replied.abstained, replied.reason) == (True, "not_found")
    assert [(p.abstained, p.reason) for p in replied.parts] == [(True, "not_found"), (True, "not_found")]


def test_one_part_not_stated_anywhere_in_the_reply() -> None:
    part = [PartSpec("Who designed the bridge?", SHARED)]
    replied = reply_parts(part, checked("The bridge opened on Monday [1].", "The articles don't say who designed it."))
    assert (replied.abstained, replied.reason) == (True, "not_stated")
    assert [c.role for c in replied.citations] == ["related"]


@pytest.mark.parametrize(("text", "who"), [
    ("Kyiv says the rebels fired the shells [1].", "kyiv"),
    ("The separatists accuse Ukrainian government forces of opening fire [2].", "separatist"),
    ("According to the rebel leaders, the army fired first [2].", "leader rebel"),
    ('"We did not fire," a rebel commander said [3].', "command rebel"),
    ("The shells hit a kindergarten in Stanytsia Luhanska [1].", None),
])
def test_the_claimant_of_a_reply_sentence(text: str, who: str | None) -> None:
    assert claimant(text) == who


def test_claims_of_two_parties_that_dispute_are_contested() -> None:
    kyiv, rebels = "Kyiv says the rebels fired the shells [1].", "The separatists accuse Ukrainian forces of opening fire [2]."
    assert is_contested([sentence(kyiv), sentence(rebels)])
    assert not is_contested([sentence("The rebels fired the shells [1]."), sentence(rebels)])  # one stated as fact
    assert not is_contested([sentence(kyiv), sentence(rebels, supported=False)])  # an unsupported side
    assert not is_contested([sentence("Kyiv said the shells hit a school [1]."), sentence("The mayor said ten children were inside [2].")])


def test_a_contested_part_makes_the_answer_contested() -> None:
    part = [PartSpec("Who fired on the kindergarten?", SHARED)]
    replied = reply_parts(part, checked("Kyiv claims the rebels fired the shells [1].", "The separatists blame the army [2]."))
    assert replied.contested and not replied.abstained
    assert not reply_parts(part, checked("The rebels fired the shells [1].")).contested
