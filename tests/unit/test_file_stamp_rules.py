"""File stamps: what decides that a file need not be read again."""

from __future__ import annotations

import os
from pathlib import Path

from index.config import LoaderConfig
from index.stamps import RACY_S, file_stamp, reader_digest, stamps_by_file, unchanged_sources

LATER = 10**9 * 3600  # an hour after the file was written, in ns


def test_a_stamp_is_size_times_and_reader(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"12345")
    info = os.stat(path)
    now = max(info.st_mtime_ns, info.st_ctime_ns) + LATER
    assert file_stamp(path, "r1", now) == f"5:{info.st_mtime_ns}:{info.st_ctime_ns}:r1"
    link = tmp_path / "link.txt"
    link.symlink_to(path)
    assert file_stamp(link, "r1", now) == file_stamp(path, "r1", now)  # the file a link names
    assert file_stamp(tmp_path / "missing.txt", "r1", now) is None


def test_a_file_written_within_racy_s_gets_no_stamp(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"12345")
    os.utime(path, ns=(10**18, 10**18))  # an old modification time; the change time is now
    changed = os.stat(path).st_ctime_ns
    assert file_stamp(path, "r1", changed + int(RACY_S * 1e9) - 1) is None
    assert file_stamp(path, "r1", changed + int(RACY_S * 1e9)) == f"5:{10**18}:{changed}:r1"


def test_the_reader_digest_follows_the_loader_settings() -> None:
    assert reader_digest(LoaderConfig()) == reader_digest(LoaderConfig())
    assert reader_digest(LoaderConfig(min_body_chars=80)) != reader_digest(LoaderConfig())
    assert len(reader_digest(LoaderConfig())) == 12


def test_sources_grouped_by_their_file() -> None:
    recorded = {"/d/a.txt": "s1", "/d/b#1.jsonl#2": "s2", "/d/b#1.jsonl#10": "s2", "/d/gone.txt": "s3", "/d/a.txt.bak": None}
    assert stamps_by_file(["/d/a.txt", "/d/b#1.jsonl", "/d/new.txt"], recorded) == {
        "/d/a.txt": {"/d/a.txt": "s1"},
        "/d/b#1.jsonl": {"/d/b#1.jsonl#2": "s2", "/d/b#1.jsonl#10": "s2"},
    }


def test_unchanged_only_when_every_source_has_the_stamp() -> None:
    records = {"/d/b.jsonl#10": "s", "/d/b.jsonl#2": "s", "/d/b.jsonl#1": "s"}
    assert unchanged_sources("s", records) == ["/d/b.jsonl#1", "/d/b.jsonl#2", "/d/b.jsonl#10"]
    assert unchanged_sources("t", records) == []  # the file changed
    assert unchanged_sources("s", {**records, "/d/b.jsonl#3": None}) == []  # one record not stamped
    assert unchanged_sources(None, records) == []  # written just now, or not stat-able
    assert unchanged_sources("s", None) == unchanged_sources("s", {}) == []  # never indexed
