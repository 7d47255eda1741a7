"""Read files into Articles: text/Markdown, HTML, JSON/JSONL and PDF.

Every loader yields Articles or Skipped entries; nothing here raises for bad input. Hostile
input is bounded: YAML front matter is size-capped and may not use aliases, every metadata
field is capped, JSON nesting that Python cannot parse is a skip, and a symlink is followed
only to a file inside the folder being indexed.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from dateutil import parser as date_parser

from index.article import Article
from index.cleaning import clean_body, clean_title
from index.config import LoaderConfig
from index.decoding import decode_text
from index.errors import SkipArticle
from index.report import Skipped

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | PDF_SUFFIXES
NOT_ARTICLES = {"readme", "license", "licence", "changelog", "copying"}

MAX_FIELD_CHARS = 500  # title, outlet, author, topic: longer is cut, with an ellipsis
MAX_URL_CHARS = 2048  # a longer url is dropped (a cut URL would point elsewhere)

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_SURROGATES = re.compile("[\ud800-\udfff]")  # lone halves, from JSON's "\\ud800" escapes
_BODY_KEYS = ("body", "text", "content", "article", "maintext")
_DATE_KEYS = ("published", "date", "published_at", "pubdate", "datetime")
_OUTLET_KEYS = ("outlet", "source", "sitename", "site", "publisher")

Loaded = Article | Skipped


def parse_date(value: object) -> date | None:
    """Parse a date from a string, date or datetime; None when absent or unparsable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date_parser.parse(str(value), fuzzy=False).date()
    except (ValueError, OverflowError):
        return None


def load_path(
    path: Path, config: LoaderConfig, topic: str | None = None, root: Path | None = None,
) -> Iterator[Loaded]:
    """Yield the articles of one file (several for JSON/JSONL), or why it was skipped.

    root: the folder being indexed; a symlink is followed only to a file inside it.
    """
    data = read_file(path, config, root)
    if isinstance(data, Skipped):
        yield data
        return
    yield from parse_file(path, data, config, topic)


def read_file(path: Path, config: LoaderConfig, root: Path | None = None) -> bytes | Skipped:
    """The bytes of a supported regular file within the size limit, or why it is skipped: the
    I/O half of load_path, run where the files are (links are checked against root here);
    parse_file is the CPU half, which may run on another machine."""
    source = str(path)
    try:
        real = _real_file(path, root)
        if _loader_for(path) is None:
            raise SkipArticle(f"unsupported file type '{path.suffix or path.name}'")
        return _read(real, config)
    except SkipArticle as skip:
        return Skipped(source=source, reason=str(skip))
    except OSError as error:
        return Skipped(source=source, reason=f"unreadable: {error.strerror or error}")


def parse_file(path: Path, data: bytes, config: LoaderConfig, topic: str | None = None) -> Iterator[Loaded]:
    """The articles in the bytes of a file read by read_file: decoded, extracted, cleaned,
    within the parsing limits (front matter, JSON depth, metadata caps)."""
    source = str(path)
    loader = _loader_for(path)
    if loader is None:
        yield Skipped(source=source, reason=f"unsupported file type '{path.suffix or path.name}'")
        return
    try:
        for item in loader(data, source, topic if topic is not None else path.parent.name):
            yield _checked(item, config)
    except SkipArticle as skip:
        yield Skipped(source=source, reason=str(skip))
    except RecursionError:
        yield Skipped(source=source, reason="nested too deeply to read")
    except Exception as error:  # a loader bug must not stop the batch
        log.exception("loader failed on %s", source)
        yield Skipped(source=source, reason=f"could not be read: {type(error).__name__}: {error}")


def _real_file(path: Path, root: Path | None) -> Path:
    """The file path stands for, after links; SkipArticle for a loop, a broken link or a link
    out of root."""
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SkipArticle("symlink loop (the link leads back to itself)") from error
        if error.errno == errno.ENOENT and path.is_symlink():
            raise SkipArticle("unreadable: broken symlink (its target does not exist)") from error
        raise
    real = Path(os.path.realpath(path))
    if root is not None and not real.is_relative_to(Path(os.path.realpath(root))):
        raise SkipArticle("symlink points outside the indexed folder")
    return real


def _read(real: Path, config: LoaderConfig) -> bytes:
    """The bytes of a regular file, within the size limit. The file is opened without
    following a link or waiting on a pipe, in case it was swapped for one since it was checked."""
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SkipArticle("not a regular file")
        size = info.st_size
        if size > config.max_file_mb * 1024 * 1024:
            raise SkipArticle(f"file too large ({size / 2**20:.3g} MB > {config.max_file_mb:g} MB)")
        if size == 0:
            raise SkipArticle("empty file")
        return handle.read()


