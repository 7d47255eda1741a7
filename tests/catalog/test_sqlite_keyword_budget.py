"""The SQLite keyword search ranks about KEYWORD_BUDGET chunks at most: beyond it only the
chunks holding the question's rarest words, so a question of common words costs the same
however many chunks hold them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from test_contract import notes, write, write_ferries_and_harbours

from index.article import article_id_for
from index.catalog import Filters, SQLiteCatalog


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[SQLiteCatalog]:
    """20 chunks with 'ferry', 10 with 'harbour', 3 with both, 1 with 'zeppelin' and 'harbour'."""
    opened = SQLiteCatalog(tmp_path / "catalog.sqlite")
    write_ferries_and_harbours(opened)
    yield opened
    opened.close()


def test_within_budget_every_word_is_searched(catalog: SQLiteCatalog) -> None:
    assert catalog._keyword_match(["zeppelin", "harbour", "ferry"]) == '"zeppelin" OR "harbour" OR "ferry"'
    assert len(catalog.keyword_search(["zeppelin", "harbour"], 100)) == 14


def test_over_budget_only_the_rarest_words_are_searched(catalog: SQLiteCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.catalog import sqlite

    monkeypatch.setattr(sqlite, "KEYWORD_BUDGET", 16)  # zeppelin 1 + harbour 14 chunks, ferry 23
    assert catalog._keyword_match(["harbour", "zeppelin", "ferry"]) == '"zeppelin" OR "harbour"'
    found = catalog.keyword_search(["harbour", "zeppelin", "ferry"], 100)
    assert found[0][0] == f"{article_id_for('/z/0')}:0" and len(found) == 14  # no ferry-only chunk
    # even the rarest over budget: the chunks holding the two rarest
    monkeypatch.setattr(sqlite, "KEYWORD_BUDGET", 5)
    assert catalog._keyword_match(["ferry", "harbour"]) == '"harbour" AND "ferry"'
    assert {c for c, _ in catalog.keyword_search(["ferry", "harbour"], 100)} == {f"{article_id_for(f'/b/{n}')}:0" for n in range(3)}


def test_a_short_word_counts_as_fts5_stores_it(catalog: SQLiteCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.catalog import sqlite

    write(catalog, *notes("u", 6, "Tickets for us all."))
    monkeypatch.setattr(sqlite, "KEYWORD_BUDGET", 8)
    # FTS5 keeps 'us' unstemmed (the stemmer would give 'u', in no chunk): 6 chunks, over budget with harbour
    assert catalog._keyword_match(["us", "zeppelin", "harbour"]) == '"zeppelin" OR "us"'
    assert catalog._keyword_match(["us", "harbour"]) == '"us"'


def test_filters_still_apply(catalog: SQLiteCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.catalog import sqlite

    monkeypatch.setattr(sqlite, "KEYWORD_BUDGET", 16)
    travel = catalog.keyword_search(["zeppelin", "harbour"], 100, Filters(topic="travel"))
    assert [c for c, _ in travel] == [f"{article_id_for('/z/0')}:0"]
    assert catalog.keyword_search(["zeppelin", "harbour"], 100, Filters(until=date(2019, 1, 1))) == []
