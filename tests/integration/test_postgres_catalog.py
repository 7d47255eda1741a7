"""The whole write and read path with the catalog on a real PostgreSQL (vectors embedded):
the same answers, citations and sync behaviour as the SQLite default."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Cli, MakeAssistant, assert_consistent, copy_articles, free_port

from index import IndexBusyError

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def test_index_ask_sync_and_rebuild_on_postgres(tmp_path: Path, make_assistant: MakeAssistant, pg_url: str) -> None:
    corpus = copy_articles(tmp_path / "articles")
    assistant = make_assistant(tmp_path / "data", catalog_url=pg_url)
    report = assistant.index([corpus])
    assert len(report.added) == 10 and len(report.skipped) == 1
    assert not (tmp_path / "data" / "catalog.sqlite").exists()  # the catalog lives in PostgreSQL
    before = assert_consistent(assistant.store)
    stats = assistant.stats()
    assert stats.articles == 10 and stats.vectors == stats.chunks and stats.vectors_missing == 0 and stats.warning is None

    answer = assistant.ask("Who was appointed chief executive of the Harbour Bank of Port Elwin?")
    assert "Marta Quill" in answer.text
    citation = answer.citations[0]
    assert assistant.article(citation.article_id).body[citation.start : citation.end] == citation.quote
    sport = assistant.search("rowing cup final", k=5, topic="sport", since="2022-01-01")
    assert sport and {p.topic for p in sport} == {"sport"}

    again = assistant.index([corpus])
    assert again.chunks_embedded == 0 and again.added == again.updated == [] and len(again.unchanged) == 10
    assert assert_consistent(assistant.store) == before

    (corpus / "business" / "tin-mine.txt").unlink()
    pruned = assistant.index([corpus])
    assert pruned.removed == [str(corpus / "business" / "tin-mine.txt")]
    assert assistant.stats().articles == 9 and assert_consistent(assistant.store)

    # a second process (another Assistant on the same catalog) sees the same index, and waits its turn to write
    other = make_assistant(tmp_path / "elsewhere", catalog_url=pg_url)
    assert other.store.index_id == assistant.store.index_id and other.stats().articles == 9
    with assistant.store.catalog.writer_lock(timeout=1):
        with pytest.raises(IndexBusyError, match="PostgreSQL advisory lock"):
            other.index([corpus])

    rebuilt = assistant.index([corpus], rebuild=True)
    assert len(rebuilt.added) == 9 and assistant.store.index_id != other.store.index_id
    assert_consistent(assistant.store)


def test_an_unreachable_catalog_is_one_line_without_the_password(tmp_path: Path, cli: Cli) -> None:
    port = free_port()
    result = cli("stats", "--data-dir", tmp_path / "data", "--catalog-url", f"postgresql://news:s3cret@127.0.0.1:{port}/newsdesk")
    assert result.returncode == 1
    assert result.stderr == f"error: cannot reach the PostgreSQL catalog at postgresql://news@127.0.0.1:{port}/newsdesk (no connection within 5 s)\n"
    assert not (tmp_path / "data").exists()
