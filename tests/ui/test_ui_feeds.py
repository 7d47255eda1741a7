"""The Library tab reads the web too: a feed URL pasted into the page is fetched (from a
real HTTP server on 127.0.0.1, which the server may reach only because it opts in with
NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS), indexed, listed with its last round, and answerable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from test_ui_browser import ask, open_page
from ui_support import Server, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.integration]

STORY = (
    "The Eastmoor lighthouse keeper, Ingrid Salvesen, rescued three kayakers on Sunday after their "
    "boats capsized off the northern reef in a sudden squall. "
    "Salvesen launched the station's inflatable boat and reached the group within twelve minutes, "
    "the coastguard said. "
    "All three kayakers were treated for cold shock at Eastmoor cottage hospital and released the "
    "same evening. "
    "It was the fourth rescue by the lighthouse crew this year, according to the harbour trust."
)
FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Eastmoor Coast News</title><link>http://127.0.0.1/</link><description>test</description>
<item><title>Lighthouse keeper rescues three kayakers</title>
<link>http://127.0.0.1/kayakers.html</link><pubDate>Mon, 07 Mar 2005 09:00:00 GMT</pubDate>
<description>Three kayakers rescued.</description>
<content:encoded><![CDATA[<p>{STORY}</p>]]></content:encoded></item>
</channel></rss>"""


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/feed.xml":
            body, kind, status = FEED.encode(), "application/rss+xml", 200
        else:
            body, kind, status = b"not here", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def feed_url() -> Iterator[str]:
    """An RSS feed served on 127.0.0.1 for the duration of the module."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    httpd.shutdown()


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over an empty data directory, allowed to fetch from 127.0.0.1."""
    data_dir = tmp_path_factory.mktemp("ui-feeds") / "data"
    server = start_server(data_dir, data_dir.parent / "serve.log",
                          settings={"NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS": "true"})
    yield server
    stop_server(server)


def test_a_feed_url_is_indexed_listed_and_answerable(page: Any, empty_server: Server, feed_url: str) -> None:
    open_page(page, empty_server)
    page.get_by_role("tab", name="Library").click()
    page.fill("#nd-url input, #nd-url textarea", feed_url)
    page.click("#nd-fetch")
    page.wait_for_selector("#nd-report .nd-report", timeout=120_000)
    page.wait_for_function(
        "() => document.querySelector('#nd-report').innerText.includes('added http://127.0.0.1/kayakers.html')")
    page.wait_for_function(
        "url => document.querySelector('#nd-feeds').innerText.includes(url)", arg=feed_url)
    feeds_text = page.inner_text("#nd-feeds")
    assert "Eastmoor Coast News" in feeds_text and "added 1" in feeds_text

    page.fill("#nd-url input, #nd-url textarea", "not a url")
    page.click("#nd-fetch")
    page.wait_for_function("() => document.querySelector('#nd-report').innerText.includes('http://')")

    page.get_by_role("tab", name="Ask").click()
    answer = ask(page, "Who rescued the kayakers off the northern reef?")
    assert "Ingrid Salvesen" in answer.inner_text()
    card = page.locator('.nd-turn-sources:not([hidden]) .nd-card[data-n="1"]')
    assert card.locator("a.nd-link").get_attribute("href") == "http://127.0.0.1/kayakers.html"  # the entry link
