"""Mentions (numbers, money, names) and speakers of quoted and reported sentences; the
sentence Newsdesk writes when the articles do not state the answer."""

from __future__ import annotations

import pytest

from assistant.evidence import as_people, is_crosshead
from assistant.mentions import Mention, MentionTagger, regex_mentions
from assistant.phrasing import indirect_question, not_stated
from assistant.speakers import is_reported, resolve_speakers, unquoted

TAGGER = MentionTagger()


def kinds(sentence: str) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in TAGGER.tag([sentence])[0]]


def test_regex_mentions_find_money_percentages_years_and_quantities() -> None:
    found = [(m.kind, m.text) for m in regex_mentions("Harlow paid $15.5m in 2004, up 12% on the 2kW plant's cost of 3,000 crowns.")]
    assert ("MONEY", "$15.5m") in found
    assert ("DATE", "2004") in found
    assert ("PERCENT", "12%") in found
    assert ("QUANTITY", "2kW") in found


def test_a_website_is_an_organisation_and_an_email_address_is_not() -> None:
    found = [(m.kind, m.text) for m in regex_mentions("Vell launched a website called harbourradio.com; write to ann@cray.org.")]
    assert ("ORG", "harbourradio.com") in found
    assert not any("cray.org" in text for _, text in found)


def test_spacy_names_people_and_keeps_regex_figures() -> None:
    found = kinds("The harbourmaster, Oswin Hale, said the repairs at Cray would cost £40,000.")
    assert ("PERSON", "Oswin Hale") in found
    assert ("MONEY", "£40,000") in found


def test_a_currency_figure_spacy_reads_as_a_date_or_number_stays_money() -> None:
    found = kinds("The new harbour song is now on sale for 79p, with the label giving a further 70p to the lifeboat fund.")
    assert ("MONEY", "79p") in found
    assert ("MONEY", "70p") in found


def test_offsets_locate_each_mention() -> None:
    sentence = "The ferry carried 2,234 passengers to Lowmoor."
    for mention in TAGGER.tag([sentence])[0]:
        assert sentence[mention.start : mention.end] == mention.text


def test_speaker_named_beside_the_verb_outside_the_quote() -> None:
    sentences = ['"The pier is safe," harbourmaster Oswin Hale said.']
    speakers = resolve_speakers(sentences, TAGGER.tag(sentences))
    assert speakers[0] is not None and speakers[0].name == "Oswin Hale"
    assert speakers[0].role == "harbourmaster"


@pytest.mark.parametrize(("sentence", "role"), [
    ("The secretary of the Lowmoor rowing union, Ann Vell, said the regatta would go ahead.", "The secretary of the Lowmoor rowing union"),
    ("Cray's harbour master, Oswin Hale, said the pier was safe.", "Cray's harbour master"),
    ("In Lowmoor, Oswin Hale said the pier was safe.", ""),
])
def test_a_role_set_off_by_commas_before_the_name_is_the_speakers(sentence: str, role: str) -> None:
    speakers = resolve_speakers([sentence], TAGGER.tag([sentence]))
    assert speakers[0] is not None and speakers[0].role == role


def test_a_pronoun_speaker_is_the_one_named_before() -> None:
    sentences = [
        "Oswin Hale, the harbourmaster at Cray, spoke to reporters on Friday.",
        'Mr Hale said: "We will reopen the pier in March."',
        "Fishermen moved their boats to Lowmoor.",
        '"It will cost more than we hoped," he added.',
    ]
    speakers = resolve_speakers(sentences, TAGGER.tag(sentences))
    assert speakers[1] is not None and speakers[1].name == "Hale"
    assert speakers[2] is None
    assert speakers[3] is not None and (speakers[3].name, speakers[3].sentence) == ("Hale", 1)


def test_they_accused_is_attributed_to_the_previous_subject() -> None:
    sentences = [
        "The island fishermen, who own most of the boats, are based at Lowmoor.",
        "They have accused the ferry company of cutting the winter timetable.",
    ]
    speakers = resolve_speakers(sentences, TAGGER.tag(sentences))
    assert speakers[1] is not None
    assert (speakers[1].name, speakers[1].sentence) == ("The island fishermen", 0)


def test_the_object_of_accused_is_not_its_speaker() -> None:
    sentences = ["Harlow accused Denby of lying about the pier."]
    speakers = resolve_speakers(sentences, TAGGER.tag(sentences))
    assert speakers[0] is not None and speakers[0].name == "Harlow"


def test_unquoted_blanks_quotes_and_keeps_offsets() -> None:
    text = 'He said "the pier is safe" on Friday.'
    blanked = unquoted(text)
    assert len(blanked) == len(text) and "pier" not in blanked and blanked.endswith("on Friday.")
    assert is_reported(text) and not is_reported("The pier reopened on Friday.")


