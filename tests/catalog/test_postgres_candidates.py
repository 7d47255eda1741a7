"""The PostgreSQL keyword search ranks at most CANDIDATES chunks, those holding the question's
rarest words first, so a question costs the same however many chunks hold its common words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from test_contract import write_ferries_and_harbours

from index.article import article_id_for
from index.catalog import Catalog, Filters

pytestmark = pytest.mark.postgres


def ids(found: list[tuple[str, float]]) -> list[str]:
    return [c for c, _ in found]


@pytest.fixture
def catalog(pg_url: str) -> Iterator[Catalog]:
    """20 chunks with 'ferry', 10 with 'harbour', then 3 with both, then 1 with 'zeppelin'."""
    from index.catalog.postgres import PostgresCatalog

    opened = PostgresCatalog(pg_url)
    write_ferries_and_harbours(opened)
    yield opened
    opened.close()


def test_the_rarest_word_is_found_first_and_common_chunks_are_not_all_ranked(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index.catalog import postgres

    zeppelin = f"{article_id_for('/z/0')}:0"
    uncapped = catalog.keyword_search(["zeppelin", "harbour"], 100)
    assert len(uncapped) == 14 and uncapped[0][0] == zeppelin
    monkeypatch.setattr(postgres, "CANDIDATES", 5)
    capped = catalog.keyword_search(["zeppelin", "harbour"], 100)
    assert capped[0] == uncapped[0] and len(capped) == 5  # the rare chunk, and 4 of the 13 others
    assert len(catalog.keyword_search(["harbour"], 100)) == 5
    # every word over budget: the chunks that hold the two rarest come first, though written last
    both = {f"{article_id_for(f'/b/{n}')}:0" for n in range(3)}
    ferry_harbour = catalog.keyword_search(["ferry", "harbour"], 100)
    assert len(ferry_harbour) == 5 and set(ids(ferry_harbour)[:3]) == both


def test_filters_apply_before_the_cap(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.catalog import postgres

    monkeypatch.setattr(postgres, "CANDIDATES", 5)
    # the rare chunk is filtered out: the common word's chunks of the topic fill the 5
    sport = catalog.keyword_search(["zeppelin", "harbour"], 100, Filters(topic="sport"))
    assert len(sport) == 5 and f"{article_id_for('/z/0')}:0" not in ids(sport)
    travel = catalog.keyword_search(["zeppelin", "harbour"], 100, Filters(topic="travel"))
    assert ids(travel) == [f"{article_id_for('/z/0')}:0"]
    assert catalog.keyword_search(["zeppelin", "harbour"], 100, Filters(until=date(2019, 1, 1))) == []
    assert catalog.keyword_search(["unheard", "words"], 10) == [] and catalog.keyword_search([], 10) == []
