"""The watch loop: folder changes and a changing feed across rounds, one line per round, and a
SIGTERM in the middle of a round that leaves a consistent index."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from newsserver import LOCAL_ENV, STORIES, NewsServer, Route, Story, page_html, rss
from support import BIN, assert_consistent

from index.config import FetchConfig
from index.watch import Watcher, parse_every

pytestmark = pytest.mark.integration

NOTE = "Quarry reopens at Hollin Cross\n\nThe limestone quarry at Hollin Cross reopened on Monday with thirty workers.\n"
OTHER = "Choir wins county contest\n\nThe Tolborough male voice choir won the county contest for the third year running.\n"


def test_parse_every() -> None:
    assert parse_every("15m") == 900 and parse_every("2h30m") == 9000 and parse_every("45") == 45
    with pytest.raises(ValueError, match="soon"):
        parse_every("soon")


def test_rounds_follow_folder_and_feed_changes(
    news: NewsServer, tmp_path: Path, make_assistant: Callable[..., Any], local_fetch: Callable[..., FetchConfig],
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "quarry.txt").write_text(NOTE, encoding="utf-8")
    feed = news.url("/rss.xml")
    news.routes["/rss.xml"] = Route(rss([(STORIES[0], news.url("/news/lighthouse.html"))]), content_type="application/rss+xml", etag=True)
    assistant = make_assistant(tmp_path / "data", fetch=local_fetch(timeout_s=2))
    lines: list[str] = []
    watcher = Watcher(assistant.indexer(), [str(folder), feed], every_s=0, echo=lines.append)

    assert watcher.round_if_due()
    assert "added 2" in lines[-1] and "1 folder(s), 1 feed(s)/URL(s)" in lines[-1]

    (folder / "choir.txt").write_text(OTHER, encoding="utf-8")
    news.routes["/rss.xml"] = Route(
        rss([(STORIES[0], news.url("/news/lighthouse.html")), (STORIES[1], news.url("/news/ferry.html"))]),
        content_type="application/rss+xml", etag=True,
    )
    assert watcher.round_if_due()
    assert "added 2" in lines[-1]  # the new file and the new entry

    assert watcher.round_if_due()  # the feed is due again, the folder did not change
    assert "(1 feed(s)/URL(s)): added 0, updated 0, removed 0, unchanged 1" in lines[-1]

    (folder / "quarry.txt").unlink()
    watcher.urls = []  # folders only now
    assert watcher.round_if_due()
    assert "removed 1" in lines[-1]
    assert not watcher.round_if_due()  # nothing changed: no round, no line
    assert len(lines) == 4 and all(line.count("\n") == 0 for line in lines)
    assert assistant.stats().articles == 3
    assert_consistent(assistant.store)


@pytest.mark.slow
def test_sigterm_mid_round_finishes_the_article_and_leaves_a_consistent_index(
    news: NewsServer, tmp_path: Path, make_assistant: Callable[..., Any], local_fetch: Callable[..., FetchConfig],
) -> None:
    towns = ["Aldwick", "Brenmoor", "Carrow", "Dunhallow", "Eskby", "Fennick", "Glenmarsh", "Harrowby"]
    boats = ["trawler", "yacht", "barge", "dinghy", "tug", "ketch", "lifeboat", "schooner"]
    cargo = ["timber", "salt", "wool", "coal", "barley", "slate", "herring", "cider"]
    stories = [  # distinct enough in every five-word window: no near-duplicates among them
        Story(f"note-{n}", f"{towns[n]} {boats[n]} loses {cargo[n]} cargo", f"2005-05-0{n + 1}", (
            f"A {boats[n]} bound for {towns[n]} lost {n + 3} tonnes of {cargo[n]} overboard on {towns[n - 1]} sands.",
            f"{towns[n]} coastguards said the {boats[n]} crew of {n + 2} were safe after the {cargo[n]} shifted.",
            f"Owners of the {boats[n]} expect {cargo[n]} to wash ashore near {towns[n - 2]} by {n + 1} May.",
        ))
        for n in range(8)
    ]
    for story in stories:
        news.routes[f"/news/{story.slug}.html"] = Route(page_html(story), delay_s=0.7)
    news.routes["/rss.xml"] = Route(rss([(s, news.url(f"/news/{s.slug}.html")) for s in stories]), content_type="application/rss+xml")
    data_dir = tmp_path / "data"
    exe = BIN / "newsdesk"
    process = subprocess.Popen(
        [str(exe) if exe.exists() else "newsdesk", "watch", news.url("/rss.xml"), "--every", "1h", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **LOCAL_ENV},
    )
    try:
        deadline = time.monotonic() + 60
        while news.count(lambda r: r.path.startswith("/news/note-")) < 2:  # mid-round: pages being read
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "; stopped" in out and "stopped after 1 round(s)" in out
    assistant = make_assistant(data_dir, fetch=local_fetch())
    assert_consistent(assistant.store)
    written = assistant.stats().articles
    assert 1 <= written < len(stories)  # the article at hand was finished, the rest left
    assert news.count(lambda r: r.path.startswith("/news/note-")) < len(stories)
    report = assistant.index([], feeds=[news.url("/rss.xml")])  # the next round completes it
    assert len(report.added) == len(stories) - written
    assert_consistent(assistant.store)
