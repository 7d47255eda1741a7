"""The seed article of ../shared (skipped when this checkout has none): the questions a new
user asks first, answered with the right sentences, attributed."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SHARED, Cli, MakeAssistant

from assistant import Answer, Assistant

pytestmark = [pytest.mark.integration, pytest.mark.shared]

SEED = SHARED / "corpora" / "seed"


@pytest.fixture(scope="module")
def seed_desk(tmp_path_factory: pytest.TempPathFactory, make_assistant: MakeAssistant) -> Assistant:
    if not SEED.is_dir():
        pytest.skip("../shared/corpora/seed is not available in this checkout")
    assistant = make_assistant(tmp_path_factory.mktemp("seed") / "data")
    report = assistant.index([SEED])
    assert report.added and report.skipped == []
    return assistant


def answer_quotes(answer: Answer) -> list[str]:
    return [c.quote for c in answer.citations if c.role == "answer"]


def is_sentence(quote: str) -> bool:
    """A sentence ends with a full stop, a question or exclamation mark, or a closing quote; a
    cross-head (a short headline line inside the body) does not."""
    return quote.rstrip().endswith((".", "?", "!", '"', "”", "'"))


def test_kindergarten_question_on_the_seed_article(seed_desk: Assistant) -> None:
    answer = seed_desk.ask("Who called the kindergarten shelling a false flag?")
    assert not answer.abstained
    assert "Johnson" in answer.text
    johnson = [c for c in answer.citations if "Johnson" in c.quote]
    assert johnson and "false flag" in johnson[0].quote
    for citation in answer.citations:
        assert citation.source.startswith(str(SEED.resolve()))
        body = seed_desk.article(citation.article_id).body  # type: ignore[union-attr]
        assert body[citation.start : citation.end] == citation.quote
    bodies = "\n".join(a.body for a in seed_desk.articles())
    for furniture in ("Live updates on", "More: West", "Follow the Daily podcast"):
        assert furniture not in bodies  # the seed's boilerplate is never indexed, never cited


def test_who_fired_gives_both_sides_attributed(seed_desk: Assistant) -> None:
    answer = seed_desk.ask("Who fired on the kindergarten?")
    assert (answer.abstained, answer.contested) == (False, True)
    said = answer_quotes(answer)
    assert any("Kyiv" in q and "claimed" in q for q in said)  # Kyiv's claim ...
    assert any("accused" in q and "Kyiv" not in q for q in said)  # ... and the separatists' accusation


def test_what_the_kremlin_says_is_the_kremlin_spokesmans_own_words(seed_desk: Assistant) -> None:
    answer = seed_desk.ask("What does the Kremlin say about troops at the border?")
    assert not answer.abstained
    said = answer_quotes(answer)
    assert "Kremlin spokesman" in said[0] and "troops" in said[0]
    assert answer.contested and "Heappey" in said[-1]  # the UK minister disputes the Kremlin's claims
    assert all(is_sentence(q) for q in said)  # no cross-head ("Kremlin says ... at border")


def test_what_the_nato_chief_said_leads_with_his_words(seed_desk: Assistant) -> None:
    answer = seed_desk.ask("What did the NATO chief say about the shelling?")
    assert "Stoltenberg" in answer_quotes(answer)[0]
    assert all(is_sentence(c.quote) for c in answer.citations)  # "Shelling provokes fears ..." is a cross-head


def test_a_date_in_the_next_sentence_is_part_of_the_answer(seed_desk: Assistant) -> None:
    answer = seed_desk.ask("When did Russia seize the Donbas territory?")
    assert not answer.abstained
    assert "2014" in answer.text


def test_the_contested_answer_on_the_command_line(seed_desk: Assistant, cli: Cli) -> None:
    result = cli("ask", "Who fired on the kindergarten?", "--data-dir", Path(seed_desk.settings.data_dir))
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("Accounts differ: ") and "Kyiv" in first and "accused" in first
