"""End to end with the real model, Chroma and SQLite: index page URLs and feeds from the local
server, bad inputs reported, unchanged rounds free, near-duplicates stored once and cited as
"also reported by", dates in answers and time words in questions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from newsserver import LOCAL_ENV, STORIES, NewsServer, Route, Story, closed_port_url, page_html, rss
from support import assert_consistent

from index.config import FetchConfig

pytestmark = pytest.mark.integration


@pytest.fixture
def assistant(tmp_path: Path, make_assistant: Callable[..., Any], local_fetch: Callable[..., FetchConfig]) -> Any:
    return make_assistant(tmp_path / "data", fetch=local_fetch(timeout_s=0.5, backoff_s=0.01))


def test_page_url_is_indexed_with_its_metadata(news: NewsServer, assistant: Any) -> None:
    url = news.url("/news/lighthouse.html")
    report = assistant.index([url])
    assert report.added == [url]
    view = assistant.article(url)
    assert view.source == url and view.url == url
    assert view.title == STORIES[0].title
    assert view.published == date(2005, 3, 3) and view.outlet == "Harbour Gazette"
    assert "Follow us" not in view.body and view.body.startswith("Edda Lunn")


def test_every_bad_input_is_reported_and_the_round_goes_on(news: NewsServer, assistant: Any) -> None:
    dead = closed_port_url()
    bad = {
        news.url("/missing.html"): "HTTP 404",
        dead: "unreachable",
        news.url("/report.pdf"): "not an HTML page (application/pdf)",
        news.url("/empty.html"): "no main text",
        news.url("/broken.xml"): "malformed feed",
        news.url("/loop-a"): "too many redirects",
        news.url("/slow.html"): "timed out",
    }
    good = news.url("/news/bridge.html")
    report = assistant.index([*bad, good])
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == set(bad)
    for url, reason in bad.items():
        assert reason in reasons[url]
    assert report.added == [good]
    assert_consistent(assistant.store)


def test_feed_round_then_unchanged_round_costs_one_request(news: NewsServer, assistant: Any) -> None:
    feed = news.url("/rss.xml")
    first = assistant.index([], feeds=[feed])
    assert sorted(first.added) == sorted(news.url(f"/news/{s.slug}.html") for s in STORIES)
    assert first.chunks_embedded > 0
    before = news.count()
    second = assistant.index([], feeds=[feed])
    assert news.count() - before == 1  # the feed, answered 304 (robots.txt is remembered)
    assert news.requests[-1].path == "/rss.xml" and news.requests[-1].headers.get("if-none-match")
    assert second.added == second.updated == [] and second.chunks_embedded == 0
    assert second.unchanged == [feed]
    statuses = assistant.feeds()
    assert [s.url for s in statuses] == [feed] and statuses[0].title == "Harbour Gazette"


def test_changed_feed_indexes_only_new_and_changed_entries(news: NewsServer, assistant: Any) -> None:
    feed = news.url("/rss.xml")
    links = {s.slug: news.url(f"/news/{s.slug}.html") for s in STORIES}
    assistant.index([], feeds=[feed])
    edited = Story("bridge", "Swing bridge to reopen early", "2005-04-22", (
        *STORIES[3].paragraphs[:2], "The council now says the bridge will reopen on Friday, a week early.",
    ))
    fresh = Story("market", "Fish market moves to the north quay", "2005-04-25", (
        "The Varnmouth fish market will move to the north quay in June, the harbour board said.",
        "Traders have complained for years that the old hall floods at spring tides.",
        "The move will cost 1.2 million crowns, paid for by a levy on landings.",
    ))
    news.routes["/news/bridge.html"] = Route(page_html(edited), etag=True)
    news.routes["/news/market.html"] = Route(page_html(fresh), etag=True)
    items = [(s, links[s.slug]) for s in STORIES[:3]] + [(edited, links["bridge"]), (fresh, news.url("/news/market.html"))]
    news.routes["/rss.xml"] = Route(rss(items), content_type="application/rss+xml", etag=True)
    before = len(news.requests)
    report = assistant.index([], feeds=[feed])
    fetched = {r.path for r in news.requests[before:]}
    assert fetched == {"/rss.xml", "/news/bridge.html", "/news/market.html"}  # unchanged entries: no request
    assert report.updated == [links["bridge"]] and report.added == [news.url("/news/market.html")]
    assert sorted(report.unchanged) == sorted(links[s.slug] for s in STORIES[:3])
    assert assistant.article(links["bridge"]).title == "Swing bridge to reopen early"
    assert_consistent(assistant.store)


def test_near_duplicate_wire_copy_is_stored_once_and_cited(news: NewsServer, assistant: Any) -> None:
    assistant.index([], feeds=[news.url("/rss.xml")])
    report = assistant.index([news.url("/atom.xml")])  # sniffed as a feed
    wire = news.url("/news/ferry-wire.html")
    assert [(d.source, d.duplicate_of) for d in report.duplicates] == [(wire, news.url("/news/ferry.html"))]
    assert 0.5 <= report.duplicates[0].similarity < 1.0
    assert assistant.stats().articles == len(STORIES)
    answer = assistant.ask("By how much will ferry fares to the Skerry Isles rise?")
    assert not answer.abstained
    cited = answer.citations[0]
    assert cited.source == news.url("/news/ferry.html")
    assert cited.also_reported_by == ["Coastal Wire"] and wire in cited.also_in
    assert "15 March 2005" in answer.text  # the answer names the date of what it cites
    # the kept copy leaves: the wire copy stands on its own, from what was remembered
    removed = assistant.remove(news.url("/news/ferry.html"))
    assert wire in removed.added
    assert assistant.article(wire).outlet == "Coastal Wire"
    assert_consistent(assistant.store)


def test_time_words_filter_and_order(news: NewsServer, assistant: Any) -> None:
    assistant.index([], feeds=[news.url("/rss.xml")])
    latest = assistant.ask("What is the latest news from Varnmouth?")
    dates = [p.published for p in latest.passages]
    assert dates == sorted(dates, reverse=True) and dates[0] == date(2005, 4, 20)
    april = assistant.ask("What happened in April 2005?")
    assert april.passages and all(p.published.month == 4 for p in april.passages)
    question = "What happened to ferry fares in 1999?"
    unfiltered = assistant.ask(question)  # no article then: the range is dropped, all dates searched
    assert [(p.article_id, p.start) for p in unfiltered.passages] == [
        (p.article_id, p.start) for p in assistant.search(question)]  # search() applies no time words
    assert len(unfiltered.passages) >= 2


def test_cli_index_feed(news: NewsServer, tmp_path: Path, cli: Callable[..., Any]) -> None:
    result = cli("index", "--feed", news.url("/rss.xml"), news.url("/missing.html"), "--data-dir", tmp_path / "d",
                 env=LOCAL_ENV)
    assert result.returncode == 0, result.stderr
    assert "added 4" in result.stdout
    assert "HTTP 404" in result.stdout
