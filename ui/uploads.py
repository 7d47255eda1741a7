"""Safe handling of uploaded files: type and size limits, generated names inside the data
directory, zip archives unpacked with guards against bombs and path traversal.

Nothing from the upload's name reaches the file system except a sanitised, shortened stem
after a random prefix: `uploads/<topic>/<8 hex>-<stem>.<ext>`.
"""

from __future__ import annotations

import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.settings import UploadLimits

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".pdf"})
ARCHIVE_SUFFIXES = frozenset({".zip"})
UPLOAD_SUFFIXES = ARTICLE_SUFFIXES | ARCHIVE_SUFFIXES
UPLOADS_FOLDER = "uploads"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadRefused(ValueError):
    """An upload that breaks a limit; the message says which."""


@dataclass
class Stored:
    """Files written for one upload: stored path -> the name the user gave it."""

    paths: list[Path] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


def slug(text: str, fallback: str = "uploads", limit: int = 40) -> str:
    """A file-system-safe name: ASCII letters, digits, '.', '_', '-' only; no leading dots."""
    cleaned = _UNSAFE.sub("-", text).strip(".-_")[:limit].strip(".-_")
    return cleaned or fallback


def generated_name(original: str) -> str:
    """'<8 random hex>-<safe stem><suffix>' for an uploaded name (never a path)."""
    base = PurePosixPath(original.replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    stem = slug(base[: len(base) - len(suffix)] if suffix else base, fallback="file")
    return f"{secrets.token_hex(4)}-{stem}{suffix if suffix in UPLOAD_SUFFIXES else ''}"


def upload_folder(data_dir: Path, topic: str | None) -> Path:
    """data_dir/uploads/<topic> (created); the folder name becomes the articles' topic."""
    root = (Path(data_dir).expanduser().resolve() / UPLOADS_FOLDER).resolve()
    folder = root / slug(topic or "", fallback=UPLOADS_FOLDER)
    if root not in folder.parents:  # cannot happen with slug(); kept as a last guard
        raise UploadRefused("the upload folder would leave the data directory")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def forget_upload(path: Path, data_dir: Path) -> bool:
    """Delete a stored upload (only a file inside data_dir/uploads); True if deleted."""
    root = (Path(data_dir).expanduser().resolve() / UPLOADS_FOLDER).resolve()
    try:
        target = Path(path).resolve()
    except OSError:
        return False
    if root in target.parents and target.is_file():
        target.unlink()
        return True
    return False


def store_uploads(
    files: list[tuple[str, Path]], data_dir: Path, topic: str | None, limits: UploadLimits
) -> Stored:
    """Copy uploaded (original name, temp path) pairs into the data directory under
    generated names, unpacking zips. Files that break a limit are refused with a reason;
    too many files refuse the whole upload."""
    if len(files) > limits.max_files:
        raise UploadRefused(f"{len(files)} files in one upload; the limit is {limits.max_files}")
    folder = upload_folder(data_dir, topic)
    stored = Stored()
    for original, temp in files:
        name = PurePosixPath(original.replace("\\", "/")).name or "file"
        try:
            _check_file(name, temp, limits)
            if PurePosixPath(name).suffix.lower() in ARCHIVE_SUFFIXES:
                _unpack(name, temp, folder, limits, stored)
            else:
                target = folder / generated_name(name)
                shutil.copyfile(temp, target)
                stored.paths.append(target)
                stored.names[str(target)] = name
        except UploadRefused as refused:
            stored.refused.append((name, str(refused)))
    return stored


def _check_file(name: str, path: Path, limits: UploadLimits) -> None:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = " ".join(sorted(UPLOAD_SUFFIXES))
        raise UploadRefused(f"unsupported file type '{suffix or name}' (allowed: {allowed})")
    size = Path(path).stat().st_size
    if size > limits.max_file_mb * 1_000_000:
        raise UploadRefused(f"{size / 1e6:.1f} MB is over the {limits.max_file_mb:g} MB limit")


def check_zip(
    archive: zipfile.ZipFile, compressed_size: int, limits: UploadLimits,
) -> tuple[list[zipfile.ZipInfo], list[tuple[str, str]]]:
    """The article entries of a zip, and (entry, reason) for each other file in it, after
    refusing the whole zip for traversal, links, bombs and excess. Folders and hidden or
    __MACOSX entries are passed over without a word."""
    entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        raise UploadRefused(f"{len(entries)} entries in the zip; the limit is {limits.max_zip_entries}")
    total = 0
    for info in entries:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise UploadRefused(f"the zip entry '{info.filename}' points outside the archive")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise UploadRefused(f"the zip entry '{info.filename}' is a symbolic link")
        total += info.file_size
    if total > limits.max_unzipped_mb * 1_000_000:
        raise UploadRefused(f"the zip unpacks to {total / 1e6:.0f} MB; the limit is {limits.max_unzipped_mb:g} MB")
    if total > 1_000_000 and total > limits.max_zip_ratio * max(compressed_size, 1):
        raise UploadRefused(f"the zip expands {total / max(compressed_size, 1):.0f}-fold: refused as a zip bomb")
    articles, others = [], []
    for info in entries:
        path = PurePosixPath(info.filename)
        if info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in path.parts):
            continue
        suffix = path.suffix.lower()
        if suffix in ARTICLE_SUFFIXES:
            articles.append(info)
        elif suffix in ARCHIVE_SUFFIXES:
            others.append((info.filename, "a zip inside a zip is not unpacked; upload it on its own"))
        else:
            others.append((info.filename, f"unsupported file type '{suffix or path.name}'"))
    return articles, others


def _unpack(name: str, path: Path, folder: Path, limits: UploadLimits, stored: Stored) -> None:
    """Unpack a zip's article files flat into `folder` under generated names; its other files
    are listed as refused. The declared sizes are checked first, and the bytes actually
    written are counted too (headers lie)."""
    if not zipfile.is_zipfile(path):
        raise UploadRefused("not a valid zip file")
    budget = int(min(limits.max_unzipped_mb * 1_000_000, limits.max_zip_ratio * max(path.stat().st_size, 1) + 1_000_000))
    per_file = int(limits.max_file_mb * 1_000_000)
    written: list[Path] = []
    try:
        with zipfile.ZipFile(path) as archive:
            articles, others = check_zip(archive, path.stat().st_size, limits)
            for info in articles:
                target = folder / generated_name(info.filename)
                with archive.open(info) as source, open(target, "wb") as sink:
                    written.append(target)
                    size = 0
                    while chunk := source.read(1 << 16):
                        size += len(chunk)
                        budget -= len(chunk)
                        if budget < 0:
                            raise UploadRefused("the zip unpacks to more than its limit: refused as a zip bomb")
                        if size > per_file:
                            raise UploadRefused(f"'{info.filename}' is over the {limits.max_file_mb:g} MB limit")
                        sink.write(chunk)
                stored.names[str(target)] = f"{name}/{info.filename}"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as error:
        _discard(written, stored)
        raise UploadRefused(f"unreadable zip: {error}") from error
    except UploadRefused:
        _discard(written, stored)
        raise
    stored.paths.extend(written)
    stored.refused.extend((f"{name}/{entry}", reason) for entry, reason in others)


def _discard(written: list[Path], stored: Stored) -> None:
    for path in written:
        path.unlink(missing_ok=True)
        stored.names.pop(str(path), None)
