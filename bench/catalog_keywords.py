"""Keyword search of the two catalogs compared: FTS5 BM25 (SQLite) against PostgreSQL
full-text search, alone and inside the hybrid search, on dev.jsonl and dev_hard.jsonl.

    python bench/catalog_keywords.py --catalog-url postgresql://postgres@127.0.0.1:5432/bench
    python bench/catalog_keywords.py --catalog-url ... --seed-cache OLD/catalog.sqlite --json out.json

Indexes ../shared/corpora/seed + bbc into a SQLite data dir (real embeddings), then into the
(empty) PostgreSQL database, whose embedding cache is filled from the SQLite one first so
nothing is embedded twice (--seed-cache: fill both from the cache of an existing index of the
same corpus and model, which skips the embedding entirely). Prints hit@5 and MRR@10 on gold articles for: the keyword search
alone (top 10 chunks, at most 2 per article, as in the hybrid search) and the whole hybrid
search (`assistant.evaluate`), plus the answer accuracy; and, keyword-only, the PostgreSQL
per-term rank functions tried before choosing the default (index/catalog/postgres.py).

    python bench/catalog_keywords.py --catalog-url ... --seed-cache OLD/catalog.sqlite --quick --copies 10

--quick (a few minutes): PostgreSQL only, the keyword search alone, with the cap on the chunks
ranked per question (postgres.CANDIDATES) and as it was before (every matching chunk ranked):
hit@5, MRR@10 and ms per search (p50 / p95 over 3 rounds of both question sets); --copies N
then copies every chunk row to N times as many (same text, so only the times are meaningful)
and times both again.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import psycopg

from assistant import Assistant
from assistant.evaluate import EvalQuestion, evaluate, is_gold, load_questions
from assistant.retrieval import cap_per_article
from assistant.text import keyword_terms
from index.catalog import SQLiteCatalog
from index.catalog import postgres as pg
from index.catalog.keywords import lexemes, quote_lexeme

Search = Callable[[Sequence[str], int], list[tuple[str, float]]]  # (terms, limit) -> (chunk id, score)

RANKS = {  # per term, weighted by the term's idf and summed
    "idf x ts_rank, norm 0 (default)": "ts_rank('{0.1, 0.2, 0.4, 1.0}', c.tsv, t.q, 0)",
    "idf x ts_rank, norm 1": "ts_rank('{0.1, 0.2, 0.4, 1.0}', c.tsv, t.q, 1)",
    "idf x ts_rank_cd, norm 1": "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', c.tsv, t.q, 1)",
}


def keyword_only(assistant: Assistant, questions: list[EvalQuestion], search: Search | None = None) -> tuple[float, float]:
    """(hit@5, MRR@10) of the keyword search alone (or `search`), on the answerable questions."""
    catalog = assistant.store.catalog
    search = search or catalog.keyword_search
    hits, reciprocal = [], []
    for q in (q for q in questions if q.answerable):
        found = search(keyword_terms(q.question), 40)
        chunks = catalog.get_chunks([c for c, _ in found])
        article_of = {c: chunks[c].article_id for c, _ in found if c in chunks}
        top = cap_per_article([(c, s) for c, s in found if c in article_of], article_of, 2)[:10]
        articles = catalog.get_articles(article_of[c] for c, _ in top)
        rank = next((n for n, (c, _) in enumerate(top, 1) if _gold(articles[article_of[c]], q)), None)
        hits.append(bool(rank and rank <= 5))
        reciprocal.append(1 / rank if rank else 0.0)
    return sum(hits) / len(hits), sum(reciprocal) / len(reciprocal)


def keyword_ms(questions: list[EvalQuestion], search: Search, rounds: int = 3) -> list[float]:
    """Milliseconds of each keyword search (40 chunks, as the hybrid search asks) of every question."""
    times = []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            search(keyword_terms(q.question), 40)
            times.append((time.perf_counter() - started) * 1000)
    return times


def every_match(catalog: pg.PostgresCatalog, terms: Sequence[str], limit: int) -> list[tuple[str, float]]:
    """The PostgreSQL keyword search before the cap (CANDIDATES): every chunk holding a question
    word ranked, so its cost grew with the archive (no filters here)."""
    stems = list(dict.fromkeys(s for term in terms for s in lexemes(term)))
    if not stems:
        return []
    frequencies, total = catalog.document_frequencies(stems)
    idf = [math.log(1 + (total - frequencies.get(s, 0) + 0.5) / (frequencies.get(s, 0) + 0.5)) for s in stems]
    rows = catalog._rows(
        "WITH t AS (SELECT CAST(lexeme AS tsquery) AS q, idf FROM unnest(%s::text[], %s::float8[]) AS u(lexeme, idf)) "
        f"SELECT c.id, SUM(t.idf * {pg._TERM_RANK}) AS score FROM chunks c JOIN articles a ON a.id = c.article_id, t "
        "WHERE c.tsv @@ CAST(%s AS tsquery) AND c.tsv @@ t.q GROUP BY c.id ORDER BY score DESC, c.id LIMIT %s",
        [[quote_lexeme(s) for s in stems], idf, " | ".join(quote_lexeme(s) for s in stems), limit],
    )
    return [(r[0], float(r[1])) for r in rows]


def copy_chunks(url: str, copies: int) -> int:
    """Every chunk row copied to `copies` as many (ids '<id>~<n>', same article and tsvector),
    the document frequencies and the chunk counter multiplied to match; the number of chunks."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO chunks SELECT c.id || '~' || n, c.article_id, c.ordinal, c.start_at, c.end_at, c.tsv "
            "FROM chunks c, generate_series(1, %s) AS n WHERE c.id NOT LIKE '%%~%%'", (copies - 1,))
        conn.execute("UPDATE keyword_df SET df = df * %s", (copies,))
        conn.execute("UPDATE counters SET value = value * %s WHERE name = 'chunks'", (copies,))
        conn.execute("VACUUM ANALYZE chunks")
        row = conn.execute("SELECT value FROM counters WHERE name = 'chunks'").fetchone()
    return int(row[0]) if row else 0


