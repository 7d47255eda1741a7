"""The citation check: markers, sentences, abstention, and support measured with the real
embedding model against passages of a real index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llm_support import BRIDGE_QUESTION

from assistant.generative.check import (
    check_reply,
    cited_numbers,
    drop_unknown_markers,
    is_abstention,
    key_terms,
    split_sentences,
    strip_markers,
)
from assistant.types import ABSTENTION, Passage

THRESHOLD = 0.5


def test_markers_are_parsed_in_every_common_form() -> None:
    assert cited_numbers("A [1]. B [2][3]. C [4, 5]; D [6;7].") == [1, 2, 3, 4, 5, 6, 7]
    assert strip_markers("The bridge opened [1] on Monday [2, 3] .") == "The bridge opened on Monday."


def test_markers_naming_no_supplied_passage_are_removed_and_recorded() -> None:
    assert drop_unknown_markers("A [1][7]. B [2, 9]. C [0].", supplied=3) == ("A [1]. B [2]. C.", [0, 7, 9])


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    text = "The bridge opened on Monday. [1] It cost a lot. [2][3]"
    assert [text[s:e] for s, e in split_sentences(text)] == ["The bridge opened on Monday. [1]", "It cost a lot. [2][3]"]


def test_a_marker_after_a_closing_quote_at_the_end_belongs_to_the_quote() -> None:
    text = 'It opened. [2] He said: "We are proud of it." [1]'
    assert [text[s:e] for s, e in split_sentences(text)] == ["It opened. [2]", 'He said: "We are proud of it." [1]']


def test_names_are_read_word_by_word_like_the_passage() -> None:
    assert key_terms("Winn-Dixie's creditor Kraft Foods won.") == (set(), {"winn", "dixi", "kraft", "food"})


@pytest.mark.parametrize("reply", [ABSTENTION, "I couldn’t find that in the indexed articles [1].", "i couldnt find that in the indexed articles"])
def test_the_abstention_sentence_is_recognised(reply: str) -> None:
    assert is_abstention(reply)


def test_key_terms_are_numbers_and_names() -> None:
    assert key_terms("Yes, Berlin hosted 3,000 fans in 2004.") == ({"3000", "2004"}, {"berlin"})


@pytest.fixture(scope="module")
def bridge(llm_index: Path, make_assistant: Callable[..., Any]) -> tuple[Any, list[Passage]]:
    """The assistant over the LLM test index and the passages for the bridge question,
    the bridge article first."""
    assistant = make_assistant(llm_index)
    passages = assistant.search(BRIDGE_QUESTION, k=3)
    assert passages[0].title == "Harbour city opens the Lindqvist Bridge"
    return assistant, passages


def check(bridge: tuple[Any, list[Passage]], reply: str) -> Any:
    assistant, passages = bridge
    return check_reply(reply, passages, assistant.store.embedder.embed, THRESHOLD, BRIDGE_QUESTION)


@pytest.mark.integration
def test_a_supported_claim_gets_the_verbatim_sentence_with_body_offsets(bridge: tuple[Any, list[Passage]]) -> None:
    result = check(bridge, "The Lindqvist Bridge cost 120 million euros [1].")
    (sentence,) = result.sentences
    assert sentence.supported and sentence.score >= THRESHOLD and sentence.cites == [1]
    (citation,) = result.citations
    body = bridge[0].article(citation.article_id).body
    assert citation.quote == body[citation.start : citation.end]
    assert citation.quote.startswith("The bridge cost 120 million euros")
    assert sentence.support == citation and not result.abstained


@pytest.mark.integration
@pytest.mark.parametrize(("claim", "reason"), [
    ("The Lindqvist Bridge cost 500 million euros [1].", "'500' not in the cited passage"),
    ("The bridge was opened by Mayor Jonas Berg [1].", "'Berg', 'Jonas' not in the cited passage"),
    ("The bridge carries trains and ferries [1].", "weak support"),
    ("The bridge was painted gold by pirates.", "cites no passage; none supports it (closest ["),
    ("The bridge was opened by King Harald.", "cites no passage; none supports it ('Harald', 'King' not in the closest, ["),
])
def test_a_wrong_or_uncited_claim_is_flagged_unsupported(bridge: tuple[Any, list[Passage]], claim: str, reason: str) -> None:
    (sentence,) = check(bridge, claim).sentences
    assert not sentence.supported
    assert sentence.reason is not None and sentence.reason.startswith(reason), sentence.reason


@pytest.mark.integration
def test_a_true_claim_citing_the_wrong_passage_is_flagged(bridge: tuple[Any, list[Passage]]) -> None:
    _, passages = bridge
    wrong = next(n for n, p in enumerate(passages, start=1) if "Bridge" not in p.title)
    (sentence,) = check(bridge, f"The bridge cost 120 million euros [{wrong}].").sentences
    assert not sentence.supported


@pytest.mark.integration
def test_one_citation_per_marker_and_one_check_per_sentence(bridge: tuple[Any, list[Passage]]) -> None:
    reply = ("The Lindqvist Bridge opened on Monday after four years of work [1]. "
             "Mayor Ana Ferreira said it would halve commuting times [1][9]. It is painted gold [1].")
    result = check(bridge, reply)
    assert result.removed_markers == [9] and "[9]" not in result.text
    assert [s.supported for s in result.sentences] == [True, True, False]
    assert [c.n for c in result.citations] == [1]  # the best-supported quote of passage 1
    assert [result.text[s.start : s.end] for s in result.sentences] == [s.text for s in result.sentences]
    assert result.sentences[1].support.quote.startswith("Mayor Ana Ferreira said")


@pytest.mark.integration
def test_the_abstention_reply_sets_abstained(bridge: tuple[Any, list[Passage]]) -> None:
    result = check(bridge, "I couldn't find that in the indexed articles.")
    assert result.abstained and result.text == ABSTENTION and result.citations == [] and result.sentences == []


@pytest.mark.integration
def test_an_uncited_claim_a_passage_supports_gets_its_marker_attached(bridge: tuple[Any, list[Passage]]) -> None:
    result = check(bridge, "The bridge cost 120 million euros.")
    assert result.text == "The bridge cost 120 million euros [1]."
    (sentence,) = result.sentences
    assert (sentence.supported, sentence.attached, sentence.cites, sentence.reason) == (True, True, [1], None)
    assert sentence.text == result.text and sentence.score >= THRESHOLD
    (citation,) = result.citations
    assert citation.attached and citation.n == 1 and citation.quote.startswith("The bridge cost 120 million euros")
    assert sentence.support == citation


@pytest.mark.integration
def test_attached_markers_move_the_offsets_of_the_sentences_after_them(bridge: tuple[Any, list[Passage]]) -> None:
    reply = "The Lindqvist Bridge opened on Monday after four years of work. It carries 30,000 cars a day [1]. It is painted gold."
    result = check(bridge, reply)
    assert result.text == ("The Lindqvist Bridge opened on Monday after four years of work [1]. "
                           "It carries 30,000 cars a day [1]. It is painted gold.")
    assert [(s.attached, s.supported) for s in result.sentences] == [(True, True), (False, True), (False, False)]
    assert [result.text[s.start : s.end] for s in result.sentences] == [s.text for s in result.sentences]


@pytest.mark.integration
def test_the_articles_dont_say_is_a_statement_not_a_claim(bridge: tuple[Any, list[Passage]]) -> None:
    reply = ("The articles don't say who designed the Lindqvist Bridge. "
             "The new Lindqvist Bridge opened on Monday after four years of work [1].")
    result = check(bridge, reply)
    assert result.not_stated and result.abstained and result.text == reply
    statement, related = result.sentences
    assert (statement.supported, statement.cites, statement.reason, statement.attached) == (True, [], None, False)
    assert related.supported and related.cites == [1]
    assert [c.quote[:26] for c in result.citations] == ["The new Lindqvist Bridge i"]


@pytest.mark.integration
def test_the_articles_dont_say_later_in_the_reply_is_not_flagged(bridge: tuple[Any, list[Passage]]) -> None:
    result = check(bridge, "The bridge cost 120 million euros [1]. The articles don't say who painted it.")
    assert [(s.supported, s.reason) for s in result.sentences] == [(True, None), (True, None)]
    assert result.not_stated and [c.n for c in result.citations] == [1]
