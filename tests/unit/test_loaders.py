"""Loaders: every format into an Article, bad input into a Skipped with a reason."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from support import ARTICLES, CP1252_TEXT, PDF_BODY, PDF_TITLE, write_generated_articles

from index.article import Article
from index.config import LoaderConfig
from index.loaders import discover, load_json, load_json_lines, load_path, parse_date
from index.report import Skipped

CONFIG = LoaderConfig()


def load(path: Path, config: LoaderConfig = CONFIG) -> list[Article | Skipped]:
    return list(load_path(path, config))


def only_article(path: Path) -> Article:
    items = load(path)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def skip_reason(path: Path, config: LoaderConfig = CONFIG) -> str:
    items = load(path, config)
    assert len(items) == 1 and isinstance(items[0], Skipped), items
    assert items[0].source == str(path)
    return items[0].reason


def test_text_title_is_first_line_and_topic_is_folder() -> None:
    article = only_article(ARTICLES / "business" / "harbour-bank.txt")
    assert article.title == "Harbour Bank of Port Elwin names Marta Quill as chief executive"
    assert article.body.startswith("The Harbour Bank of Port Elwin has appointed Marta Quill")
    assert article.topic == "business"
    assert article.source_key == str(ARTICLES / "business" / "harbour-bank.txt")
    assert article.outlet is None and article.published is None
    assert "\n\n" in article.body  # paragraphs kept


def test_text_drops_boilerplate_lines_and_straightens_quotes() -> None:
    body = only_article(ARTICLES / "business" / "harbour-bank.txt").body
    for furniture in ("Live updates on", "More: Why small lenders", "Follow the Daily podcast"):
        assert furniture not in body
    assert "\u201c" not in body and "\u2019" not in body
    assert '"Marta understands that a small bank lives or dies by the trust of its town,"' in body
    assert "'We could not have found a better person.'" in body


def test_markdown_front_matter_gives_metadata() -> None:
    article = only_article(ARTICLES / "politics" / "council-vote.md")
    assert article.title == "Elwin council votes to close Mill Street to cars"
    assert article.outlet == "The Elwin Courier"
    assert article.author == "Dana Roe"
    assert article.published == date(2023, 3, 14)
    assert article.topic == "politics"
    assert not article.body.startswith("#")  # the heading repeating the title is not body
    assert article.body.startswith("Port Elwin's town council has voted by seven votes to two")


def test_front_matter_title_keeps_first_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Pier repairs begin\noutlet: Cray Gazette\n---\n"
        "Work to repair the storm-damaged pier at Cray began on Monday morning.\n\n"
        "The council expects it to reopen by the summer holidays.\n"
    )
    article = only_article(path)
    assert article.title == "Pier repairs begin"
    assert article.body.startswith("Work to repair the storm-damaged pier at Cray began")


def test_invalid_front_matter_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\nTitle\n\nSome body text that is long enough to keep.\n")
    assert "front matter" in skip_reason(path)


def test_html_main_text_without_scripts_or_menus() -> None:
    article = only_article(ARTICLES / "science" / "comet.html")
    assert article.title == "Amateur astronomer finds new comet from Hallow Hill"
    assert article.outlet == "Northern Ledger"
    assert article.author == "Ravi Lund"
    assert article.published == date(2024, 1, 9)
    assert "Priya Ostrander, 68, spotted the faint smudge of light" in article.body
    for junk in ("ZX-TRACKER", "trackingPixel", "menu", "Subscribe", "Privacy", "All rights reserved"):
        assert junk not in article.body
    # one paragraph per <p>, and the headline is not glued to the first sentence
    assert article.body.startswith("A retired schoolteacher has discovered")
    assert article.body.count("\n\n") == 4


def test_html_without_main_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><nav>Home</nav></body></html>")
    assert skip_reason(path) == "no text"


def test_json_list_of_records_with_field_aliases() -> None:
    path = ARTICLES / "sport" / "rowing.json"
    first, second = load(path)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.source_key, second.source_key) == (f"{path}#1", f"{path}#2")
    assert first.url == "https://example.org/sport/lowmoor-cup"
    assert first.outlet == "Riverside Sport" and first.author == "Colm Baird"
    assert first.published == date(2022, 6, 5)
    assert second.title == "Tresset sprinter breaks county record"
    assert second.body.startswith("The Tresset sprinter Jonah Vell")  # from "text"
    assert second.outlet == "Riverside Sport"  # from "source"
    assert second.published == date(2022, 7, 20)  # from "date"
    assert first.topic == second.topic == "sport"


def test_jsonl_malformed_line_is_skipped_and_the_rest_load() -> None:
    path = ARTICLES / "world" / "wires.jsonl"
    items = load(path)
    assert [type(i).__name__ for i in items] == ["Article", "Skipped", "Article"]
    assert items[1].source == f"{path}#2"
    assert "line 2" in items[1].reason and "invalid JSON" in items[1].reason
    assert items[2].body.startswith("The Skerrin lighthouse will switch")  # from "content"


def test_json_malformed_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"title": "Half a record", "body": ')
    assert "invalid JSON" in skip_reason(path)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("not an object", "not an object"),
        ({"title": "No body here"}, "has no body"),
        ({"body": "A body with no title, long enough to be an article on its own."}, "no title"),
    ],
)
def test_json_records_without_what_an_article_needs(record: object, reason: str) -> None:
    (item,) = load_json(json.dumps(record).encode(), "feed.json", "topic")
    assert isinstance(item, Skipped) and reason in item.reason


def test_json_object_with_articles_list() -> None:
    payload = {"articles": [{"headline": "Quay reopens", "article": "The quay reopened after repairs."}]}
    (item,) = load_json(json.dumps(payload).encode(), "feed.json", "")
    assert isinstance(item, Article) and item.title == "Quay reopens"


def test_jsonl_blank_lines_are_ignored() -> None:
    data = b'\n{"title": "A", "body": "First body."}\n\n{"title": "B", "body": "Second body."}\n'
    items = list(load_json_lines(data, "x.jsonl", ""))
    assert [i.source_key for i in items] == ["x.jsonl#2", "x.jsonl#4"]


def test_pdf_text_and_title(tmp_path: Path) -> None:
    write_generated_articles(tmp_path)
    article = only_article(tmp_path / "science" / "glassworks.pdf")
    assert article.title == PDF_TITLE
    assert article.body.startswith("The old glassworks in Varnmouth reopened")  # title not repeated
    assert " ".join(article.body.split()) == PDF_BODY


def test_corrupt_pdf_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4\n this is not really a pdf at all \n%%EOF\n")
    assert skip_reason(path)  # any reason, but a reason and not an exception


def test_cp1252_pound_sign_decodes(tmp_path: Path) -> None:
    write_generated_articles(tmp_path)
    article = only_article(tmp_path / "business" / "bakery-oven.txt")
    assert article.title == "Tolborough bakery buys a stone oven"
    assert "\u00a318,500" in article.body and "Cr\u00e9mieu" in article.body
    assert article.body == "\n\n".join(CP1252_TEXT.strip().split("\n\n")[1:])


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert "binary" in skip_reason(path)


def test_empty_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in skip_reason(path)


def test_whitespace_only_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("\n\n   \n")
    assert "empty" in skip_reason(path)


def test_title_only_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "title.txt"
    path.write_text("Just a headline and nothing else\n")
    assert "only a title" in skip_reason(path)


def test_huge_file_is_skipped_by_configured_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("A long one\n\n" + "Words fill the page. " * 2000)
    assert "too large" in skip_reason(path, LoaderConfig(max_file_mb=0.01))
    assert isinstance(load(path)[0], Article)  # the default limit lets it through


def test_unsupported_suffix_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert "unsupported" in skip_reason(path)


def test_broken_symlink_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.symlink_to(tmp_path / "nowhere.txt")
    assert "unreadable" in skip_reason(path)


def test_discover_skips_hidden_and_reports_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\nbody")
    (tmp_path / ".hidden.txt").write_text("H\n\nbody")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("X\n\nbody")
    (tmp_path / "sub.txt").mkdir()  # a folder named like a file: not a file
    (tmp_path / "sub.txt" / "b.md").write_text("B\n\nbody")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.txt", "dangling.txt", "sub.txt/b.md"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-21", date(2024, 5, 21)),
        ("2024-01-09T08:30:00Z", date(2024, 1, 9)),
        ("9 January 2024", date(2024, 1, 9)),
        (date(2020, 2, 29), date(2020, 2, 29)),
        ("", None),
        (None, None),
        ("not a date", None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected
