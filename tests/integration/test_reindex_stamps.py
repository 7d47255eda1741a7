"""A re-index reads only the files whose stamp (size, times, reader) changed since they were
last read; the content hash still decides what changed. On both catalogs."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from support import ARTICLES, MakeAssistant, assert_consistent

import index.stamps
from assistant import Assistant
from index.compute import LocalCompute, SourceFile
from index.config import LoaderConfig
from index.loaders import Loaded

pytestmark = pytest.mark.integration


class ReadLog(LocalCompute):
    """This process's Compute, remembering the files it was given to read."""

    def __init__(self, assistant: Assistant) -> None:
        store = assistant.store
        super().__init__(store.embedder, store.chunking, assistant.settings.loading, store.embedding.batch_size)
        self.read: list[str] = []

    def load(self, files: Sequence[SourceFile]) -> Iterator[list[Loaded]]:
        self.read += [str(path) for path, _ in files]
        return super().load(files)


def reads(assistant: Assistant, corpus: Path) -> tuple[list[str], object]:
    """Index corpus; the names of the files read, and the report."""
    spy = ReadLog(assistant)
    report = assistant.index([corpus], compute=spy)
    return [str(Path(p).relative_to(corpus)) for p in spy.read], report


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def catalog_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_only_changed_files_are_read(tmp_path: Path, make_assistant: MakeAssistant, catalog_url: str | None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.stamps, "RACY_S", 0.0)  # stamp files written a moment ago too
    corpus = tmp_path / "desk"
    for relative in ("business/harbour-bank.txt", "business/tin-mine.txt", "world/wires.jsonl"):
        (corpus / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTICLES / relative, corpus / relative)
    (corpus / "business" / "wire-copy.txt").write_bytes((corpus / "business" / "harbour-bank.txt").read_bytes())
    assistant = make_assistant(tmp_path / "data", catalog_url=catalog_url)
    everything = ["business/harbour-bank.txt", "business/tin-mine.txt", "business/wire-copy.txt", "world/wires.jsonl"]
    read, first = reads(assistant, corpus)
    assert read == everything and len(first.added) == 4 and len(first.duplicates) == 1
    before = assert_consistent(assistant.store)
    sources = sorted(first.added + [d.source for d in first.duplicates])

    # unchanged: only the file with a bad line is read again (its skip is reported each run)
    read, again = reads(assistant, corpus)
    assert read == ["world/wires.jsonl"]
    assert sorted(again.unchanged) == sources and [s.source for s in again.skipped] == [f"{corpus}/world/wires.jsonl#2"]
    assert again.added == again.updated == again.removed == again.duplicates == [] and again.chunks_embedded == 0
    assert assert_consistent(assistant.store) == before

    # a changed file is read and replaced; a touched one is read, found unchanged and stamped anew
    bank = corpus / "business" / "harbour-bank.txt"
    bank.write_text(bank.read_text(encoding="utf-8").replace("Marta Quill", "Marta Quillfeather"), encoding="utf-8")
    tin = corpus / "business" / "tin-mine.txt"
    os.utime(tin, ns=(tin.stat().st_atime_ns, tin.stat().st_mtime_ns - 10**10))  # in the past: a future time is never stamped
    read, changed = reads(assistant, corpus)
    assert read == ["business/harbour-bank.txt", "business/tin-mine.txt", "world/wires.jsonl"]
    assert changed.updated == [str(bank)] and str(tin) in changed.unchanged
    # its copy is compared again (not read through the Compute), a near-duplicate now, so unstamped
    assert [(d.source, d.duplicate_of, d.similarity < 1) for d in changed.duplicates] == [(str(corpus / "business" / "wire-copy.txt"), str(bank), True)]
    assert reads(assistant, corpus)[0] == ["business/wire-copy.txt", "world/wires.jsonl"]  # stamped on its own
    assert reads(assistant, corpus)[0] == ["world/wires.jsonl"]

    # same size, modification time put back: the change time still differs
    text = bank.read_text(encoding="utf-8")
    mtime = bank.stat().st_mtime_ns
    bank.write_text(text.replace("Quillfeather", "Quillfeathex"), encoding="utf-8")
    os.utime(bank, ns=(mtime, mtime))
    read, same_size = reads(assistant, corpus)
    assert read == ["business/harbour-bank.txt", "world/wires.jsonl"] and same_size.updated == [str(bank)]
    assert reads(assistant, corpus)[0] == ["business/wire-copy.txt", "world/wires.jsonl"]  # its copy, compared anew

    # an article a killed run left half-written is read again, whatever its stamp
    copy = assistant.store.catalog.get_article(str(corpus / "business" / "tin-mine.txt"))
    assert copy is not None
    assistant.store.catalog.invalidate([copy.id])
    read, repaired = reads(assistant, corpus)
    assert read == ["business/tin-mine.txt", "world/wires.jsonl"] and repaired.updated == [str(tin)]

    # a vanished file is removed without reading the others
    (corpus / "business" / "wire-copy.txt").unlink()
    read, pruned = reads(assistant, corpus)
    assert read == ["world/wires.jsonl"] and pruned.removed == [str(corpus / "business" / "wire-copy.txt")]
    assert_consistent(assistant.store)

    # other loader settings: every file is read once, then skipped again
    stricter = make_assistant(tmp_path / "data", catalog_url=catalog_url, loading=LoaderConfig(max_file_mb=10))
    read, _ = reads(stricter, corpus)
    assert read == ["business/harbour-bank.txt", "business/tin-mine.txt", "world/wires.jsonl"]
    assert reads(stricter, corpus)[0] == ["world/wires.jsonl"]


def test_a_file_written_just_now_is_read_until_it_settles(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    corpus = tmp_path / "desk"
    corpus.mkdir()
    shutil.copy(ARTICLES / "business" / "tin-mine.txt", corpus / "tin-mine.txt")
    written = time.monotonic()
    assistant = make_assistant(tmp_path / "data")
    assert reads(assistant, corpus)[0] == ["tin-mine.txt"]
    read, report = reads(assistant, corpus)  # still within RACY_S of the write: no stamp yet
    assert time.monotonic() - written < index.stamps.RACY_S
    assert read == ["tin-mine.txt"] and report.unchanged == [str(corpus / "tin-mine.txt")]
    time.sleep(max(0.0, index.stamps.RACY_S - (time.monotonic() - written)) + 0.1)
    assert reads(assistant, corpus)[0] == ["tin-mine.txt"]  # read once more, and stamped
    read, report = reads(assistant, corpus)
    assert read == [] and report.unchanged == [str(corpus / "tin-mine.txt")]
