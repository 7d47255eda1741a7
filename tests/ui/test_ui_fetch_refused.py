"""Server-side request forgery through the page: "Add from the web" on a server with default
settings refuses addresses of its own network (here a real HTTP server on 127.0.0.1 holding a
secret page, and the cloud metadata address), says why in the report, and never contacts them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from test_ui_browser import open_page
from ui_support import Server

pytestmark = [pytest.mark.browser, pytest.mark.integration]

OPT_IN = "(set NEWSDESK_FETCH__ALLOW_PRIVATE_NETWORKS=true to allow)"


@pytest.fixture
def secret() -> Iterator[tuple[str, list[str]]]:
    """An internal page on 127.0.0.1, and the paths it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            asked.append(self.path)
            body = b"<html><body><article><p>The staff payroll password is hunter2.</p></article></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/secret", asked
    httpd.shutdown()
    httpd.server_close()


def fetch(page: Any, url: str) -> str:
    """Paste url into "Add from the web", fetch, and return the report's text."""
    page.fill("#nd-url input, #nd-url textarea", url)
    page.click("#nd-fetch")
    page.wait_for_function("url => document.querySelector('#nd-report').innerText.includes(url)", arg=url)
    return page.inner_text("#nd-report")


def test_add_from_the_web_refuses_the_servers_own_network(
    page: Any, server: Server, secret: tuple[str, list[str]],
) -> None:
    url, asked = secret
    open_page(page, server)
    articles = re.search(r"\d+ articles", page.inner_text("#nd-status"))
    assert articles is not None
    page.get_by_role("tab", name="Library").click()
    report = fetch(page, url)
    assert f"skipped {url}: refused: 127.0.0.1 is a loopback address {OPT_IN}" in report
    metadata = "http://169.254.169.254/latest/meta-data/"
    report = fetch(page, metadata)
    assert f"skipped {metadata}: refused: 169.254.169.254 is a link-local address {OPT_IN}" in report
    assert asked == []  # not even robots.txt
    page.wait_for_function("n => document.querySelector('#nd-status').innerText.includes(n)", arg=articles.group())
    assert re.findall(r"\d+ articles", page.inner_text("#nd-status")) == [articles.group()]  # nothing was added