@pytest.mark.parametrize(
    ("question", "indirect"),
    [
        ("How much did the Harlow Trust pay for the old mill?", "how much the Harlow Trust paid for the old mill"),
        ("How much does the Cray ferry cost in winter?", "how much the Cray ferry costs in winter"),
        ("How much compensation was skipper Ada Rook finally awarded?", "how much compensation skipper Ada Rook was finally awarded"),
        ("At what price will the Cray ferry be sold to the council?", "at what price the Cray ferry will be sold to the council"),
        ("Which company built the Cray bridge?", "which company built the Cray bridge"),
        # the verb comes after the subject, not at its first word that could be one ("ferry")
        ("Why did ferry crews on the Cray route walk out?", "why ferry crews on the Cray route walked out"),
        # a lower-case word inside a title is no verb ("engineer")
        ("How old is Chief engineer Ada Rook?", "how old Chief engineer Ada Rook is"),
        # a passive question: the participle is the verb ("filmed"), not the end of the clause
        ("Where was most of the Cray documentary filmed?", "where most of the Cray documentary was filmed"),
        ("How many copies has the Lowmoor guidebook sold?", "how many copies the Lowmoor guidebook has sold"),
        # no inversion to undo: the wh-phrase is the subject
        ("How many adults were polled for the Harlow survey?", "how many adults were polled for the Harlow survey"),
        ("Which pier is under repair according to the harbourmaster?", "which pier is under repair according to the harbourmaster"),
        ("Who is in charge of the Cray ferry inquiry?", "who is in charge of the Cray ferry inquiry"),
        ("What is the name of the Cray ferry?", "what the name of the Cray ferry is"),
        ("Which harbour official insisted the town already had enough ferries?",
         "which harbour official insisted the town already had enough ferries"),
        # "be" is the main verb; "reached" belongs to the subject's own clause
        ("How big was the settlement the ferry firms reached with the council?",
         "how big the settlement the ferry firms reached with the council was"),
        # an infinitive after the verb is not the verb, even where spaCy reads "launch" as a noun
        ("What website did Ann Vell and her friends launch to play Cornish folk music?",
         "what website Ann Vell and her friends launched to play Cornish folk music"),
        # a participle that closes the clause is the verb, whatever follows the comma
        ("How quickly was the ferry licence application by Ann Vell's company processed, according to the harbour board?",
         "how quickly the ferry licence application by Ann Vell's company was processed, according to the harbour board"),
        # two parts, each turned
        ("How much did Ada Rook pay for the mill, and who did she sell it to?", "how much Ada Rook paid for the mill, and who she sold it to"),
    ],
)
def test_indirect_questions(question: str, indirect: str) -> None:
    assert indirect_question(question) == indirect


def test_not_stated_sentence_and_its_fallback() -> None:
    assert not_stated("How much did the Harlow Trust pay for the old mill?") == (
        "The articles don't say how much the Harlow Trust paid for the old mill."
    )
    assert not_stated("Cray ferry fares?") == 'The articles don\'t answer "Cray ferry fares?"'


def test_crossheads_are_short_headline_lines() -> None:
    body = "The pier reopened on Friday.\n\nStorm damage repaired\n\nRepairs cost 40,000 crowns, the council said."
    heading = body.index("Storm")
    assert is_crosshead(body, heading, heading + len("Storm damage repaired"))
    assert not is_crosshead(body, 0, len("The pier reopened on Friday."))


def test_reason_clauses_are_mentions_beside_the_names_inside_them() -> None:
    found = [(m.kind, m.text) for m in regex_mentions("Crews walked out in a dispute over night pay, and Ada Rook quit because of the Cray closure.")]
    assert ("REASON", "in a dispute over night pay") in found
    assert ("REASON", "because of the Cray closure") in found
    assert ("NAME", "Cray") in found


def test_money_in_crowns() -> None:
    assert ("MONEY", "14 crowns") in [(m.kind, m.text) for m in regex_mentions("A return ticket will cost 14 crowns.")]


def test_a_name_the_article_also_gives_with_a_title_is_a_person() -> None:
    mentions = (Mention("GPE", "Marta Quill", 0, 11), Mention("ORG", "Harbour Bank", 20, 32), Mention("ORG", "Oswin Hale", 40, 50))
    people = as_people(mentions, {"Quill"})  # the article says "Ms Quill"; nobody is "Mr Hale"
    assert [(m.kind, m.text) for m in people] == [("PERSON", "Marta Quill"), ("ORG", "Harbour Bank"), ("ORG", "Oswin Hale")]


@pytest.mark.parametrize(
    ("sentence", "scores"),
    [
        ("Cray Rovers won 3-1 at Skerrin.", ["3-1"]),
        ("Rook won 6-3 3-6 6-3 in the final.", ["6-3 3-6 6-3"]),
        ("Rook won 6-4, 6-2 in Cray.", ["6-4, 6-2"]),
        ("Skerrin drew 11–9 with Cray.", ["11–9"]),
        ("The 2003-04 season brought tickets at 1,050-1,125 crowns.", []),
        ("The repairs take 10-12 weeks.", []),
    ],
)
def test_match_scores_are_mentions(sentence: str, scores: list[str]) -> None:
    assert [m.text for m in regex_mentions(sentence) if m.kind == "SCORE"] == scores
