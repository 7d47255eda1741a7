"""A kill -9 in the middle of `newsdesk index` leaves an index the next run repairs; one
writer at a time (IndexBusyError); asking works while another process indexes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import (
    BIN,
    Cli,
    MakeAssistant,
    assert_consistent,
    generated_article,
    write_generated_corpus,
)

from index import IndexBusyError
from index.store import CATALOG_FILE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def start_cli_index(folder: Path, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "newsdesk"), "index", str(folder), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def catalog_count(data_dir: Path, table: str) -> int:
    """Rows of a catalog table, read the way another process would (0 if not there yet)."""
    path = data_dir / CATALOG_FILE
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is being created
        return 0


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"newsdesk index ended (rc {process.returncode}) before the moment to test:\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("timed out waiting for newsdesk index")
        time.sleep(0.01)


def test_kill_9_mid_index_is_repaired_by_the_next_run(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    folder, data_dir = tmp_path / "wire", tmp_path / "data"
    first = write_generated_corpus(folder, range(30))
    done = subprocess.run(
        [str(BIN / "newsdesk"), "index", str(folder), "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert catalog_count(data_dir, "articles") == 30

    # the next run adds 30, changes 5 and loses 2: killed while it writes its batch
    write_generated_corpus(folder, range(30, 60))
    changed = first[:5]
    for number, path in enumerate(changed):
        path.write_text(generated_article(number, edition=1))
    gone = first[-2:]
    for path in gone:
        path.unlink()
    process = start_cli_index(folder, data_dir)
    wait_for(lambda: catalog_count(data_dir, "pending") > 0, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert catalog_count(data_dir, "pending") > 0  # it died half-way through a batch

    assistant = make_assistant(data_dir)
    report = assistant.index([folder])
    files = sorted(str(p) for p in (folder / "wire").iterdir())
    assert len(files) == 58
    assert sorted(report.removed) == sorted(str(p) for p in gone)
    assert report.skipped == []
    contents = assert_consistent(assistant.store)
    assert sorted(a.source for a in assistant.articles()) == files
    assert len(contents["articles"]) == 58
    for number, path in enumerate(changed):  # the new text, not the old one
        assert assistant.article(str(path)).title == generated_article(number, edition=1).split("\n")[0]
    again = assistant.index([folder])
    assert len(again.unchanged) == 58 and again.chunks_embedded == 0


def hold_lock(data_dir: Path) -> subprocess.Popen[str]:
    """Another process that holds the writer lock until it is stopped."""
    script = (
        "import sys, time\nfrom filelock import FileLock\n"
        "lock = FileLock(sys.argv[1]); lock.acquire()\nprint('locked', flush=True)\ntime.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir / "write.lock")], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_one_writer_at_a_time(tmp_path: Path, make_assistant: MakeAssistant, cli: Cli) -> None:
    folder, data_dir = tmp_path / "wire", tmp_path / "data"
    write_generated_corpus(folder, range(3))
    assistant = make_assistant(data_dir)
    assistant.index([folder])
    write_generated_corpus(folder, range(3, 6))

    holder = hold_lock(data_dir)
    try:
        with pytest.raises(IndexBusyError, match="another newsdesk process"):
            assistant.index([folder])
        with pytest.raises(IndexBusyError):
            assistant.remove(str(folder))
        answer = assistant.ask(generated_article(1).split("\n")[0])  # reading is never blocked
        assert answer.passages[0].source == str(folder / "wire" / "dispatch-001.txt")
        result = cli("index", folder, "--data-dir", data_dir)
        assert result.returncode == 1
        assert "another newsdesk process is indexing" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert len(assistant.index([folder]).added) == 3  # the lock is free again


def test_asking_while_another_process_indexes(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    folder, data_dir = tmp_path / "wire", tmp_path / "data"
    write_generated_corpus(folder, range(100, 110))
    assistant = make_assistant(data_dir)
    assistant.index([folder])
    question = generated_article(103).split("\n")[2].split(".")[0]  # its first sentence

    write_generated_corpus(folder, range(110, 130))
    process = start_cli_index(folder, data_dir)
    answers = []
    try:
        wait_for(lambda: catalog_count(data_dir, "pending") > 0, process)
        while process.poll() is None:  # the writer is at work: ask, again and again
            answers.append(assistant.ask(question))
            time.sleep(0.2)
    finally:
        out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert answers, "the writer finished before a question was asked: the test proves nothing"
    for answer in answers:
        assert answer.passages[0].source == str(folder / "wire" / "dispatch-103.txt")
    assert assistant.stats().articles == 30
