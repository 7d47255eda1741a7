"""The seed article of ../shared (skipped when this checkout has none)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import MakeAssistant

pytestmark = [pytest.mark.integration, pytest.mark.shared]


def test_kindergarten_question_on_the_seed_article(shared_dir: Path, tmp_path: Path, make_assistant: MakeAssistant) -> None:
    seed = shared_dir / "corpora" / "seed"
    assistant = make_assistant(tmp_path / "data")
    report = assistant.index([seed])
    assert report.added and report.skipped == []

    answer = assistant.ask("Who called the kindergarten shelling a false flag?")
    assert not answer.abstained
    assert "Johnson" in answer.text
    johnson = [c for c in answer.citations if "Johnson" in c.quote]
    assert johnson and "false flag" in johnson[0].quote
    for citation in answer.citations:
        assert citation.source.startswith(str(seed.resolve()))
        body = assistant.article(citation.article_id).body
        assert body[citation.start : citation.end] == citation.quote
    bodies = "\n".join(a.body for a in assistant.articles())
    for furniture in ("Live updates on", "More: West", "Follow the Daily podcast"):
        assert furniture not in bodies  # the seed's boilerplate is never indexed, never cited
