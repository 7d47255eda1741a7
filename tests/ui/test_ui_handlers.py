"""The page's own handlers (called as the browser's events call them) with input no browser
form sends but a crafted request can: each answers with a one-line message on the page."""

from __future__ import annotations

import pytest
from support import Indexed

from ui.app import Page

pytestmark = pytest.mark.integration

SURROGATE = "Who closed the bridge\ud800?"
NOT_TEXT = "the question is not valid text: character 22 is not UTF-8 ('\\ud800', e.g. from invalid UTF-8 bytes)"


def test_a_question_that_is_not_text_is_shown_as_an_error_turn(indexed: Indexed) -> None:
    page = Page(indexed.assistant, indexed.assistant.settings.upload)
    steps = list(page.respond(SURROGATE, [], None, None, None, None, 6))
    assert len(steps) == 1
    cleared, turns, chat, sources = steps[0]
    assert cleared == ""
    assert [(t.question, t.error) for t in turns] == [("Who closed the bridge\\ud800?", NOT_TEXT)]
    chat.encode("utf-8")  # what goes to the browser is valid UTF-8 (no raw surrogate)
    assert "\\ud800" in chat and "is not UTF-8" in chat


def test_other_handlers_refuse_text_that_is_not_utf8(indexed: Indexed) -> None:
    page = Page(indexed.assistant, indexed.assistant.settings.upload)
    assert page.index_url("https://example.org/\udcff") == (
        '<div class="nd-report nd-error" role="alert">the address is not valid text: character 21 is not '
        "UTF-8 (&#x27;\\udcff&#x27;, e.g. from invalid UTF-8 bytes)</div>"
    )
    assert page.delete("id\udcff") == (
        '<div class="nd-report nd-error" role="alert">the article id is not valid text: character 3 is not '
        "UTF-8 (&#x27;\\udcff&#x27;, e.g. from invalid UTF-8 bytes)</div>"
    )
    assert indexed.assistant.stats().articles == 10  # nothing was removed
