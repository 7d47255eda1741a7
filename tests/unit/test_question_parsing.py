"""Question parsing: what is asked for (slot), named constraints, years, and parts."""

from __future__ import annotations

import pytest

from assistant.parts import split_parts, split_parts_with_context
from assistant.query import parse_question
from assistant.slots import Slot, asked_for, statement_parts


@pytest.mark.parametrize(
    ("question", "slot", "head"),
    [
        ("How much did the Harlow Trust pay for the old mill?", Slot.AMOUNT, ""),
        ("How many ferries did the Skerrin council buy last year?", Slot.NUMBER, "ferries"),
        ("Roughly how many seasonal workers does the orchard employ?", Slot.NUMBER, "workers"),
        ("What share of the island's income comes from fishing?", Slot.PERCENT, "share"),
        ("By how much did rents in Cray rise?", Slot.NUMBER, "did"),
        ("How tall is the new lighthouse at Cray?", Slot.NUMBER, "tall"),
        ("In what year did the Cray ferry line open?", Slot.DATE, "year"),
        ("When did the harbour reopen?", Slot.DATE, ""),
        ("Where will the regatta be held?", Slot.PLACE, ""),
        ("Near which village does the potter have her studio?", Slot.PLACE, "village"),
        ("Which district near the border saw protests?", Slot.PLACE, "district"),
        ("Which company built the Cray bridge?", Slot.ORG, "company"),
        ("Which Renaissance painter gave his name to the ferry?", Slot.PERSON, "painter"),
        ("Which beer-like drink did the brewer launch?", Slot.THING, "drink"),
        ("What was the production budget of the film Low Tide?", Slot.AMOUNT, "budget"),
        ("What was the score of the cup final at Cray?", Slot.NUMBER, "score"),
        ("What was the score when Cray Rovers beat Skerrin in the cup?", Slot.NUMBER, "score"),
        ("What was the final scoreline once the replay at Cray was finished?", Slot.NUMBER, "scoreline"),
        ("Why did the ferry company cut its timetable?", Slot.REASON, ""),
        ("On what grounds was the skipper cleared?", Slot.REASON, "grounds"),
        ("What happened to the workers who arrived late?", Slot.OTHER, ""),
        ("Ann Vell, who spoke for the rowing union, is a lawyer at which firm?", Slot.ORG, "firm"),
    ],
)
def test_slot_of_question(question: str, slot: Slot, head: str) -> None:
    asked = asked_for(question)
    assert (asked.slot, asked.head) == (slot, head)


def test_who_said_questions_ask_for_the_speaker() -> None:
    assert asked_for("Which harbour official insisted the pier was safe?").speaker_question is True
    assert asked_for("Who argued that the ferry should be free?").speaker_question is True
    assert asked_for("Who built the Cray bridge?").speaker_question is False


def test_what_did_x_say_asks_for_a_statement() -> None:
    asked = asked_for("What did the harbourmaster say about the storm?")
    assert asked.slot == Slot.STATEMENT


@pytest.mark.parametrize(("question", "who", "topic"), [
    ("What did the harbourmaster say about the storm?", "What did the harbourmaster ", " about the storm?"),
    ("What has Ann Vell told the union on pay?", "What has Ann Vell ", " the union on pay?"),
    ("What did the harbourmaster do?", "What did the harbourmaster do?", ""),
])
def test_a_statement_question_splits_at_its_speech_verb(question: str, who: str, topic: str) -> None:
    assert statement_parts(question) == (who, topic)


def test_leading_when_clause_is_not_the_question() -> None:
    asked = asked_for("When the storm hit Cray, which skipper steered the ferry home?")
    assert (asked.slot, asked.head) == (Slot.PERSON, "skipper")


def test_names_years_and_numbers_of_a_question() -> None:
    query = parse_question("How many boats did Oswin Hale move to Lowmoor in 2004 after the 40 knot gale?")
    assert query.names == ("Oswin Hale", "Lowmoor")
    assert query.years == ("2004",)
    assert query.numbers == ("40",)
    assert "boat" in query.stems and "2004" in query.stems


def test_clauses_joined_by_and_are_parts() -> None:
    parts = split_parts("How much beer does Cray brew in a year, and how much cider does Lowmoor press?")
    assert parts == ["How much beer does Cray brew in a year?", "How much cider does Lowmoor press?"]


def test_coordinated_names_with_each_are_parts() -> None:
    parts = split_parts("How much did Harlow and Denby each pay to settle the Cray harbour case?")
    assert parts == [
        "How much did Harlow pay to settle the Cray harbour case?",
        "How much did Denby pay to settle the Cray harbour case?",
    ]


def test_possessive_conjuncts_are_parts() -> None:
    parts = split_parts("Where are Harlow's new bakery and Denby's proposed brewery to be built?")
    assert parts == ["Where are Harlow's new bakery to be built?", "Where are Denby's proposed brewery to be built?"]


@pytest.mark.parametrize(
    "question",
    [
        "In what year did the alliance between Harlow and Denby begin?",  # one relation, not two stories
        "What did the Court of Appeal rule on Harlow and Denby's joint claim?",
        "What did the Securities and Exchange Commission decide about Harlow?",  # one name
        "When Oswin Hale reached Cray, which ferry did he board?",  # a leading clause, one question
    ],
)
def test_one_story_questions_stay_whole(question: str) -> None:
    assert split_parts(question) == [question]


def test_a_part_that_refers_back_searches_with_the_other_names() -> None:
    parts = split_parts_with_context("Which ferry did Oswin Hale buy, and how much did it cost?")
    assert parts == [
        ("Which ferry did Oswin Hale buy?", "Which ferry did Oswin Hale buy?"),
        ("How much did it cost?", "How much did it cost? (Oswin Hale)"),
    ]


def test_a_part_with_its_own_subject_searches_alone() -> None:
    parts = split_parts_with_context("How many trees will Denby plant, and how much will a return ferry ticket cost?")
    assert parts[1] == ("How much will a return ferry ticket cost?", "How much will a return ferry ticket cost?")


def test_a_list_after_a_colon_is_parts() -> None:
    parts = split_parts("In which courts did Harlow sue: the one over the pier, and the one over the ferry?")
    assert parts == ["In which courts did Harlow sue: the one over the pier?", "In which courts did Harlow sue: the one over the ferry?"]


def test_parsed_parts_have_their_own_slots() -> None:
    query = parse_question("Which ferry did Oswin Hale buy, and how much did it cost?")
    assert [p.slot for p in query.parts] == [Slot.THING, Slot.AMOUNT]
    assert query.is_multi_part