def quick(args: argparse.Namespace, corpora: list[Path], sets: dict[str, list[EvalQuestion]]) -> dict[str, dict[str, object]]:
    """--quick: the keyword search alone on PostgreSQL, with the cap and before it (see the docstring)."""
    figures: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="catalog-keywords-") as work:
        shared = Assistant(data_dir=Path(work) / "postgres", catalog_url=args.catalog_url)
        if args.seed_cache:
            seed = sqlite3.connect(f"file:{args.seed_cache}?mode=ro", uri=True)
            shared.store.catalog.cache_vectors(_vectors(seed))
        print("indexing into PostgreSQL:", shared.index(corpora).summary(), flush=True)
        catalog = shared.store.catalog
        assert isinstance(catalog, pg.PostgresCatalog)
        searches: dict[str, Search] = {
            "every match ranked (before)": functools.partial(every_match, catalog),
            f"CANDIDATES={pg.CANDIDATES}": catalog.keyword_search,
        }
        for copies in dict.fromkeys((1, args.copies)):
            chunks = copy_chunks(args.catalog_url, copies) if copies > 1 else catalog.chunk_count()
            for label, search in searches.items():
                times: list[float] = []
                for name, questions in sets.items():
                    if copies == 1:  # copied chunks tie with their originals: no quality figures
                        hit, mrr = keyword_only(shared, questions, search)
                        figures[f"{chunks:,} chunks, {label} | {name}"] = {"keyword hit@5": hit, "keyword MRR@10": mrr}
                    times += keyword_ms(questions, search)
                p50, p95 = np.percentile(times, [50, 95])
                figures[f"{chunks:,} chunks, {label} | both"] = {"ms p50": p50, "ms p95": p95}
                print(f"{chunks:,} chunks, {label}: {len(times)} searches, p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    return figures


def _gold(article: object, question: EvalQuestion) -> bool:
    class _Passage:  # is_gold reads .source and .also_in
        source = article.source  # type: ignore[attr-defined]
        also_in = list(article.aliases)  # type: ignore[attr-defined]
    return is_gold(_Passage(), question.docs)  # type: ignore[arg-type]


def _vectors(db: sqlite3.Connection) -> list[tuple[str, np.ndarray]]:
    """The embedding cache of a SQLite catalog (this script's own business: raw SQL)."""
    return [(r[0], np.frombuffer(r[1], dtype=np.float32)) for r in db.execute("SELECT key, vector FROM vectors")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--seed-cache", type=Path, help="catalog.sqlite of an index of the same corpus and model")
    parser.add_argument("--quick", action="store_true", help="PostgreSQL keyword search alone, with and without the cap")
    parser.add_argument("--copies", type=int, default=1, help="with --quick: time again with N times the chunk rows")
    args = parser.parse_args()
    corpora = [args.shared / "corpora" / "seed", args.shared / "corpora" / "bbc"]
    sets = {name: load_questions(args.shared / "eval" / f"{name}.jsonl") for name in ("dev", "dev_hard")}
    if args.quick:
        figures = quick(args, corpora, sets)
        columns = ["keyword hit@5", "keyword MRR@10", "ms p50", "ms p95"]
    else:
        figures = full(args, corpora, sets)
        columns = ["keyword hit@5", "keyword MRR@10", "hybrid hit@5", "hybrid MRR@10", "answer accuracy"]
    print("\n| catalog | questions | " + " | ".join(columns) + " |")
    print("| --- | --- |" + " --- |" * len(columns))
    for key, values in figures.items():
        side, name = key.split(" | ")
        print(f"| {side} | {name} | " + " | ".join(f"{values[c]:.3f}" if c in values else "" for c in columns) + " |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


def full(args: argparse.Namespace, corpora: list[Path], sets: dict[str, list[EvalQuestion]]) -> dict[str, dict[str, object]]:
    """Both catalogs, the keyword search alone and in the hybrid search (see the docstring)."""
    figures: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="catalog-keywords-") as work:
        lite = Assistant(data_dir=Path(work) / "sqlite")
        if args.seed_cache:
            seed = sqlite3.connect(f"file:{args.seed_cache}?mode=ro", uri=True)
            lite.store.catalog.cache_vectors(_vectors(seed))
        print("indexing into SQLite:", lite.index(corpora).summary(), flush=True)
        shared = Assistant(data_dir=Path(work) / "postgres", catalog_url=args.catalog_url)
        sqlite_catalog = lite.store.catalog
        assert isinstance(sqlite_catalog, SQLiteCatalog)
        shared.store.catalog.cache_vectors(_vectors(sqlite_catalog.db))
        print("indexing into PostgreSQL:", shared.index(corpora).summary(), flush=True)
        for side, assistant in (("SQLite FTS5 BM25", lite), ("PostgreSQL FTS", shared)):
            for name, questions in sets.items():
                hit, mrr = keyword_only(assistant, questions)
                report = evaluate(assistant, questions)
                figures[f"{side} | {name}"] = {
                    "keyword hit@5": hit, "keyword MRR@10": mrr, "hybrid hit@5": report.hit_at_5,
                    "hybrid MRR@10": report.mrr_at_10, "answer accuracy": report.answer_accuracy,
                }
        for label, expression in RANKS.items():
            pg._TERM_RANK = expression
            for name, questions in sets.items():
                hit, mrr = keyword_only(shared, questions)
                figures[f"PostgreSQL {label} | {name}"] = {"keyword hit@5": hit, "keyword MRR@10": mrr}
    return figures


if __name__ == "__main__":
    main()