def _checked(item: Loaded, config: LoaderConfig) -> Loaded:
    if isinstance(item, Article) and len(item.body) < config.min_body_chars:
        reason = "only a title, no body" if item.title else "no text"
        return Skipped(source=item.source_key, reason=reason)
    return item


def _loader_for(path: Path) -> Callable[[bytes, str, str], Iterable[Loaded]] | None:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return load_text
    if suffix in HTML_SUFFIXES:
        return load_html
    if suffix in JSON_SUFFIXES:
        return load_json_lines if suffix in {".jsonl", ".ndjson"} else load_json
    if suffix in PDF_SUFFIXES:
        return load_pdf
    return None


def load_text(data: bytes, source: str, topic: str) -> Iterator[Loaded]:
    """Plain text or Markdown: optional YAML front matter, title = first non-empty line."""
    text = decode_text(data)
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = front_matter(match.group(1))
        text = text[match.end() :]
    lines = text.strip().split("\n")
    title = clean_title(re.sub(r"^#+\s*", "", lines[0])) if lines else ""
    if not title and not meta.get("title"):
        raise SkipArticle("empty file")
    if meta.get("title"):  # the first line is body text unless it is a heading or the title
        is_heading = lines[0].lstrip().startswith("#")
        if not is_heading and title != clean_title(str(meta["title"])):
            lines = ["", *lines]
    yield _article(source, topic, {**meta, "title": meta.get("title") or title}, "\n".join(lines[1:]))


MAX_FRONT_MATTER_CHARS = 64 * 1024


def front_matter(block: str) -> dict[str, Any]:
    """The metadata of a YAML front matter block; SkipArticle when it is too large, uses
    aliases (the way to a 'billion laughs' bomb), nests too deeply or is not YAML."""
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise SkipArticle(f"front matter too large ({len(block):,} characters > {MAX_FRONT_MATTER_CHARS:,})")
    try:
        loaded = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 (a SafeLoader without aliases)
    except _AliasRefused as refused:
        raise SkipArticle(f"front matter uses a YAML alias ({refused}); aliases are not allowed") from refused
    except RecursionError as error:
        raise SkipArticle("front matter is nested too deeply") from error
    except yaml.YAMLError as error:
        raise SkipArticle(f"front matter is not valid YAML: {error}") from error
    return loaded if isinstance(loaded, dict) else {}


class _AliasRefused(yaml.YAMLError):
    """An alias (*name) in front matter; the message is the alias."""


class _FrontMatterLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses aliases: each one can multiply what it points to, so a few
    hundred bytes can expand to gigabytes once the values are turned into text."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(f"*{event.anchor}")
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def load_html(data: bytes, source: str, topic: str, url: str | None = None) -> Iterator[Loaded]:
    """An HTML page: main text and metadata through trafilatura (scripts and menus dropped)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        decode_text(data), url=url, with_metadata=True, include_comments=False,
        include_tables=False,
    )
    document = {} if extracted is None else extracted if isinstance(extracted, dict) else extracted.as_dict()
    if not (document.get("text") or "").strip():
        raise SkipArticle("no main text found in the HTML page")
    meta = {
        "title": document.get("title"),
        "published": document.get("date"),
        "author": document.get("author"),
        "outlet": document.get("sitename"),
        "url": url or document.get("url"),
    }
    # trafilatura puts one paragraph per line and often repeats the headline first
    paragraphs = _without_title(document["text"].split("\n"), meta["title"])
    yield _article(source, topic, meta, "\n\n".join(paragraphs))


def load_json(data: bytes, source: str, topic: str) -> Iterator[Loaded]:
    """A JSON record, a list of records, or an object with an 'articles' list."""
    payload = _parse_json(decode_text(data))
    if isinstance(payload, dict) and isinstance(payload.get("articles"), list):
        payload = payload["articles"]
    records = payload if isinstance(payload, list) else [payload]
    for number, record in enumerate(records, start=1):
        yield _record(record, f"{source}#{number}", topic)


def load_json_lines(data: bytes, source: str, topic: str) -> Iterator[Loaded]:
    """JSON Lines: one record per line; a bad line (malformed, too deep, undecodable) is
    skipped with its number and the rest go on."""
    for number, line in _json_lines(data):
        key = f"{source}#{number}"
        try:
            yield _record(_parse_json(line if isinstance(line, str) else _line_text(line)), key, topic)
        except SkipArticle as skip:
            yield Skipped(source=key, reason=f"line {number}: {skip}")
        except RecursionError:
            yield Skipped(source=key, reason=f"line {number}: JSON nested too deeply")


def _json_lines(data: bytes) -> Iterator[tuple[int, str | bytes]]:
    """(line number, line) of the non-blank lines, split on '\\n' only (a raw U+2028 may sit
    inside a JSON string). A file that is not UTF-8 yields its lines as bytes, to be decoded
    one by one, so that one bad line cannot spoil the others."""
    try:
        text: str | None = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = decode_text(data) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else None
    lines: list[str | bytes] = [*(text.split("\n") if text is not None else data.split(b"\n"))]
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line


def _line_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(raw)


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SkipArticle(f"invalid JSON: {error.msg} at line {error.lineno}") from error
    except RecursionError as error:
        raise SkipArticle("JSON nested too deeply") from error
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise SkipArticle(f"invalid JSON: {error}") from error


def load_pdf(data: bytes, source: str, topic: str) -> Iterator[Loaded]:
    """A PDF through pypdf: title from its metadata, else its first line."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        info: Mapping[str, Any] = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError) as error:
        raise SkipArticle(f"unreadable PDF: {error}") from error
    lines = [line for line in text.strip().split("\n") if line.strip()]
    if not lines:
        raise SkipArticle("PDF has no extractable text (scanned image?)")
    title = str(info.get("/Title") or "").strip()
    if not title:
        title, lines = lines[0], lines[1:]
    lines = _without_title(lines, title)
    meta = {"title": title, "author": info.get("/Author"), "published": None}
    # PDF text breaks lines mid-sentence: join lines, keep blank-line paragraphs
    yield _article(source, topic, meta, re.sub(r"(?<!\n)\n(?!\n)", " ", "\n".join(lines)))


