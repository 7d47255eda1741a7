"""Every fetch ends by its deadline: a local server that sends one byte every 3 s (so that no
single read ever times out) is cut off at `fetch.deadline_s`, and the indexing run that
fetched it lets go of the writer lock right after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from newsserver import TrickleServer

from index.config import FetchConfig
from index.fetch import Fetcher, FetchError
from index.report import Skipped

DEADLINE_S = 2.0
CUT_OFF = f"cut off at the {DEADLINE_S:g}s deadline for one fetch (too slow)"


@pytest.fixture(params=[True, False], ids=["trickled-body", "trickled-headers"])
def trickle(request: pytest.FixtureRequest) -> Iterator[TrickleServer]:
    server = TrickleServer(every_s=3.0, headers_at_once=request.param).start()
    yield server
    server.stop()


def test_a_trickling_server_is_cut_off_at_the_deadline(
    trickle: TrickleServer, local_fetch: Callable[..., FetchConfig],
) -> None:
    config = local_fetch(timeout_s=10, deadline_s=DEADLINE_S)  # each byte arrives well within 10 s
    started = time.monotonic()
    with Fetcher(config) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(trickle.url)  # robots.txt trickles too: all within the one deadline
    elapsed = time.monotonic() - started
    assert str(failure.value) == CUT_OFF
    assert DEADLINE_S - 0.1 <= elapsed < DEADLINE_S + 1.0


@pytest.mark.integration
def test_the_writer_lock_is_free_at_the_deadline(
    tmp_path: Path, make_assistant: Callable[..., Any], local_fetch: Callable[..., FetchConfig],
) -> None:
    trickle = TrickleServer(every_s=3.0).start()
    try:
        assistant = make_assistant(tmp_path / "data", fetch=local_fetch(timeout_s=10, deadline_s=DEADLINE_S))
        assistant.stats()  # open the data directory before the clock starts
        reports: list[Any] = []
        run = threading.Thread(target=lambda: reports.append(assistant.index([trickle.url])))
        started = time.monotonic()
        run.start()
        while trickle.connections == 0:
            assert time.monotonic() - started < 5, "the fetch never reached the trickling server"
            time.sleep(0.01)
        with FileLock(str(tmp_path / "data" / "write.lock"), timeout=30):  # what an upload waits for
            waited = time.monotonic() - started
        run.join(timeout=10)
    finally:
        trickle.stop()
    assert waited < DEADLINE_S + 1.5
    assert reports[0].skipped == [Skipped(source=trickle.url, reason=CUT_OFF)]
    assert reports[0].added == []
