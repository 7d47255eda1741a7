"""Pure parts: feed parsing, shingles/MinHash near-duplicates on a real catalog, time words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from newsserver import STORIES, WIRE_COPY, Story, atom, rss

from assistant.timewords import order_by_date, parse_time_words, with_dates
from index.article import Article
from index.catalog import SQLiteCatalog
from index.config import NearDuplicateConfig
from index.errors import SkipArticle
from index.feeds import parse_feed
from index.neardup import NearDuplicates, jaccard, shingles


def test_rss_entries_with_dates_and_summaries() -> None:
    title, entries = parse_feed(rss([(s, f"http://x.test/{s.slug}") for s in STORIES]).encode(), "http://x.test/rss")
    assert title == "Harbour Gazette"
    assert [e.source for e in entries] == [f"http://x.test/{s.slug}" for s in STORIES]
    assert entries[0].published == date(2005, 3, 3)
    assert entries[0].content_html is None  # a summary only: the page must be fetched


def test_atom_entries_carry_full_content() -> None:
    _, entries = parse_feed(atom([(WIRE_COPY, "http://x.test/w")]).encode(), "http://x.test/atom")
    assert entries[0].author == "Wire desk"
    assert "312,000 passengers" in (entries[0].content_html or "")


def test_fingerprint_changes_with_the_entry() -> None:
    changed = Story(STORIES[0].slug, STORIES[0].title + " (updated)", STORIES[0].published, STORIES[0].paragraphs)
    one = parse_feed(rss([(STORIES[0], "http://x.test/a")]).encode(), "f")[1][0]
    same = parse_feed(rss([(STORIES[0], "http://x.test/a")]).encode(), "f")[1][0]
    other = parse_feed(rss([(changed, "http://x.test/a")]).encode(), "f")[1][0]
    assert one.fingerprint == same.fingerprint != other.fingerprint


@pytest.mark.parametrize("data", [b"<?xml version='1.0'?><rss><channel><title>x<</ti", b"just some text"])
def test_malformed_or_non_feed_is_refused(data: bytes) -> None:
    with pytest.raises(SkipArticle, match="feed"):
        parse_feed(data, "http://x.test/broken")


def test_shingles_and_jaccard() -> None:
    assert shingles("The cat sat on the mat", 2) == {"the cat", "cat sat", "sat on", "on the", "the mat"}
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert shingles("Two words", 5) == {"two words"}


def _article(story: Story, source: str) -> Article:
    return Article(source_key=source, title=story.title, body="\n\n".join(story.paragraphs), outlet=story.outlet)


def test_near_duplicates_found_and_remembered(tmp_path: Path) -> None:
    catalog = SQLiteCatalog(tmp_path / "catalog.sqlite")
    near = NearDuplicates(catalog, NearDuplicateConfig())
    ferry = _article(STORIES[1], "http://a.test/ferry")
    near.add(ferry)
    assert near.find(_article(STORIES[2], "http://a.test/orchard")) is None  # another story
    copy = _article(WIRE_COPY, "http://b.test/wire")
    match = near.find(copy)
    assert match is not None and match.article_id == ferry.article_id and 0.5 <= match.similarity < 1
    assert near.find(ferry) is None  # never its own duplicate
    near.remember(copy, ferry.article_id, match.similarity)
    assert near.record(copy.source_key) == copy
    assert [c.outlet for c in near.copies_of([ferry.article_id])[ferry.article_id]] == ["Coastal Wire"]
    near.forget(copy.source_key)
    assert near.copies_of([ferry.article_id]) == {}


def test_time_words() -> None:
    today = date(2005, 4, 20)
    assert parse_time_words("What is the latest on the bridge?", today).order == "newest"
    week = parse_time_words("What happened this week?", today)
    assert (week.since, week.until) == (date(2005, 4, 18), today)
    march = parse_time_words("What did the council say in March 2005?", today)
    assert (march.since, march.until) == (date(2005, 3, 1), date(2005, 3, 31))
    assert parse_time_words("What happened in March?", today).is_empty()  # no year: no filter
    before = parse_time_words("What did shops say before the invasion?", today, {"invasion": date(2005, 4, 1)})
    assert before.until == date(2005, 3, 31)
    assert parse_time_words("What happened before the invasion?", today).order == "oldest"
    last = parse_time_words("Who resigned last month?", today)
    assert (last.since, last.until) == (date(2005, 3, 1), date(2005, 3, 31))
    assert parse_time_words("Who called the shelling a false flag?", today).is_empty()


def test_ordering_and_dates_in_text() -> None:
    class Item:
        def __init__(self, n: int, published: date | None) -> None:
            self.n, self.published = n, published

    items = [Item(1, date(2005, 3, 1)), Item(2, None), Item(3, date(2005, 4, 1))]
    assert [i.n for i in order_by_date(items, "newest")] == [3, 1, 2]
    assert [i.n for i in order_by_date(items, "oldest")] == [1, 3, 2]
    assert with_dates("A. [1] B. [3]", [items[0], items[2]]) == "A. [1] B. [3] (Published: [1] 1 March 2005; [3] 1 April 2005.)"
    assert with_dates("A. [1]", [items[0]]) == "A. [1] (Published 1 March 2005.)"
    assert with_dates("A. [2]", [items[1]]) == "A. [2]"