def _without_title(lines: list[str], title: object) -> list[str]:
    """Non-empty lines, minus a first line that only repeats the title."""
    lines = [line for line in lines if line.strip()]
    if lines and title and clean_title(lines[0]) == clean_title(str(title)):
        return lines[1:]
    return lines


def _record(record: object, source: str, topic: str) -> Loaded:
    if not isinstance(record, dict):
        return Skipped(source=source, reason="JSON record is not an object")
    body = next((record[k] for k in _BODY_KEYS if isinstance(record.get(k), str)), None)
    if body is None:
        return Skipped(source=source, reason=f"JSON record has no {'/'.join(_BODY_KEYS[:3])}")
    meta = {
        "title": record.get("title") or record.get("headline"),
        "published": next((record[k] for k in _DATE_KEYS if record.get(k)), None),
        "outlet": next((record[k] for k in _OUTLET_KEYS if isinstance(record.get(k), str)), None),
        "author": record.get("author"),
        "url": record.get("url") or record.get("link"),
        "topic": record.get("topic") or record.get("category"),
    }
    if not meta["title"]:
        return Skipped(source=source, reason="JSON record has no title")
    try:
        return _article(source, topic, meta, body)
    except SkipArticle as skip:
        return Skipped(source=source, reason=str(skip))


def _article(source: str, topic: str, meta: dict[str, Any], body: str) -> Article:
    author = meta.get("author")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    url = meta.get("url")
    return Article(
        source_key=source,
        title=metadata_text(meta.get("title")) or "",
        body=clean_body(_SURROGATES.sub("\ufffd", body)),
        outlet=metadata_text(meta.get("outlet")),
        url=metadata_text(url, MAX_URL_CHARS) if url is not None and len(str(url)) <= MAX_URL_CHARS else None,
        author=metadata_text(author),
        published=parse_date(meta.get("published") or meta.get("date")),
        topic=metadata_text(meta.get("topic")) or topic or None,
    )


def metadata_text(value: object, limit: int = MAX_FIELD_CHARS) -> str | None:
    """A metadata value as clean one-line text of at most `limit` characters (cut with an
    ellipsis); None when empty."""
    if value is None:
        return None
    text = clean_title(_SURROGATES.sub("\ufffd", str(value)[: limit * 4]))
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text or None


def discover(root: Path) -> Iterator[Path]:
    """Yield the files under a folder, sorted, skipping hidden ones.

    Broken symlinks and symlink loops are yielded too, so that load_path reports them (and
    refuses a link to a file outside the folder). Links to folders are not followed.
    """
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.is_file() or (path.is_symlink() and not path.exists()):
            yield path


def is_not_article(path: Path) -> bool:
    """README, LICENSE and the like sit beside articles in folders but are not news."""
    return path.stem.lower() in NOT_ARTICLES
