"""Indexing on a local Ray with 1 and 2 workers against the single-process path, on the whole
BBC corpus (+ the seed article): time and throughput, and proof that the index is the same
(article and chunk counts, every vector within 1e-4, the same answers to dev.jsonl).

    python bench/ray_workers.py                       # single process, Ray 1x2 CPUs, Ray 2x1 CPU
    python bench/ray_workers.py --json bench/out/ray.json

Model loading and Ray start-up are timed apart from indexing. The figures go in
docs/BENCHMARKS.md ("Indexing on Ray").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant import Assistant  # noqa: E402
from assistant.evaluate import load_questions  # noqa: E402
from index.config import ChunkConfig, EmbeddingConfig, LoaderConfig, RayConfig  # noqa: E402
from index.distributed import LOCAL, RayCompute  # noqa: E402

SHARED = ROOT.parent / "shared"


def contents(assistant: Assistant) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Counts of the index, and every chunk vector by chunk id."""
    stats = assistant.stats()
    got = assistant.store.vectors.collection.get(include=["embeddings"])
    vectors = {cid: np.asarray(v) for cid, v in zip(got["ids"], got["embeddings"], strict=True)}
    return {"articles": stats.articles, "aliases": stats.aliases, "chunks": stats.chunks}, vectors


def answers(assistant: Assistant, questions: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Answer text and (article, quote) of each citation, per question."""
    found = []
    for question in questions:
        answer = assistant.ask(question)
        found.append((answer.text, [(c.article_id, c.quote) for c in answer.citations]))
    return found


def run(name: str, workdir: Path, corpora: list[Path], questions: list[str], ray: RayConfig | None) -> dict:
    """Index the corpora with one configuration; time, counts, vectors and answers."""
    data_dir = workdir / name
    shutil.rmtree(data_dir, ignore_errors=True)
    assistant = Assistant(data_dir=data_dir)
    started = time.perf_counter()
    compute = RayCompute(LOCAL, ray, EmbeddingConfig(), ChunkConfig(), LoaderConfig()) if ray else None
    if compute:
        compute.workers  # noqa: B018 - start Ray and load the model in each worker now
    else:
        assistant.warm_up()
    ready = time.perf_counter() - started
    try:
        started = time.perf_counter()
        report = assistant.index(corpora, compute=compute)
        seconds = time.perf_counter() - started
    finally:
        if compute:
            compute.close()
    counts, vectors = contents(assistant)
    print(f"[{name}] {report.summary()}", file=sys.stderr, flush=True)
    return {
        "name": name, "start_s": ready, "index_s": seconds, "files": len(report.added) + len(report.duplicates) + len(report.skipped),
        "chunks_embedded": report.chunks_embedded, "counts": counts, "vectors": vectors,
        "answers": answers(assistant, questions),
        "report": report.model_dump(exclude={"seconds"}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", type=Path, default=[SHARED / "corpora" / "bbc", SHARED / "corpora" / "seed"])
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions(args.questions)]
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-ray-bench-"))
    configs = [
        ("single process", None),
        ("Ray, 1 worker x 2 CPUs", RayConfig(num_cpus=2, workers=1, cpus_per_worker=2)),
        ("Ray, 2 workers x 1 CPU", RayConfig(num_cpus=2, workers=2, cpus_per_worker=1)),
    ]
    try:
        runs = [run(name, workdir, args.corpora, questions, ray) for name, ray in configs]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    base = runs[0]
    print(f"| run | start (model, Ray) | index | files/s | chunks/s | articles / aliases / chunks | max vector difference | same report | same answers (of {len(questions)}) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for r in runs:
        worst = max(float(np.abs(r["vectors"][c] - base["vectors"][c]).max()) for c in base["vectors"]) if sorted(r["vectors"]) == sorted(base["vectors"]) else float("inf")
        same = sum(a == b for a, b in zip(r["answers"], base["answers"], strict=True))
        c = r["counts"]
        rows.append({k: v for k, v in r.items() if k not in ("vectors", "answers", "report")} | {"max_vector_difference": worst, "same_answers": same, "same_report": r["report"] == base["report"]})
        print(f"| {r['name']} | {r['start_s']:.1f} s | {r['index_s']:.1f} s | {r['files'] / r['index_s']:.1f} | "
              f"{r['chunks_embedded'] / r['index_s']:.1f} | {c['articles']} / {c['aliases']} / {c['chunks']} | {worst:.1e} | "
              f"{'yes' if r['report'] == base['report'] else 'NO'} | {same} |")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    print(f"\nmachine: {cpu}, {os.cpu_count()} cores, load average {os.getloadavg()}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    ok = all(r["same_report"] and r["max_vector_difference"] <= 1e-4 and r["same_answers"] == len(questions) for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
