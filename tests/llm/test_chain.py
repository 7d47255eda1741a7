"""The LCEL chain and Assistant's LLM mode with LangChain's fake chat models: prompt
filling, condensing, streaming, the check in the pipeline, and falling back when the model
fails (real HTTP on 127.0.0.1 for the failures)."""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from llm_support import BRIDGE_QUESTION
from support import free_port
from typer.testing import CliRunner

from assistant import ABSTENTION, Answer, Assistant, ConfigError
from assistant.cli import app
from assistant.settings import GenerationSettings, Settings

pytestmark = pytest.mark.integration

TRUE_AND_FALSE = "The bridge cost 120 million euros [1]. It was opened by King Harald [1][8]."


class Prompts(BaseCallbackHandler):
    """Records the messages every chat model call receives."""

    def __init__(self) -> None:
        self.calls: list[list[BaseMessage]] = []

    def on_chat_model_start(self, serialized: Any, messages: list[list[BaseMessage]], **kwargs: Any) -> None:
        self.calls.extend(messages)


def fake(*replies: str) -> GenericFakeChatModel:
    """A chat model that streams these replies, word by word, one per call."""
    return GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))


@pytest.fixture
def make_llm(llm_index: Path, embedder: Any) -> Callable[..., Assistant]:
    def make(model: Any, **settings: Any) -> Assistant:
        return Assistant(data_dir=llm_index, llm=model, embedder=embedder, settings=Settings(**settings))
    return make


def test_the_answer_prompt_holds_numbered_passages_the_question_and_the_abstention(make_llm: Callable[..., Assistant]) -> None:
    assistant, prompts = make_llm(fake("The bridge cost 120 million euros [1].")), Prompts()
    result = assistant.chain(k=2).invoke({"question": BRIDGE_QUESTION, "history": []}, {"callbacks": [prompts]})
    (messages,) = prompts.calls  # no history: no condense call
    system, user = messages
    assert ABSTENTION in system.content and "{abstention}" not in system.content
    assert user.content.startswith("Passages:\n\n[1] Harbour city opens the Lindqvist Bridge\n")
    assert re.findall(r"^\[(\d+)\] ", user.content, re.MULTILINE) == ["1", "2"]  # k=2 passages
    assert f"\n\nQuestion: {BRIDGE_QUESTION}\n" in user.content
    assert [p.title for p in result["passages"]][0] == "Harbour city opens the Lindqvist Bridge"
    assert isinstance(result["answer"], Answer) and result["answer"].text == result["reply"]


def test_a_follow_up_is_condensed_with_the_history_and_retrieval_uses_it(make_llm: Callable[..., Assistant]) -> None:
    model = fake("Who conducts the Valdmar Chamber Orchestra?", "Petra Holm conducts it [1].")
    assistant, prompts = make_llm(model), Prompts()
    history = [("Which orchestra won the Golden Lyre?", "The Valdmar Chamber Orchestra [1].")]
    answer = assistant.chain().invoke({"question": "And who conducts it?", "history": history}, {"callbacks": [prompts]})["answer"]
    condense, _ = prompts.calls
    assert "User: Which orchestra won the Golden Lyre?\nAssistant: The Valdmar Chamber Orchestra [1]." in condense[1].content
    assert condense[1].content.rstrip().endswith("Follow-up question: And who conducts it?\n\nStandalone question:")
    assert answer.standalone_question == "Who conducts the Valdmar Chamber Orchestra?"
    assert answer.passages[0].title == "Valdmar Chamber Orchestra wins the Golden Lyre"
    assert [s.supported for s in answer.sentences] == [True]


def test_chat_messages_work_as_history_too(make_llm: Callable[..., Assistant]) -> None:
    assistant = make_llm(fake("Who conducts the Valdmar Chamber Orchestra?", "Petra Holm conducts it [1]."))
    history = [{"role": "user", "content": "Which orchestra won the Golden Lyre?"},
               {"role": "assistant", "content": "The Valdmar Chamber Orchestra [1]."}]
    assert assistant.ask("And who conducts it?", history).sentences[0].supported


def test_stream_yields_tokens_as_they_come_then_the_checked_answer(make_llm: Callable[..., Assistant]) -> None:
    items = list(make_llm(fake(TRUE_AND_FALSE)).stream(BRIDGE_QUESTION, k=3))
    *tokens, answer = items
    assert len(tokens) > 10 and all(isinstance(t, str) for t in tokens)
    assert "".join(tokens) == TRUE_AND_FALSE  # the raw reply, as written
    assert isinstance(answer, Answer) and answer.mode == "llm" and answer.model == "GenericFakeChatModel"
    assert answer.text == "The bridge cost 120 million euros [1]. It was opened by King Harald [1]."
    assert answer.removed_markers == [8]
    assert [(s.supported, s.reason) for s in answer.sentences] == [
        (True, None), (False, "'Harald', 'King' not in the cited passage")]
    assert [s.text for s in answer.unsupported] == ["It was opened by King Harald [1]."]
    assert answer.timings["total"] >= answer.timings["first_token"] > 0


