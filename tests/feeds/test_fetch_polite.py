"""Polite fetching against the local server: User-Agent, bad cases with their reasons,
retries on 5xx, size limit, robots.txt, conditional requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsserver import NewsServer, closed_port_url

from index.catalog import SQLiteCatalog
from index.config import FetchConfig
from index.fetch import Fetcher, FetchError, HttpCache, PageLimitReached


@pytest.fixture
def cache(tmp_path: Path) -> HttpCache:
    return HttpCache(SQLiteCatalog(tmp_path / "catalog.sqlite"))


def test_user_agent_names_newsdesk(news: NewsServer, fast_fetch: FetchConfig) -> None:
    with Fetcher(fast_fetch) as fetcher:
        response = fetcher.get(news.url("/news/lighthouse.html"))
    assert response.status == 200 and response.is_html
    agents = {r.headers.get("user-agent", "") for r in news.requests}
    assert agents and all(a.startswith("Newsdesk/") for a in agents)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.html", "HTTP 404"),
        ("/loop-a", "too many redirects"),
        ("/slow.html", "timed out after 0.5s"),
        ("/down.html", "HTTP 503 Service Unavailable (after 3 tries)"),
        ("/private/secret.html", "disallowed by robots.txt"),
    ],
)
def test_bad_urls_fail_with_a_reason(news: NewsServer, fast_fetch: FetchConfig, path: str, reason: str) -> None:
    with Fetcher(fast_fetch) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(news.url(path))
    assert reason in str(failure.value)


def test_dead_link_is_unreachable(fast_fetch: FetchConfig) -> None:
    with Fetcher(fast_fetch) as fetcher, pytest.raises(FetchError, match="unreachable"):
        fetcher.get(closed_port_url())


def test_5xx_is_retried_with_backoff(news: NewsServer, fast_fetch: FetchConfig) -> None:
    with Fetcher(fast_fetch) as fetcher:
        response = fetcher.get(news.url("/flaky.html"))
    assert response.status == 200
    assert news.count(lambda r: r.path == "/flaky.html") == 3  # two 503s, then the page


def test_page_size_limit(news: NewsServer) -> None:
    with Fetcher(FetchConfig(max_page_mb=0.05)) as fetcher, pytest.raises(FetchError, match="too large"):
        fetcher.get(news.url("/huge.html"))


def test_robots_can_be_ignored_when_configured(news: NewsServer) -> None:
    with Fetcher(FetchConfig(respect_robots=False)) as fetcher:
        assert fetcher.get(news.url("/private/secret.html")).status == 200
    assert news.count(lambda r: r.path == "/robots.txt") == 0


def test_page_budget_per_round(news: NewsServer) -> None:
    with Fetcher(FetchConfig(max_pages_per_round=1)) as fetcher:
        fetcher.get(news.url("/news/lighthouse.html"))
        with pytest.raises(PageLimitReached):
            fetcher.get(news.url("/news/ferry.html"))
        fetcher.new_round()
        assert fetcher.get(news.url("/news/ferry.html")).status == 200


def test_conditional_request_after_validators_are_remembered(news: NewsServer, cache: HttpCache) -> None:
    url = news.url("/rss.xml")
    with Fetcher(FetchConfig(), cache) as fetcher:
        first = fetcher.get(url)
        assert first.etag and not first.not_modified
        assert fetcher.get(url).status == 200  # nothing remembered yet: unconditional again
        cache.remember(first)
        second = fetcher.get(url)
    assert second.not_modified and second.content == b""
    assert news.requests[-1].headers.get("if-none-match") == first.etag
