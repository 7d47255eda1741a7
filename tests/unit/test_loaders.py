"""Loaders: every format into an Article, bad input into a Skipped with a reason."""

from __future__ import annotations

import json
import os
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
    assert skip_reason(path) == "unreadable: broken symlink (its target does not exist)"


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


# --- hostile files ------------------------------------------------------------------------

ALIAS_BOMB = (  # each level repeats the one before nine times: 9**5 = 59,049 'lol's as the title
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "title: *e\n"
    "---\n"
    "Harbour news\n\nThe harbour master said the new pontoon would open in the spring.\n"
)


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        (ALIAS_BOMB.split("---\n")[1], "front matter uses a YAML alias (*a); aliases are not allowed"),
        ("title: x\nnote: " + "y" * 70_000 + "\n", "front matter too large (70,015 characters > 65,536)"),
        ("title: " + "[" * 20_000 + "]" * 20_000 + "\n", "front matter is nested too deeply"),
    ],
    ids=["alias-bomb", "huge", "deep"],
)
def test_hostile_front_matter_is_skipped_with_its_reason(tmp_path: Path, front: str, reason: str) -> None:
    path = tmp_path / "hostile.md"
    path.write_text(f"---\n{front}---\nHarbour news\n\nThe harbour master said the pontoon would open in spring.\n")
    assert skip_reason(path) == reason


def test_front_matter_anchors_without_aliases_still_load(tmp_path: Path) -> None:
    path = tmp_path / "anchored.md"
    path.write_text("---\ntitle: &t Pier reopens\noutlet: Cray Gazette\n---\nThe pier at Cray reopened on Monday after a long repair.\n")
    article = only_article(path)
    assert (article.title, article.outlet) == ("Pier reopens", "Cray Gazette")


def test_every_metadata_field_is_capped(tmp_path: Path) -> None:
    record = {
        "title": "Flood " * 2_000, "outlet": "Gazette " * 1_000, "author": [f"Reporter {n}" for n in range(1_000)],
        "topic": "weather " * 500, "url": "https://example.org/" + "a" * 3_000,
        "body": "The river rose by two metres overnight and the quay was closed to traffic.",
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(record))
    article = only_article(path)
    for value in (article.title, article.outlet, article.author, article.topic):
        assert value is not None and len(value) == 500 and value.endswith("\u2026")
    assert article.title.startswith("Flood Flood")
    assert article.url is None  # a URL cut short would point elsewhere: dropped
    fitting = dict(record, url="https://example.org/" + "a" * 2_000)
    path.write_text(json.dumps(fitting))
    assert only_article(path).url == fitting["url"]


def test_jsonl_bad_lines_are_skipped_one_by_one(tmp_path: Path) -> None:
    body = "The lifeboat crew rescued two walkers cut off by the tide at Scar Point."
    lines = [
        json.dumps({"title": "First", "body": body}).encode(),
        b'{"title": "Deep", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"title": "Huge number", "body": "x", "n": ' + b"9" * 5_000 + b"}",
        '{"title": "Caf\u00e9 owners cheer", "body": "The caf\u00e9 owners cheered the new \u00a3500 grant for the quay."}'.encode("cp1252"),
        b'{"title": "Lone \\ud800 half", "body": "' + body.encode() + b'"}',
        json.dumps({"title": "Separator", "body": body + "\u2028Second part."}, ensure_ascii=False).encode(),
        b"\x81\x00\x9d\x00 binary junk \x00\x00",
        json.dumps({"title": "Last", "body": body}).encode(),
    ]
    path = tmp_path / "wires.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = {item.source_key if isinstance(item, Article) else item.source: item for item in load(path)}
    assert len(items) == 8
    articles = {key: item for key, item in items.items() if isinstance(item, Article)}
    assert {key: article.title for key, article in articles.items()} == {
        f"{path}#1": "First", f"{path}#4": "Caf\u00e9 owners cheer", f"{path}#5": "Lone \ufffd half",
        f"{path}#6": "Separator", f"{path}#8": "Last",
    }
    assert "\u00a3500 grant" in articles[f"{path}#4"].body  # the cp1252 line, decoded on its own
    reasons = {key: item.reason for key, item in items.items() if isinstance(item, Skipped)}
    assert reasons[f"{path}#2"] == "line 2: JSON nested too deeply"
    assert reasons[f"{path}#3"].startswith("line 3: invalid JSON: Exceeds the limit (4300 digits)")
    assert reasons[f"{path}#7"] == "line 7: binary file, not text"


def test_deeply_nested_json_is_a_clean_skip(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with caplog.at_level("DEBUG"):
        assert skip_reason(path) == "JSON nested too deeply"
    assert caplog.records == []  # a reason, not a traceback in the log


def test_symlink_out_of_the_indexed_folder_is_not_followed(tmp_path: Path) -> None:
    inside, outside = tmp_path / "inbox", tmp_path / "private"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("Payroll\n\nThe payroll file lists every salary in the newsroom.\n")
    (inside / "story.txt").write_text("Quay reopens\n\nThe quay at Varnmouth reopened on Monday after repairs.\n")
    (inside / "passwd.txt").symlink_to(outside / "secret.txt")
    (inside / "alias.txt").symlink_to(inside / "story.txt")
    assert list(load_path(inside / "passwd.txt", CONFIG, root=inside)) == [
        Skipped(source=str(inside / "passwd.txt"), reason="symlink points outside the indexed folder")
    ]
    (followed,) = load_path(inside / "alias.txt", CONFIG, root=inside)  # a link within the folder is fine
    assert isinstance(followed, Article) and followed.source_key == str(inside / "alias.txt")
    assert followed.title == "Quay reopens"


@pytest.mark.parametrize("name", ["loop-a.txt", "loop-a"])
def test_symlink_loop_is_reported_as_such(tmp_path: Path, name: str) -> None:
    (tmp_path / name).symlink_to(tmp_path / f"{name}-b")
    (tmp_path / f"{name}-b").symlink_to(tmp_path / name)
    assert skip_reason(tmp_path / name) == "symlink loop (the link leads back to itself)"


def test_a_linked_folder_on_the_way_out_is_caught_too(tmp_path: Path) -> None:
    inside, outside = tmp_path / "inbox", tmp_path / "private"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("Payroll\n\nThe payroll file lists every salary in the newsroom.\n")
    (inside / "shared").symlink_to(outside, target_is_directory=True)
    assert list(load_path(inside / "shared" / "secret.txt", CONFIG, root=inside)) == [
        Skipped(source=str(inside / "shared" / "secret.txt"), reason="symlink points outside the indexed folder")
    ]


def test_a_named_pipe_is_skipped_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "wire.txt"
    os.mkfifo(pipe)  # opening it for reading would block until a writer came
    assert skip_reason(pipe) == "not a regular file"