def test_the_chain_composes(make_llm: Callable[..., Assistant]) -> None:
    checked = make_llm(fake("The bridge cost 120 million euros [1].")).chain(k=2) | itemgetter("answer")
    answer = checked.invoke({"question": BRIDGE_QUESTION, "history": []})
    assert answer.citations[0].quote.startswith("The bridge cost 120 million euros")


def test_no_passages_means_abstention_without_calling_the_model(make_llm: Callable[..., Assistant]) -> None:
    prompts = Prompts()
    result = make_llm(fake()).chain(outlet="Nowhere Gazette").invoke({"question": BRIDGE_QUESTION, "history": []}, {"callbacks": [prompts]})
    assert prompts.calls == [] and result["answer"].abstained and result["answer"].text == ABSTENTION


def test_the_model_abstaining_sets_abstained(make_llm: Callable[..., Assistant]) -> None:
    answer = make_llm(fake(ABSTENTION)).ask("Who painted the bridge?")
    assert answer.abstained and answer.citations == [] and answer.mode == "llm"


def test_mode_switch_between_extractive_and_llm(make_llm: Callable[..., Assistant], llm_index: Path, embedder: Any) -> None:
    assistant = make_llm(fake("unused"))
    assert assistant.ask(BRIDGE_QUESTION, mode="extractive").mode == "extractive"
    with pytest.raises(ConfigError, match="NEWSDESK_LLM"):
        Assistant(data_dir=llm_index, embedder=embedder).ask(BRIDGE_QUESTION, mode="llm")


def openai_at(url: str, **generation: Any) -> dict[str, Any]:
    """Settings of an openai: backend at url (the model string comes from NEWSDESK_LLM's field)."""
    return {"llm": "openai:some-model", "generation": GenerationSettings(base_url=url, max_retries=0, **generation)}


def assert_extractive_fallback(answer: Answer, says: str) -> None:
    assert answer.question == BRIDGE_QUESTION and answer.mode == "extractive"
    assert answer.fallback and says in answer.fallback and "extractive answer" in answer.fallback
    assert answer.citations and "120 million euros" in answer.text


def test_server_down_falls_back_to_the_extractive_answer(make_llm: Callable[..., Assistant]) -> None:
    assistant = make_llm(None, **openai_at(f"http://127.0.0.1:{free_port()}/v1", timeout=5))
    assert_extractive_fallback(assistant.ask(BRIDGE_QUESTION), "cannot reach the model server")


def test_a_slow_server_times_out_and_falls_back(make_llm: Callable[..., Assistant], failing_server: Callable[..., Any]) -> None:
    server = failing_server(200, {}, delay=5)
    assistant = make_llm(None, **openai_at(server.url, timeout=1))
    *_, answer = assistant.stream(BRIDGE_QUESTION)
    assert_extractive_fallback(answer, "did not answer in time")
    assert server.requests == 1


def test_an_unknown_model_falls_back(make_llm: Callable[..., Assistant], failing_server: Callable[..., Any]) -> None:
    body = {"error": {"message": "The model `some-model` does not exist", "type": "invalid_request_error", "code": "model_not_found"}}
    assistant = make_llm(None, **openai_at(failing_server(404, body).url))
    assert_extractive_fallback(assistant.ask(BRIDGE_QUESTION), "does not know this model")


def test_a_missing_key_falls_back_and_says_what_to_set(make_llm: Callable[..., Assistant], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert_extractive_fallback(make_llm("openai:gpt-4o-mini").ask(BRIDGE_QUESTION), "set OPENAI_API_KEY")


def test_ollama_down_falls_back(make_llm: Callable[..., Assistant], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    assert_extractive_fallback(make_llm("ollama:llama3.2").ask(BRIDGE_QUESTION), "cannot reach the model server")


def test_cli_ask_with_a_dead_server_says_so_and_answers_extractively(llm_index: Path) -> None:
    result = CliRunner().invoke(app, [
        "ask", BRIDGE_QUESTION, "--data-dir", str(llm_index),
        "--llm", "openai:x", "--base-url", f"http://127.0.0.1:{free_port()}/v1",
    ])
    assert result.exit_code == 0, result.output
    assert "note: cannot reach the model server" in result.output
    assert "120 million euros" in result.output and "Sources" in result.output


def test_cli_chat_with_a_dead_server_keeps_going(llm_index: Path) -> None:
    result = CliRunner().invoke(app, [
        "chat", "--data-dir", str(llm_index), "--llm", "openai:x", "--base-url", f"http://127.0.0.1:{free_port()}/v1",
    ], input=f"{BRIDGE_QUESTION}\nAnd when did it open?\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("note: cannot reach the model server") == 2
    assert "120 million euros" in result.output  # the first question, answered extractively
