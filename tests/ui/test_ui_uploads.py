"""Upload handling: generated names inside the data dir, type/size limits, hostile zips."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ui.uploads import (
    UploadLimits,
    UploadRefused,
    forget_upload,
    generated_name,
    slug,
    store_uploads,
)

ARTICLE = b"A title\n\nSome body text that is long enough to be an article for the indexer.\n"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_zip(path: Path, entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def inside(path: Path, root: Path) -> bool:
    return root.resolve() in path.resolve().parents


def test_names_are_generated_and_safe() -> None:
    name = generated_name("../../etc/pass wd.TXT")
    assert re.fullmatch(r"[0-9a-f]{8}-pass-wd\.txt", name)
    assert re.fullmatch(r"[0-9a-f]{8}-file", generated_name("..\\..\\.."))
    assert generated_name("a.txt") != generated_name("a.txt")
    assert slug("../../x y") == "x-y" and slug("..") == "uploads"


def test_files_are_stored_inside_the_data_dir(tmp_path: Path) -> None:
    temp = write(tmp_path / "tmp" / "story.md", ARTICLE)
    data = tmp_path / "data"
    stored = store_uploads([("../../../outside.md", temp), ("story.md", temp)], data, "../../evil topic", UploadLimits())
    assert len(stored.paths) == 2 and not stored.refused
    for path in stored.paths:
        assert inside(path, data / "uploads") and path.parent.name == "evil-topic"
        assert path.read_bytes() == ARTICLE
    assert sorted(stored.names.values()) == ["outside.md", "story.md"]
    assert not (tmp_path / "outside.md").exists()
    assert forget_upload(stored.paths[0], data) and not stored.paths[0].exists()
    assert not forget_upload(temp, data) and temp.exists()  # never outside data/uploads


def test_type_size_and_count_limits(tmp_path: Path) -> None:
    exe = write(tmp_path / "run.exe", b"MZ")
    big = write(tmp_path / "big.txt", b"x" * 2_000_001)
    stored = store_uploads([("run.exe", exe), ("big.txt", big)], tmp_path / "data", None, UploadLimits(max_file_mb=2))
    assert not stored.paths
    reasons = dict(stored.refused)
    assert "unsupported file type '.exe'" in reasons["run.exe"]
    assert "over the 2 MB limit" in reasons["big.txt"]
    with pytest.raises(UploadRefused, match="limit is 1"):
        store_uploads([("a.txt", exe), ("b.txt", exe)], tmp_path / "data", None, UploadLimits(max_files=1))


def test_zip_articles_are_unpacked_flat(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "batch.zip", {
        "news/one.txt": ARTICLE, "news/two.md": ARTICLE, "news/skip.exe": b"MZ", "__MACOSX/._one.txt": b"x",
        "news/": b"",
    })
    stored = store_uploads([("batch.zip", archive)], tmp_path / "data", "world", UploadLimits())
    assert sorted(p.suffix for p in stored.paths) == [".md", ".txt"]
    assert all(p.parent == (tmp_path / "data" / "uploads" / "world").resolve() for p in stored.paths)
    assert sorted(stored.names.values()) == ["batch.zip/news/one.txt", "batch.zip/news/two.md"]


@pytest.mark.parametrize("entry", ["../evil.txt", "ok/../../evil.txt", "/abs/evil.txt", "C:/evil.txt"])
def test_zip_with_escaping_entries_is_refused(tmp_path: Path, entry: str) -> None:
    archive = make_zip(tmp_path / "bad.zip", {"fine.txt": ARTICLE, entry: ARTICLE})
    stored = store_uploads([("bad.zip", archive)], tmp_path / "data", None, UploadLimits())
    assert not stored.paths and "outside the archive" in stored.refused[0][1]
    assert not list((tmp_path / "data" / "uploads").rglob("*.txt"))
    assert not (tmp_path / "evil.txt").exists()


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"a.txt": b"0" * 30_000_000})
    assert archive.stat().st_size < 100_000
    stored = store_uploads([("bomb.zip", archive)], tmp_path / "data", None, UploadLimits())
    assert not stored.paths and "zip bomb" in stored.refused[0][1]


def test_zip_lying_about_sizes_is_stopped_while_unpacking(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "liar.zip", {"a.txt": b"0" * 3_000_000})
    raw = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size fields
        at = raw.find(signature)
        raw[at + offset: at + offset + 4] = (100).to_bytes(4, "little")
    archive.write_bytes(bytes(raw))
    stored = store_uploads([("liar.zip", archive)], tmp_path / "data", None, UploadLimits(max_zip_ratio=2))
    assert not stored.paths and stored.refused
    assert not list((tmp_path / "data" / "uploads").rglob("*.txt"))


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    fake = write(tmp_path / "fake.zip", b"not a zip at all")
    stored = store_uploads([("fake.zip", fake)], tmp_path / "data", None, UploadLimits())
    assert stored.refused == [("fake.zip", "not a valid zip file")]
