"""`--ray` gives the index the single-process path gives: same sync report, same articles,
chunks and keyword rows, vectors within 1e-4, same answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support import FIXTURES, MakeAssistant, assert_consistent, copy_articles

from assistant import Assistant
from index.distributed import RayCompute

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.ray]


def snapshot(assistant: Assistant) -> dict[str, Any]:
    """Everything an index holds, vectors apart: article rows, chunk spans, FTS rows, aliases."""
    db = assistant.store.catalog.db
    return {
        "articles": sorted(tuple(r) for r in db.execute("SELECT id, source, content_hash, title, body FROM articles")),
        "chunks": sorted(tuple(r) for r in db.execute('SELECT id, article_id, ordinal, start, "end" FROM chunks')),
        "fts": sorted(tuple(r) for r in db.execute("SELECT chunk_id, text, title FROM chunks_fts")),
        "aliases": sorted(tuple(r) for r in db.execute("SELECT source, article_id, content_hash FROM aliases")),
        "near": sorted(tuple(r) for r in db.execute("SELECT source, article_id, similarity FROM near_duplicates")),
    }


def vectors(assistant: Assistant) -> dict[str, np.ndarray]:
    got = assistant.store.vectors.collection.get(include=["embeddings"])
    return {cid: np.asarray(v) for cid, v in zip(got["ids"], got["embeddings"], strict=True)}


def report_of(report: Any) -> dict[str, Any]:
    """A report without its timing."""
    return report.model_dump(exclude={"seconds"})


def assert_same_index(local: Assistant, ray: Assistant) -> None:
    assert snapshot(ray) == snapshot(local)
    assert_consistent(ray.store)
    mine, theirs = vectors(ray), vectors(local)
    assert sorted(mine) == sorted(theirs)
    worst = max(float(np.abs(mine[c] - theirs[c]).max()) for c in theirs)
    assert worst <= 1e-4, f"largest vector difference {worst}"


def answers(assistant: Assistant, questions: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    results = []
    for question in questions:
        answer = assistant.ask(question)
        results.append((answer.text, [(c.article_id, c.quote) for c in answer.citations]))
    return results


def desk(root: Path) -> Path:
    """The fixture articles, plus an exact copy, a near-duplicate, an unsupported file, a link
    out of the folder and a symlink loop (the driver refuses both before a worker sees them)."""
    corpus = copy_articles(root)
    bank = (corpus / "business" / "harbour-bank.txt").read_text(encoding="utf-8")
    (corpus / "business" / "harbour-bank-copy.txt").write_text(bank, encoding="utf-8")
    title, _, body = bank.partition("\n")
    (corpus / "world" / "bank-wire.txt").write_text(f"{title} (wire)\n{body}\nReporting by the wire desk.\n", encoding="utf-8")
    (corpus / "world" / "photo.png").write_bytes(b"\x89PNG not an article")
    outside = root.parent / "outside-secret.txt"
    outside.write_text("Secret\nA file outside the indexed folder that must never be read.\n", encoding="utf-8")
    (corpus / "world" / "secret.txt").symlink_to(outside)
    (corpus / "world" / "loop.txt").symlink_to(corpus / "world" / "loop.txt")
    return corpus


def test_ray_index_equals_single_process(tmp_path: Path, make_assistant: MakeAssistant, ray_compute: RayCompute) -> None:
    corpus = desk(tmp_path / "desk")
    local, ray = make_assistant(tmp_path / "local"), make_assistant(tmp_path / "ray")

    first_local, first_ray = local.index([corpus]), ray.index([corpus], compute=ray_compute)
    assert report_of(first_ray) == report_of(first_local)
    assert sorted(d.similarity == 1.0 for d in first_ray.duplicates) == [False, True]  # one near, one exact
    assert {s.source: s.reason for s in first_ray.skipped if "#" not in s.source} == {
        str(corpus / "world" / "photo.png"): "unsupported file type '.png'",
        str(corpus / "world" / "secret.txt"): "symlink points outside the indexed folder",
        str(corpus / "world" / "loop.txt"): "symlink loop (the link leads back to itself)",
    }
    assert [s.source for s in first_ray.skipped if "#" in s.source] == [str(corpus / "world" / "wires.jsonl") + "#2"]
    assert first_ray.chunks_embedded > 0
    assert_same_index(local, ray)
    questions = [json.loads(line)["question"] for line in (FIXTURES / "eval.jsonl").read_text().splitlines()]
    assert answers(ray, questions) == answers(local, questions)

    # a sync: one changed, one deleted (its exact copy takes over), one new, the rest unchanged
    tin = corpus / "business" / "tin-mine.txt"
    tin.write_text(tin.read_text(encoding="utf-8").replace("1974", "1975"), encoding="utf-8")
    (corpus / "business" / "harbour-bank.txt").unlink()
    shutil.copy(corpus / "politics" / "council-vote.md", corpus / "politics" / "council-vote-2.md")
    second_local, second_ray = local.index([corpus]), ray.index([corpus], compute=ray_compute)
    assert report_of(second_ray) == report_of(second_local)
    assert second_ray.updated == [str(tin)] and str(corpus / "business" / "harbour-bank.txt") in second_ray.removed
    assert_same_index(local, ray)

    third = ray.index([corpus], compute=ray_compute)
    assert third.added == third.updated == third.removed == [] and third.chunks_embedded == 0


@pytest.mark.shared
def test_ray_on_the_dev_gold_articles(shared_dir: Path, tmp_path: Path, make_assistant: MakeAssistant, ray_compute: RayCompute) -> None:
    """The BBC articles that answer dev.jsonl: same index, same answers to those questions."""
    questions = [json.loads(line) for line in (shared_dir / "eval" / "dev.jsonl").read_text().splitlines() if line.strip()]
    answerable = [q for q in questions if q["docs"]]
    corpus = tmp_path / "bbc"
    for suffix in sorted({d for q in answerable for d in q["docs"]}):
        target = corpus / suffix
        target.parent.mkdir(parents=True, exist_ok=True)
        bbc = shared_dir / "corpora" / "bbc" / suffix  # or the seed article, corpora/seed/...
        shutil.copy(bbc if bbc.is_file() else shared_dir / "corpora" / suffix, target)
    local, ray = make_assistant(tmp_path / "local"), make_assistant(tmp_path / "ray")
    assert report_of(ray.index([corpus], compute=ray_compute)) == report_of(local.index([corpus]))
    assert len(snapshot(ray)["articles"]) >= 25
    assert_same_index(local, ray)
    asked = [q["question"] for q in questions]
    assert answers(ray, asked) == answers(local, asked)
