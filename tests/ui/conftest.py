"""Fixtures of the web UI tests: real `newsdesk serve` processes on free ports, indexed
through the page's own API, and a headless Debian chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import (
    AUTH,
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    Server,
    index_through_api,
    start_server,
    stop_server,
)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over the fixture articles (indexed through its own API), no login."""
    root = tmp_path_factory.mktemp("ui-server")
    running = start_server(root / "data", root / "serve.log")
    try:
        index_through_api(running)
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with an empty index that requires a login (NEWSDESK_AUTH)."""
    root = tmp_path_factory.mktemp("ui-auth-server")
    running = start_server(root / "data", root / "serve.log", auth=AUTH)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture
def fresh_auth_server(tmp_path: Path) -> Iterator[Server]:
    """A login-protected server of its own with an empty index, for a test that needs the
    first-run state whatever other tests did to the shared servers."""
    running = start_server(tmp_path / "data", tmp_path / "serve.log", auth=AUTH)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: run `bash scripts/setup.sh --dev` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh 1366x768 page; its end state is saved to test-output/<test>.png. JavaScript
    errors on the page fail the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(45_000)  # generous: CI machines may be busy
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        OUTPUT.mkdir(exist_ok=True)
        try:
            tab.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
