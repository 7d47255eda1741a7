"""The SQLite catalog's keyword rows carry their chunk row's number, so that an article's
rows are deleted through an index (not by a scan of the FTS5 table)."""

from __future__ import annotations

from pathlib import Path

from test_contract import COMET, HARBOUR, ROWING, chunks_of, write

from index.catalog import SQLiteCatalog


def unmatched(catalog: SQLiteCatalog) -> int:
    """Keyword rows whose rowid is not their chunk's number, and chunks without a keyword row."""
    db = catalog.db
    matched = db.execute("SELECT COUNT(*) FROM chunks_fts f JOIN chunks c ON c.num = f.rowid AND c.id = f.chunk_id").fetchone()[0]
    return catalog.totals().keyword_rows + catalog.chunk_count() - 2 * matched


def test_keyword_rows_follow_their_chunks(tmp_path: Path) -> None:
    catalog = SQLiteCatalog(tmp_path / "catalog.sqlite")
    write(catalog, HARBOUR, ROWING, COMET)
    assert catalog.chunk_count() == 5 and unmatched(catalog) == 0
    write(catalog, HARBOUR)  # rewritten: new rows, old ones gone
    catalog.add_chunks(chunks_of(COMET), {COMET.article_id: COMET.title})  # the same chunk ids again
    assert catalog.chunk_count() == 5 and unmatched(catalog) == 0
    catalog.remove_articles([ROWING.article_id])
    assert catalog.chunk_count() == 3 and unmatched(catalog) == 0
    assert sorted(c for c, _ in catalog.keyword_search(["quill"], 5)) == [c.chunk_id for c in chunks_of(HARBOUR)]
    plan = " ".join(str(tuple(r)) for r in catalog.db.execute(
        "EXPLAIN QUERY PLAN DELETE FROM chunks_fts WHERE rowid IN (SELECT num FROM chunks WHERE article_id = ?)", ("x",)))
    assert "INDEX 0:=" in plan and "USING COVERING INDEX chunks_article" in plan  # no scan of either table
    catalog.close()
