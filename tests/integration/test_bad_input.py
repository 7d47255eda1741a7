"""Bad input is skipped with a reason, the batch goes on, and nothing indexed is lost."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from support import ARTICLES, CP1252_TEXT, MakeAssistant, assert_consistent

from index import LoaderConfig

pytestmark = pytest.mark.integration


def write_bad_inputs(folder: Path) -> dict[str, str]:
    """Bad files beside good ones; returns {file name: its skip reason}, where a reason ending
    in ': ' is the start of one that goes on with the parser's own message."""
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "title-only.txt").write_text("Only a headline here\n\n")
    (folder / "huge.txt").write_text("A very long report\n\n" + "The harbour stayed busy all week. " * 800)
    (folder / "broken-link.txt").symlink_to(folder / "deleted-long-ago.txt")
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    (folder / "loop").symlink_to(folder / "loop")
    outside = folder.parent / "not-indexed"
    outside.mkdir()
    (outside / "passwd.txt").write_text("Accounts\n\nroot:x:0:0:root:/root:/bin/bash and the rest of the file.\n")
    (folder / "passwd.txt").symlink_to(outside / "passwd.txt")
    (folder / "bomb.md").write_text(
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\ntitle: *b\n---\n"
        "Harbour news\n\nThe harbour master said the new pontoon would open in the spring.\n"
    )
    (folder / "deep.json").write_text("[" * 5_000 + "]" * 5_000)
    (folder / "truncated.json").write_text('[{"title": "Cut short", "body": "The file ends')
    (folder / "feed.jsonl").write_text(
        json.dumps({"title": "Lowmoor bridge reopens", "body": "The Lowmoor footbridge reopened "
                    "on Sunday after a year of repairs costing 60,000 crowns."}) + "\n"
        + "{not json at all\n"
        + json.dumps({"title": "No body"}) + "\n"
    )
    (folder / "scripts.html").write_text(
        "<html><head><script>alert('x')</script></head><body><nav><a href='/'>Home</a></nav>"
        "<script>document.write('tracking')</script></body></html>"
    )
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not supported")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n%garbage with no objects at all\n")
    (folder / "README.md").write_text("# How this folder works\n\nNot an article.\n")
    return {
        "binary.txt": "binary file, not text",
        "empty.txt": "empty file",
        "title-only.txt": "only a title, no body",
        "huge.txt": "file too large (0.026 MB > 0.02 MB)",
        "broken-link.txt": "unreadable: broken symlink ",
        "loop-a.txt": "symlink loop ",
        "loop-b.txt": "symlink loop ",
        "loop": "symlink loop ",
        "passwd.txt": "symlink points outside the indexed folder",
        "bomb.md": "front matter uses a YAML alias (*a); aliases are not allowed",
        "deep.json": "JSON nested too deeply",
        "truncated.json": "invalid JSON: ",
        "feed.jsonl#2": "line 2: invalid JSON: Expecting property name enclosed in double quotes at line 1",
        "feed.jsonl#3": "JSON record has no body/text/content",
        "scripts.html": "no text",
        "notes.docx": "unsupported file type '.docx'",
        "scan.pdf": "unreadable PDF: ",
        "README.md": "README/LICENSE file, not an article",
    }


def test_bad_input_is_skipped_with_reasons_and_nothing_is_lost(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(ARTICLES / "business" / "harbour-bank.txt", folder / "harbour-bank.txt")
    assistant = make_assistant(tmp_path / "data", loading=LoaderConfig(max_file_mb=0.02))
    assert len(assistant.index([folder]).added) == 1

    expected = write_bad_inputs(folder)
    (folder / "bakery.txt").write_bytes(CP1252_TEXT.encode("cp1252"))  # not UTF-8, but fine
    report = assistant.index([folder])

    reasons = {Path(s.source).name: s.reason for s in report.skipped}
    assert set(reasons) == set(expected)
    for name, reason in expected.items():
        if reason.endswith(" "):
            assert reasons[name].startswith(reason) and len(reasons[name]) > len(reason), (name, reasons[name])
        else:
            assert reasons[name] == reason, name
    assert sorted(report.added) == [str(folder / "bakery.txt"), f"{folder}/feed.jsonl#1"]
    assert report.unchanged == [str(folder / "harbour-bank.txt")]
    assert report.removed == []
    assert "\u00a318,500" in assistant.article(str(folder / "bakery.txt")).body
    answer = assistant.ask("Who was appointed chief executive of the Harbour Bank of Port Elwin?")
    assert "Marta Quill" in answer.text
    assert_consistent(assistant.store)


def test_a_file_that_turns_bad_keeps_its_indexed_version(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("harbour-bank.txt", "tin-mine.txt"):
        shutil.copy(ARTICLES / "business" / name, folder / name)
    assistant = make_assistant(tmp_path / "data")
    assistant.index([folder])

    (folder / "harbour-bank.txt").write_bytes(b"")  # truncated by a failed copy
    (folder / "tin-mine.txt").write_bytes(b"\x00\x01\x02" * 100)  # overwritten with junk
    report = assistant.index([folder])
    assert {Path(s.source).name for s in report.skipped} == {"harbour-bank.txt", "tin-mine.txt"}
    assert report.removed == [] and assistant.stats().articles == 2
    assert "Marta Quill" in assistant.article(str(folder / "harbour-bank.txt")).body


def test_inputs_that_do_not_exist(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    (tmp_path / "loop-a.txt").symlink_to(tmp_path / "loop-b.txt")
    (tmp_path / "loop-b.txt").symlink_to(tmp_path / "loop-a.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nothing-here.txt")
    assistant = make_assistant(tmp_path / "data")
    report = assistant.index([tmp_path / "missing-folder", tmp_path / "loop-a.txt", tmp_path / "dangling.txt"])
    assert report.added == []
    assert [(s.source, s.reason) for s in report.skipped if s.source != str(tmp_path / "loop-a.txt")] == [
        (str(tmp_path / "missing-folder"), "no such file or folder"),
        (str(tmp_path / "dangling.txt"), "no such file or folder"),
    ]
    (loop,) = [s.reason for s in report.skipped if s.source == str(tmp_path / "loop-a.txt")]
    assert loop.startswith("unreadable: ") and "loop-a.txt" in loop


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    locked = folder / "locked.txt"
    shutil.copy(ARTICLES / "business" / "tin-mine.txt", locked)
    locked.chmod(0)
    report = make_assistant(tmp_path / "data").index([folder])
    assert [s.source for s in report.skipped] == [str(locked)]
    assert report.skipped[0].reason == "unreadable: Permission denied"
