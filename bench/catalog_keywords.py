"""Keyword search of the two catalogs compared: FTS5 BM25 (SQLite) against PostgreSQL
full-text search, alone and inside the hybrid search, on dev.jsonl and dev_hard.jsonl.

    python bench/catalog_keywords.py --catalog-url postgresql://postgres@127.0.0.1:5432/bench
    python bench/catalog_keywords.py --catalog-url ... --shared ../shared --json out.json

Indexes ../shared/corpora/seed + bbc once into a SQLite data dir (real embeddings), then into
the (empty) PostgreSQL database, whose embedding cache is filled from the SQLite one first so
nothing is embedded twice. Prints hit@5 and MRR@10 on gold articles for: the keyword search
alone (top 10 chunks, at most 2 per article, as in the hybrid search) and the whole hybrid
search (`assistant.evaluate`), plus the answer accuracy; and, keyword-only, the PostgreSQL
rank functions tried before choosing the default (index/catalog/postgres.py, _RANK).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from assistant import Assistant
from assistant.evaluate import EvalQuestion, evaluate, is_gold, load_questions
from assistant.retrieval import cap_per_article
from assistant.text import keyword_terms
from index.catalog import SQLiteCatalog
from index.catalog import postgres as pg

RANKS = {
    "ts_rank_cd, norm 1 (default)": "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', c.tsv, q, 1)",
    "ts_rank_cd, norm 0": "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', c.tsv, q, 0)",
    "ts_rank_cd, norm 2": "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', c.tsv, q, 2)",
    "ts_rank, norm 1": "ts_rank('{0.1, 0.2, 0.4, 1.0}', c.tsv, q, 1)",
    "ts_rank, norm 0": "ts_rank('{0.1, 0.2, 0.4, 1.0}', c.tsv, q, 0)",
}


def keyword_only(assistant: Assistant, questions: list[EvalQuestion]) -> tuple[float, float]:
    """(hit@5, MRR@10) of the keyword search alone, on the answerable questions."""
    catalog = assistant.store.catalog
    hits, reciprocal = [], []
    for q in (q for q in questions if q.answerable):
        found = catalog.keyword_search(keyword_terms(q.question), 40)
        chunks = catalog.get_chunks([c for c, _ in found])
        article_of = {c: chunks[c].article_id for c, _ in found if c in chunks}
        top = cap_per_article([(c, s) for c, s in found if c in article_of], article_of, 2)[:10]
        articles = catalog.get_articles(article_of[c] for c, _ in top)
        rank = next((n for n, (c, _) in enumerate(top, 1) if _gold(articles[article_of[c]], q)), None)
        hits.append(bool(rank and rank <= 5))
        reciprocal.append(1 / rank if rank else 0.0)
    return sum(hits) / len(hits), sum(reciprocal) / len(reciprocal)


def _gold(article: object, question: EvalQuestion) -> bool:
    class _Passage:  # is_gold reads .source and .also_in
        source = article.source  # type: ignore[attr-defined]
        also_in = list(article.aliases)  # type: ignore[attr-defined]
    return is_gold(_Passage(), question.docs)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    corpora = [args.shared / "corpora" / "seed", args.shared / "corpora" / "bbc"]
    sets = {name: load_questions(args.shared / "eval" / f"{name}.jsonl") for name in ("dev", "dev_hard")}
    figures: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="catalog-keywords-") as work:
        lite = Assistant(data_dir=Path(work) / "sqlite")
        print("indexing into SQLite:", lite.index(corpora).summary(), flush=True)
        shared = Assistant(data_dir=Path(work) / "postgres", catalog_url=args.catalog_url)
        sqlite_catalog = lite.store.catalog
        assert isinstance(sqlite_catalog, SQLiteCatalog)
        rows = sqlite_catalog.db.execute("SELECT key, vector FROM vectors").fetchall()
        shared.store.catalog.cache_vectors((r[0], np.frombuffer(r[1], dtype=np.float32)) for r in rows)
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
            pg._RANK = expression
            for name, questions in sets.items():
                hit, mrr = keyword_only(shared, questions)
                figures[f"PostgreSQL {label} | {name}"] = {"keyword hit@5": hit, "keyword MRR@10": mrr}
    columns = ["keyword hit@5", "keyword MRR@10", "hybrid hit@5", "hybrid MRR@10", "answer accuracy"]
    print("\n| catalog | questions | " + " | ".join(columns) + " |")
    print("| --- | --- |" + " --- |" * len(columns))
    for key, values in figures.items():
        side, name = key.split(" | ")
        print(f"| {side} | {name} | " + " | ".join(f"{values[c]:.3f}" if c in values else "" for c in columns) + " |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
