"""Read files into Articles: text/Markdown, HTML, JSON/JSONL and PDF.

Every loader yields Articles or Skipped entries; nothing here raises for bad input.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
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

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
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


def load_path(path: Path, config: LoaderConfig, topic: str | None = None) -> Iterator[Loaded]:
    """Yield the articles of one file (several for JSON/JSONL), or why it was skipped."""
    data = read_file(path, config)
    if isinstance(data, Skipped):
        yield data
        return
    yield from parse_file(path, data, config, topic)


def read_file(path: Path, config: LoaderConfig) -> bytes | Skipped:
    """The bytes of a supported file within the size limit, or why it is skipped (the I/O
    half of load_path; parse_file is the CPU half, which may run on another machine)."""
    source = str(path)
    if _loader_for(path) is None:
        return Skipped(source=source, reason=f"unsupported file type '{path.suffix or path.name}'")
    try:
        size = path.stat().st_size
        if size > config.max_file_mb * 1024 * 1024:
            raise SkipArticle(f"file too large ({size / 2**20:.3g} MB > {config.max_file_mb:g} MB)")
        if size == 0:
            raise SkipArticle("empty file")
        return path.read_bytes()
    except SkipArticle as skip:
        return Skipped(source=source, reason=str(skip))
    except OSError as error:
        return Skipped(source=source, reason=f"unreadable: {error.strerror or error}")


def parse_file(path: Path, data: bytes, config: LoaderConfig, topic: str | None = None) -> Iterator[Loaded]:
    """The articles in the bytes of a file read by read_file: decoded, extracted, cleaned."""
    source = str(path)
    loader = _loader_for(path)
    assert loader is not None, "read_file skips unsupported files"
    try:
        for item in loader(data, source, topic if topic is not None else path.parent.name):
            yield _checked(item, config)
    except SkipArticle as skip:
        yield Skipped(source=source, reason=str(skip))
    except Exception as error:  # a loader bug must not stop the batch
        log.exception("loader failed on %s", source)
        yield Skipped(source=source, reason=f"could not be read: {type(error).__name__}: {error}")


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
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as error:
            raise SkipArticle(f"front matter is not valid YAML: {error}") from error
        meta = loaded if isinstance(loaded, dict) else {}
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


def load_html(data: bytes, source: str, topic: str, url: str | None = None) -> Iterator[Loaded]:
    """An HTML page: main text and metadata through trafilatura (scripts and menus dropped)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        decode_text(data), url=url, with_metadata=True, include_comments=False,
        include_tables=False,
    )
    document = extracted.as_dict() if extracted is not None else {}
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
    try:
        payload = json.loads(decode_text(data))
    except json.JSONDecodeError as error:
        raise SkipArticle(f"invalid JSON: {error.msg} at line {error.lineno}") from error
    if isinstance(payload, dict) and isinstance(payload.get("articles"), list):
        payload = payload["articles"]
    records = payload if isinstance(payload, list) else [payload]
    for number, record in enumerate(records, start=1):
        yield _record(record, f"{source}#{number}", topic)


def load_json_lines(data: bytes, source: str, topic: str) -> Iterator[Loaded]:
    """JSON Lines: one record per line; a malformed line is skipped, the rest go on."""
    for number, line in enumerate(decode_text(data).splitlines(), start=1):
        if not line.strip():
            continue
        key = f"{source}#{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Skipped(source=key, reason=f"line {number}: invalid JSON ({error.msg})")
            continue
        yield _record(record, key, topic)


def load_pdf(data: bytes, source: str, topic: str) -> Iterator[Loaded]:
    """A PDF through pypdf: title from its metadata, else its first line."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        info = reader.metadata or {}
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
    return Article(
        source_key=source,
        title=clean_title(str(meta.get("title") or "")),
        body=clean_body(body),
        outlet=_text_or_none(meta.get("outlet")),
        url=_text_or_none(meta.get("url")),
        author=_text_or_none(author),
        published=parse_date(meta.get("published") or meta.get("date")),
        topic=_text_or_none(meta.get("topic")) or topic or None,
    )


def _text_or_none(value: object) -> str | None:
    text = clean_title(str(value)) if value is not None else ""
    return text or None


def discover(root: Path) -> Iterator[Path]:
    """Yield the files under a folder, sorted, skipping hidden ones.

    Broken symlinks are yielded too, so that load_path reports them as unreadable.
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
