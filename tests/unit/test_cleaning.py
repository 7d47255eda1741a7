"""Cleaning: boilerplate lines dropped, quotes and whitespace normalised, reporting kept."""

from __future__ import annotations

import pytest

from index.cleaning import clean_body, clean_title, is_boilerplate, normalise
from index.decoding import decode_text, looks_binary
from index.errors import SkipArticle


@pytest.mark.parametrize(
    "line",
    [
        "Live updates on the Russia-Ukraine crisis",
        "Live blog",
        "More: West 'blinked' over troop deployment, senior MP warns",
        "Read more: Why small lenders are merging",
        "Follow the Daily podcast on Apple Podcasts, Google Podcasts, Spotify, Spreaker",
        "Follow us on Twitter.",
        "Related stories",
        "Related: Bank merger talks",
        "See also: the budget in charts",
        "Share this article",
        "Advertisement",
        "Sign up for our morning newsletter",
        "Image copyright Getty Images",
        "Click here to read the report",
        "  LIVE UPDATES ON THE ELECTION  ",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "More than 300 people attended the vigil.",
        "Related charges against the two men were dropped in 2019.",
        "Live coverage of the final drew a record audience of four million, the broadcaster said.",
        "Follow the money, the detective told the court on Monday.",
        "Read more about the election in the paper's archive, he said.",
        "The share price fell by 6% on Monday.",
    ],
)
def test_reporting_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_clean_body_drops_boilerplate_and_keeps_paragraphs() -> None:
    raw = (
        "First paragraph, line one\nand line two.\n\n"
        "Live updates on the council vote\n\n"
        "Second paragraph.\nMore: Other stories\n\n\n\n"
        "Follow the Daily podcast on Spotify\n"
    )
    assert clean_body(raw) == "First paragraph, line one and line two.\n\nSecond paragraph."


def test_normalise_quotes_spaces_and_newlines() -> None:
    raw = "\u201cQuoted\u201d \u2018single\u2019\u00a0text\u200b \t  here\r\nnext\rline \ufeff"
    assert normalise(raw) == "\"Quoted\" 'single' text here\nnext\nline"


def test_clean_body_is_nfc() -> None:
    assert clean_body("Cafe\u0301 opens its doors today.") == "Caf\u00e9 opens its doors today."


def test_clean_title_is_one_line() -> None:
    assert clean_title("  Bank \u201cnames\u201d\n new   chief ") == 'Bank "names" new chief'


@pytest.mark.parametrize(
    "text",
    [
        "The fee rose to \u00a3300 this year.",
        "Price \u00a310",
        "Sales were \u00a35m, up from \u00a34m.\nCaf\u00e9 owners were pleased.",
        "It cost \u00a32bn and the minister's \u201cplan\u201d failed \u2013 badly.",
    ],
)
def test_cp1252_decodes_as_western_text(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text


def test_utf8_with_bom_and_other_encodings() -> None:
    assert decode_text("\ufeffHello \u00a3".encode()) == "Hello \u00a3"
    cyrillic = "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? \u042d\u0442\u043e \u043d\u043e\u0432\u043e\u0441\u0442\u0438."
    assert decode_text(cyrillic.encode("cp1251")) == cyrillic


def test_binary_detection() -> None:
    assert looks_binary(b"\x00\x01\x02 binary")
    assert not looks_binary("Plain text".encode("utf-16"))  # BOM + NULs is text
    assert not looks_binary(b"Plain text")
    with pytest.raises(SkipArticle, match="binary"):
        decode_text(b"GIF89a\x00\x00\x01")
