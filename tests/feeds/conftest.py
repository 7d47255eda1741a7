"""Fixtures of the feed tests: a real HTTP server on 127.0.0.1 serving the fixture site."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from newsserver import NewsServer, standard_routes  # noqa: E402


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
def fast_fetch() -> object:
    """Fetch settings with short timeouts and backoff, so the bad cases are quick."""
    from index.config import FetchConfig

    return FetchConfig(timeout_s=0.5, backoff_s=0.01, retries=2)
