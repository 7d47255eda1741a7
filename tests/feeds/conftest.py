"""Fixtures of the feed tests: a real HTTP server on 127.0.0.1 serving the fixture site.

127.0.0.1 is refused by default (no fetch may reach the server's own network), so every test
that fetches from the local server opts in explicitly, through `local_fetch` / `LOCAL_ENV`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from newsserver import NewsServer, standard_routes  # noqa: E402

from index.config import FetchConfig  # noqa: E402


@pytest.fixture
def news() -> Iterator[NewsServer]:
    """The fixture news site (pages, RSS, Atom, bad cases) on a free port; routes may be changed."""
    from index.fetch import forget_robots

    forget_robots()
    server = NewsServer()
    standard_routes(server)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def local_fetch() -> Callable[..., FetchConfig]:
    """FetchConfig(**settings) that may reach the local test server (the explicit opt-in)."""

    def make(**settings: object) -> FetchConfig:
        return FetchConfig(allow_private_networks=True, **settings)  # type: ignore[arg-type]

    return make


@pytest.fixture
def fast_fetch(local_fetch: Callable[..., FetchConfig]) -> FetchConfig:
    """Fetch settings with short timeouts and backoff, so the bad cases are quick (opted in)."""
    return local_fetch(timeout_s=0.5, backoff_s=0.01, retries=2)
