"""Keyword text for PostgreSQL (tokenised like FTS5's porter unicode61), catalog URLs, and
the clean failure when the postgres extra is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from index.catalog import is_postgres_url, open_catalog
from index.catalog.keywords import lexemes, tsquery_literal, tsvector_literal
from index.errors import CatalogUnavailableError


def test_lexemes_fold_case_accents_and_stem() -> None:
    assert lexemes("Café owners' BANKS in Zürich, 2005!") == ["cafe", "owner", "bank", "in", "zurich", "2005"]
    assert lexemes("snake_case and e-mail") == ["snake", "case", "and", "e", "mail"]  # '_' and '-' split words
    assert lexemes("Elwin's") == ["elwin", "s"]  # Porter turns 's' into '': the word is kept


def test_tsvector_literal_weights_text_and_title() -> None:
    literal, found = tsvector_literal("Ships sail; ships dock.", "Port news")
    assert literal == "'ship':1A,3A 'sail':2A 'dock':4A 'port':5B 'new':6B"
    assert found == {"ship", "sail", "dock", "port", "new"}


def test_tsquery_literal_quotes_every_lexeme() -> None:
    assert tsquery_literal(["harbour", "banks", "harbours"]) == "'harbour' | 'bank'"
    assert tsquery_literal(["it's", "a|b", "!x"]) == "'it' | 's' | 'a' | 'b' | 'x'"  # operators never pass
    assert tsquery_literal(["", "'", "&"]) is None


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
