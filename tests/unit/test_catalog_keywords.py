"""Keyword text for PostgreSQL (tokenised like FTS5's porter unicode61), catalog URLs, and
the clean failure when the postgres extra is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from index.catalog import is_postgres_url, open_catalog
from index.catalog.keywords import candidate_queries, lexemes, quote_lexeme, tsvector_literal
from index.errors import CatalogUnavailableError


def test_lexemes_fold_case_accents_and_stem() -> None:
    assert lexemes("Café owners' BANKS in Zürich, 2005!") == ["cafe", "owner", "bank", "in", "zurich", "2005"]
    assert lexemes("snake_case and e-mail") == ["snake", "case", "and", "e", "mail"]  # '_' and '-' split words
    assert lexemes("Elwin's") == ["elwin", "s"]  # Porter turns 's' into '': the word is kept


def test_tsvector_literal_weights_text_and_title() -> None:
    literal, found = tsvector_literal("Ships sail; ships dock.", "Port news")
    assert literal == "'ship':1A,3A 'sail':2A 'dock':4A 'port':5B 'new':6B"
    assert found == {"ship", "sail", "dock", "port", "new"}


def test_lexemes_are_quoted_whole() -> None:
    assert quote_lexeme("bank") == "'bank'"
    assert quote_lexeme("o'neil\\x") == "'o''neil\\\\x'"  # quote doubled, backslash escaped
    assert lexemes("it's a|b !x & (y)") == ["it", "s", "a", "b", "x", "y"]  # operators never reach a query


def test_candidates_come_from_the_rarest_stems_first() -> None:
    df = {"year": 21524, "fiat": 133, "motor": 97}
    # the rare stems' 230 chunks; the commoner stem's other chunks only fill up what a filter leaves
    assert candidate_queries(df, 2000, 40) == (["'motor' | 'fiat'", "'year' & !('motor' | 'fiat')"], 230)
    assert candidate_queries(df, 200, 40) == (["'motor'", "'fiat' & !('motor')", "'year' & !('motor' | 'fiat')"], 97)
    assert candidate_queries({"quill": 3, "year": 21524}, 2000, 40)[1] == 40  # at least the chunks asked for
    assert candidate_queries({"quill": 3, "year": 21524}, 20, 40)[1] == 20  # never over budget
    assert candidate_queries({"a": 5, "b": 5}, 100, 1) == (["'a' | 'b'"], 10)  # all fit: all ranked, as uncapped


def test_candidates_when_every_stem_is_over_budget() -> None:
    # budget chunks of the rarest, those that hold the second rarest too first
    assert candidate_queries({"year": 21524, "rate": 5210}, 2000, 40) == (
        ["'rate' & 'year'", "'rate' & !'year'", "'year' & !('rate')"], 2000)
    assert candidate_queries({"year": 21524}, 2000, 40) == (["'year'"], 2000)


def test_candidates_of_nothing_and_quoting() -> None:
    assert candidate_queries({}, 2000, 40) == ([], 0)
    assert candidate_queries({"gone": 0}, 2000, 40) == ([], 0)  # a stem in no chunk
    assert candidate_queries({"o'neil": 2, "x\\": 2}, 10, 1) == (["'o''neil' | 'x\\\\'"], 4)  # ties by stem; quoted whole


def test_catalog_urls(tmp_path: Path) -> None:
    assert is_postgres_url("postgresql://u@h/db") and is_postgres_url("POSTGRES://h/db")
    assert not is_postgres_url(None) and not is_postgres_url("sqlite:///x")
    with pytest.raises(CatalogUnavailableError, match=r"catalog URL mysql://\.\.\. is not supported"):
        open_catalog("mysql://u:secret@h/db", tmp_path)


def test_without_the_postgres_extra_the_error_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith(("psycopg.", "psycopg_pool", "index.catalog.postgres"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    with pytest.raises(CatalogUnavailableError, match=r"pip install 'newsdesk\[postgres\]'"):
        open_catalog("postgresql://u@127.0.0.1/db", tmp_path)
