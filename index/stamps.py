"""File stamps: an unchanged file is not read again.

A stamp is a file's size, modification and change times (nanoseconds) and what reads it (the
Newsdesk version and the loader settings), e.g. '5120:1732780800123456789:1732780800123456789:
3f9c2a1b7d4e'. The catalog keeps, on each article and alias, the stamp its file had when it
was read; a sync stats every file and reads only those whose stamp differs (then the content
hash still decides whether anything changed). A file written in the last RACY_S seconds gets
no stamp, so that a second write within the same clock tick cannot go unseen.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from index.config import LoaderConfig

RACY_S = 2.0


def reader_digest(loading: LoaderConfig) -> str:
    """What reads files, as 12 hex digits: another version or other loader limits re-read
    every file once."""
    try:
        release = version("newsdesk")
    except PackageNotFoundError:
        release = "unknown"
    return hashlib.sha1(f"{release}|{loading.model_dump_json()}".encode()).hexdigest()[:12]


def file_stamp(path: Path, digest: str, now_ns: int | None = None) -> str | None:
    """The stamp of the file path names (links followed), or None when it cannot be stat'ed
    or changed less than RACY_S seconds ago."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    now_ns = time.time_ns() if now_ns is None else now_ns
    if now_ns - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_S * 1e9:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{digest}"


def stamps_by_file(paths: Iterable[str], recorded: Mapping[str, str | None]) -> dict[str, dict[str, str | None]]:
    """The recorded stamps grouped by the file each source was read from: the file's own path,
    or 'path#n' for record n of a JSON/JSONL file, e.g. {'/a.jsonl': {'/a.jsonl#1': s, '/a.jsonl#2': s}}.
    Sources of files not in paths are left out."""
    wanted = set(paths)
    grouped: dict[str, dict[str, str | None]] = {}
    for source, stamp in recorded.items():
        path = source if source in wanted else source.rsplit("#", 1)[0]
        if path in wanted:
            grouped.setdefault(path, {})[source] = stamp
    return grouped


def unchanged_sources(stamp: str | None, recorded: Mapping[str, str | None] | None) -> list[str]:
    """The sources of a file, in record order, when every one of them carries the file's
    current stamp (the file need not be read); else []."""
    if stamp is None or not recorded or any(value != stamp for value in recorded.values()):
        return []
    return sorted(recorded, key=_record_number)


def _record_number(source: str) -> tuple[int, str]:
    """'/a.jsonl#12' -> (12, ...): records in file order, the file itself first."""
    head, _, number = source.rpartition("#")
    return (int(number), head) if head and number.isdigit() else (0, source)
