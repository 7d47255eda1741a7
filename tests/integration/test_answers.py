"""Answers to questions asked in a reader's own words, end to end with the real embedding
model, Chroma and SQLite on small fixture articles (tests/fixtures/answers): the answer
sentence, its speaker, "not stated", two-part questions, contested claims, cross-heads."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, MakeAssistant

from assistant import Answer, Assistant

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, make_assistant: MakeAssistant) -> Assistant:
    root = tmp_path_factory.mktemp("answers")
    shutil.copytree(FIXTURES / "answers", root / "articles")
    assistant = make_assistant(root / "data")
    report = assistant.index([root / "articles"])
    assert len(report.added) == 6
    return assistant


def test_question_word_pieces_by_part_of_speech(embedder: Any) -> None:
    from assistant.features import content_indices, piece_groups

    question = "Which firm agreed to lease the old Cray mill?"  # "Cray" is two word-pieces, both a name
    tokens = embedder.embed_tokens([question])[0]
    groups = dict(zip([tokens.tokens[i] for i in content_indices(tokens)], piece_groups(question, tokens), strict=True))
    assert groups == {"firm": "noun", "agreed": "verb", "lease": "verb", "old": "mod", "cr": "propn", "##ay": "propn", "mill": "noun"}


def quotes(answer: Answer, role: str = "answer") -> list[str]:
    return [c.quote for c in answer.citations if c.role == role]


def test_every_citation_is_verbatim_at_its_offsets(desk: Assistant) -> None:
    answer = desk.ask("How much will a return ferry ticket cost after the rise?")
    assert answer.citations
    for citation in answer.citations:
        body = desk.article(citation.article_id).body  # type: ignore[union-attr]
        assert body[citation.start : citation.end] == citation.quote


def test_paraphrased_amount_question(desk: Assistant) -> None:
    answer = desk.ask("What will islanders pay for a round trip to the mainland on the boat?")
    assert not answer.abstained
    assert quotes(answer)[0] == "A return ticket to the mainland will cost 14 crowns, up from 11 crowns, Skerrin Ferries said."
    assert answer.citations[0].value == "14 crowns"


def test_who_said_names_the_speaker_named_in_the_sentence(desk: Assistant) -> None:
    answer = desk.ask("Which executive blamed the fare increase on the cost of fuel?")
    assert not answer.abstained
    assert "Ilse Varga" in answer.text
    assert answer.citations[0].value == "Ilse Varga"


def test_who_said_with_a_pronoun_cites_the_sentence_naming_the_speaker(desk: Assistant) -> None:
    answer = desk.ask("Who said they had watched thirty years of storms from the gallery?")
    assert not answer.abstained
    assert quotes(answer)[0].startswith('"I have watched every storm')
    assert quotes(answer, "context") == ["Mr Ostrander took over the light in 1974 from his father."]
    speaker = next(c for c in answer.citations if c.quote.startswith('"I have watched every storm'))
    assert speaker.value == "Ostrander"


def test_not_stated_says_so_and_shows_related_sentences(desk: Assistant) -> None:
    answer = desk.ask("How much did the Harlow Trust pay for the Cray harbour mill?")
    assert answer.abstained
    assert answer.reason == "not_stated"
    assert answer.text.startswith("The articles don't say how much the Harlow Trust paid for the Cray harbour mill.")
    assert answer.citations and {c.role for c in answer.citations} == {"related"}
    assert answer.citations[0].title == "Harlow Trust buys Cray harbour mill"


def test_nothing_about_the_subject_is_not_found(desk: Assistant) -> None:
    answer = desk.ask("Who won the chess olympiad in Reykjavik?")
    assert answer.abstained
    assert answer.reason == "not_found"
    assert answer.citations == []


def test_two_part_question_answers_each_part(desk: Assistant) -> None:
    answer = desk.ask("How many apple trees will Denby Orchards plant, and how much will a return ferry ticket cost?")
    assert [p.question for p in answer.parts] == [
        "How many apple trees will Denby Orchards plant?", "How much will a return ferry ticket cost?",
    ]
    assert not any(p.abstained for p in answer.parts)
    assert "4,000" in answer.parts[0].text and "14 crowns" in answer.parts[1].text
    assert "4,000" in answer.text and "14 crowns" in answer.text


def test_contested_fact_gives_each_side_attributed(desk: Assistant) -> None:
    answer = desk.ask("Who damaged the Cray pier?")
    assert not answer.abstained
    assert answer.contested
    said = " ".join(quotes(answer))
    assert "accused Skerrin Ferries" in said and "Skerrin Ferries has claimed" in said


def test_what_x_said_about_y_cites_what_x_said_about_y(desk: Assistant) -> None:
    answer = desk.ask("What did Tamsin Rook say about the harbour wall?")
    assert not answer.abstained
    said = quotes(answer)
    assert said[0].startswith("Council leader Tamsin Rook said the wall had been patched")
    assert not any("regatta" in q for q in said)  # she said it, but not about the wall
    assert answer.contested and said[-1].startswith("Harbourmaster Oswin Hale said Ms Rook's claims")  # disputed


def test_what_x_said_about_y_is_not_someone_elses_words(desk: Assistant) -> None:
    answer = desk.ask("What did Tamsin Rook say about the ferry fares?")  # she spoke of the wall and the regatta
    assert answer.abstained
    assert {c.role for c in answer.citations} <= {"related"}


def test_crossheads_are_never_cited(desk: Assistant) -> None:
    answer = desk.ask("Did islanders protest against the ferry fares?")
    assert all(c.quote != "Islanders protest" for c in answer.citations)


def test_stream_ends_with_the_answer_ask_returns(desk: Assistant) -> None:
    items = list(desk.stream("How many seasonal pickers does Denby Orchards employ?", mode="extractive"))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert "".join(i for i in items[:-1] if isinstance(i, str)) == answer.text
    assert answer.text == desk.ask("How many seasonal pickers does Denby Orchards employ?").text
    assert "85 seasonal pickers" in answer.text


def test_extractive_mode_is_used_when_asked_even_with_a_model_configured(tmp_path: Path, make_assistant: MakeAssistant, desk: Assistant) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    model = FakeListChatModel(responses=["A made-up answer [1]."])
    with_model = Assistant(data_dir=desk.settings.data_dir, llm=model, embedder=desk.store.embedder)
    answer = with_model.ask("How many seasonal pickers does Denby Orchards employ?", mode="extractive")
    assert answer.mode == "extractive"
    assert "85 seasonal pickers" in answer.text
