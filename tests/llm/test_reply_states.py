"""LLM mode's answer states through Assistant with LangChain's fake chat models, on the real
index of tests/llm/articles: citations the check attaches, the "not stated" reply, and the
parts of a two-part question recorded in the Answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from llm_support import BRIDGE_QUESTION

from assistant import ABSTENTION, Answer, Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.integration

TWO_PARTS = "How much did the Lindqvist Bridge cost, and who conducts the Valdmar Chamber Orchestra?"
BRIDGE_PART, ORCHESTRA_PART = "How much did the Lindqvist Bridge cost?", "Who conducts the Valdmar Chamber Orchestra?"
LISTED = f"Answer each part in its own sentence: (1) {BRIDGE_PART} (2) {ORCHESTRA_PART}"
# k=2 for each part, merged: [1] the bridge, [2] the orchestra (found for both parts), [3] chess
TWO_PART_TITLES = ["Harbour city opens the Lindqvist Bridge", "Valdmar Chamber Orchestra wins the Golden Lyre",
                   "Teenager wins the national chess championship"]


class Prompts(BaseCallbackHandler):
    """Records the messages every chat model call receives."""

    def __init__(self) -> None:
        self.calls: list[list[BaseMessage]] = []

    def on_chat_model_start(self, serialized: Any, messages: list[list[BaseMessage]], **kwargs: Any) -> None:
        self.calls.extend(messages)


@pytest.fixture
def ask(llm_index: Path, embedder: Any) -> Callable[..., tuple[Answer, str, list[list[BaseMessage]]]]:
    """ask(reply, question, k): the Answer of an Assistant whose model writes `reply`, the
    streamed text, and the prompts the model received."""
    def run(reply: str, question: str, k: int) -> tuple[Answer, str, list[list[BaseMessage]]]:
        prompts = Prompts()
        model = GenericFakeChatModel(messages=iter([AIMessage(reply)]), callbacks=[prompts])
        assistant = Assistant(data_dir=llm_index, llm=model, embedder=embedder, settings=Settings())
        *tokens, answer = assistant.stream(question, k=k)
        assert isinstance(answer, Answer) and answer.mode == "llm" and answer.fallback is None
        for c in answer.citations:
            article = assistant.article(c.article_id)
            assert article is not None and article.body[c.start : c.end] == c.quote
        return answer, "".join(str(t) for t in tokens), prompts.calls
    return run


def test_an_unmarked_sentence_a_passage_supports_gets_its_citation_attached(ask: Callable[..., Any]) -> None:
    reply = "The Lindqvist Bridge cost 120 million euros. It was painted gold by pirates."
    answer, streamed, _ = ask(reply, BRIDGE_QUESTION, 3)
    assert streamed == reply  # the stream is the model's own text
    assert answer.text == "The Lindqvist Bridge cost 120 million euros [1]. It was painted gold by pirates."
    attached, flagged = answer.sentences
    assert (attached.attached, attached.supported, attached.cites, attached.text) == (
        True, True, [1], "The Lindqvist Bridge cost 120 million euros [1].")
    assert (flagged.attached, flagged.supported, flagged.cites) == (False, False, [])
    assert re.fullmatch(r"cites no passage; none supports it \(closest \[\d\]: 0\.\d\d < 0\.50\)", flagged.reason or ""), flagged.reason
    assert [(c.n, c.attached, c.role) for c in answer.citations] == [(1, True, "answer")]
    assert answer.citations[0].quote == "The bridge cost 120 million euros and is expected to carry 30,000 cars a day."
    assert (answer.abstained, answer.reason, answer.unsupported) == (False, None, [flagged])


def test_a_reply_saying_the_articles_dont_say_is_the_not_stated_state(ask: Callable[..., Any]) -> None:
    reply = ("The articles don't say who designed the Lindqvist Bridge. "
             "The new Lindqvist Bridge in Norrvik opened on Monday after four years of work.")
    answer, _, _ = ask(reply, "Who designed the Lindqvist Bridge?", 2)
    assert (answer.abstained, answer.reason, answer.contested, answer.parts) == (True, "not_stated", False, [])
    assert answer.text == reply[:-1] + " [1]."
    assert [(c.n, c.role, c.attached) for c in answer.citations] == [(1, "related", True)]
    assert answer.citations[0].quote.startswith("The new Lindqvist Bridge in the harbour city of Norrvik opened")
    assert [(s.supported, s.cites) for s in answer.sentences] == [(True, []), (True, [1])]


def test_a_two_part_question_lists_its_parts_and_the_answer_records_them(ask: Callable[..., Any]) -> None:
    reply = "Petra Holm conducts the Valdmar Chamber Orchestra [2]. It cost 120 million euros [1]."
    answer, _, prompts = ask(reply, TWO_PARTS, 2)
    assert [p.title for p in answer.passages] == TWO_PART_TITLES
    (system, user), = prompts
    assert f"\n\nQuestion: {TWO_PARTS}\n{LISTED}\n" in user.content
    assert [p.model_dump(include={"question", "text", "abstained", "reason", "citations"}) for p in answer.parts] == [
        {"question": BRIDGE_PART, "text": "It cost 120 million euros [1].", "abstained": False, "reason": None, "citations": [1]},
        {"question": ORCHESTRA_PART, "text": "Petra Holm conducts the Valdmar Chamber Orchestra [2].", "abstained": False,
         "reason": None, "citations": [2]},
    ]
    assert (answer.abstained, answer.reason) == (False, None)
    assert [(c.n, c.role) for c in answer.citations] == [(1, "answer"), (2, "answer")]


def test_a_part_the_reply_leaves_out_is_recorded_as_not_stated(ask: Callable[..., Any]) -> None:
    answer, _, _ = ask("The Lindqvist Bridge cost 120 million euros [1].", TWO_PARTS, 2)
    bridge, orchestra = answer.parts
    assert (bridge.abstained, bridge.citations) == (False, [1])
    assert (orchestra.abstained, orchestra.reason, orchestra.citations) == (True, "not_stated", [])
    assert orchestra.text == "The articles don't say who conducts the Valdmar Chamber Orchestra."
    assert (answer.abstained, answer.reason) == (False, None)


def test_a_part_the_reply_says_is_not_stated_gives_related_citations(ask: Callable[..., Any]) -> None:
    reply = ("The Lindqvist Bridge cost 120 million euros [1]. The articles don't say who conducts the Valdmar "
             "Chamber Orchestra. The orchestra won the Golden Lyre award in Vienna [2].")
    answer, _, _ = ask(reply, TWO_PARTS, 2)
    assert [(p.abstained, p.reason, p.citations) for p in answer.parts] == [(False, None, [1]), (True, "not_stated", [2])]
    assert [(c.n, c.role) for c in answer.citations] == [(1, "answer"), (2, "related")]
    assert (answer.abstained, answer.reason) == (False, None)


def test_the_abstention_reply_to_a_two_part_question(ask: Callable[..., Any]) -> None:
    answer, _, _ = ask(ABSTENTION, TWO_PARTS, 2)
    assert (answer.text, answer.abstained, answer.reason) == (ABSTENTION, True, "not_found")
    assert [(p.question, p.abstained, p.reason) for p in answer.parts] == [
        (BRIDGE_PART, True, "not_found"), (ORCHESTRA_PART, True, "not_found")]


def test_the_chain_lists_the_parts_and_records_them(llm_index: Path, embedder: Any) -> None:
    prompts = Prompts()
    model = GenericFakeChatModel(messages=iter([AIMessage("It cost 120 million euros [1]. Petra Holm conducts it [2].")]))
    assistant = Assistant(data_dir=llm_index, llm=model, embedder=embedder)
    result = assistant.chain(k=2).invoke({"question": TWO_PARTS, "history": []}, {"callbacks": [prompts]})
    (_, user), = prompts.calls
    assert f"\n\nQuestion: {TWO_PARTS}\n{LISTED}\n" in user.content
    assert [p.text for p in result["query"].parts] == [BRIDGE_PART, ORCHESTRA_PART]
    answer = result["answer"]
    assert [(p.question, p.citations, p.abstained) for p in answer.parts] == [(BRIDGE_PART, [1], False), (ORCHESTRA_PART, [2], False)]
