"""How the page shows the states of an answer in a real browser: "not stated" (related
sentences, never presented as the answer), "accounts differ" (each side attributed) and the
Extractive switch of a server that also
has a language model (it must answer extractively when switched so)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_ui_browser import ask, open_page
from test_ui_llm import smollm2_path
from ui_support import Server, index_through_api, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_not_stated_is_shown_as_its_own_state(page: Any, server: Server) -> None:
    open_page(page, server)
    answer = ask(page, "How much did Mayor Elena Ruiz pay for the Portvale harbour bridge inspection?")
    assert "nd-not-stated" in (answer.get_attribute("class") or "")
    label = answer.locator(".nd-state-label").text_content() or ""  # as written, before CSS upper-cases it
    assert label.startswith("Not stated in the articles")
    text = answer.locator(".nd-answer-text").inner_text()
    assert text.startswith("The articles don't say how much Mayor Elena Ruiz paid for the Portvale harbour bridge inspection.")
    cards = page.locator(".nd-turn-sources:not([hidden]) .nd-card")
    assert cards.count() >= 1
    assert all(t == "related, not the answer" for t in cards.locator(".nd-role").all_inner_texts())
    assert "Portvale closes its harbour bridge" in cards.first.locator(".nd-title").inner_text()


def test_contested_claims_are_shown_as_their_own_state(page: Any, server: Server) -> None:
    open_page(page, server)
    answer = ask(page, "Who broke the Millbrook lock gate?")
    assert "nd-contested" in (answer.get_attribute("class") or "")
    assert (answer.locator(".nd-state-label").text_content() or "").startswith("Accounts differ")
    text = answer.locator(".nd-answer-text").inner_text()
    assert "has accused Greenway Hire" in text and "Greenway Hire has claimed" in text  # each side, attributed
    cards = page.locator(".nd-turn-sources:not([hidden]) .nd-card")
    assert cards.count() >= 2


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose default is SmolLM2 (llama.cpp), over the fixture articles."""
    data_dir = tmp_path_factory.mktemp("ui-switch") / "data"
    server = start_server(data_dir, data_dir.parent / "serve.log", extra_args=("--llm", f"llamacpp:{smollm2_path()}"))
    try:
        index_through_api(server)
        yield server
    finally:
        stop_server(server)


@pytest.mark.slow
@pytest.mark.llm
def test_extractive_switch_answers_without_the_model(page: Any, llm_server: Server) -> None:
    open_page(page, llm_server)
    page.locator("#nd-mode").get_by_text("Extractive (quotes only)").click()
    answer = ask(page, "Who ordered the Portvale harbour bridge closed?")
    text = answer.locator(".nd-answer-text").inner_text()
    assert text.startswith("Mayor Elena Ruiz ordered the Portvale harbour bridge closed on Monday")
    assert "language model" not in answer.locator(".nd-notes").inner_text()
    card = page.locator('.nd-turn-sources:not([hidden]) .nd-card[data-n="1"]')
    assert card.locator(".nd-excerpt mark.nd-hl").inner_text().startswith("Mayor Elena Ruiz ordered")
