"""Cost growth: index, re-index, start-up, ask latency, hit@5, memory and disk at 1x, 10x and
100x the BBC corpus, on the embedded stores (SQLite + embedded Chroma) and on the scaled
ones (PostgreSQL + a `chroma run` server, both started here: a throw-away PostgreSQL cluster
from Debian's binaries and one Chroma server per archive).

    python bench/scale.py                                  # 1x, 10x, 100x, embedded and scaled
    python bench/scale.py --backend embedded --multiples 1 10
    python bench/scale.py --smoke                          # 20 articles, 1x and 3x: seconds

Archives come from bench/scale_corpus.py (real articles kept as needles, the rest generated
and checked distinct by the index's own duplicate detection). Up to --real-upto times the
corpus the embedded run embeds every chunk with the model; above it, chunks found in the
embedding cache of the biggest real run get their real vector and the others a blend of four
of its vectors plus noise, as far from the real chunks as the model puts generated text (see
BLEND), so those runs measure the store, catalog and query side. The scaled run takes its
vectors from the embedded run of the same archive (the same vectors; its index time is the
stores' share without the model); with --vectors-from the reused vectors depend only on the
text, so `--backend scaled` can run alone (e.g. after an embedded run, into another
--workdir). Indexing and asking run in child processes (peak RSS from os.wait4 per child).
Prints a Markdown table and the targets of issue 10; draws a PNG with matplotlib.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()  # the serve child's start-up clock starts here

import numpy as np  # noqa: E402

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from scale_corpus import build_archive, generated_article, read_corpus  # noqa: E402

SHARED = BENCH.parent.parent / "shared"
NEW_ARTICLES = 10
BLEND, NOISE = 4, 0.6
"""A reused vector for a text never embedded: the mean of BLEND cached vectors plus noise of
norm NOISE. Matched to what the model gives the generated articles (measured on a 10x
archive of 500 BBC articles, every chunk embedded): the nearest BBC chunk at cosine 0.48 /
0.58 / 0.68 (p10 / p50 / p90) for the model, 0.54 / 0.59 / 0.65 for this blend, and a mean
cosine between two generated chunks of 0.34 against 0.36. The earlier one cached vector +
noise 0.25 sat at cosine 0.97 to its source, so each needle had near-copies that crowded it
out of the top 5."""


# --- the children -----------------------------------------------------------------------
class ReusedVectors:
    """An Embedder (index.embedding) for the archives above --real-upto: real vectors from
    an embedding cache where the text was embedded, else a blend of cached vectors picked by
    the text's hash, perturbed (BLEND, NOISE). Chunking still uses the real model's tokenizer."""

    def __init__(self, cache: Path, real: Any) -> None:
        self.real = real
        self.model_key = real.model_key  
        db = sqlite3.connect(cache)
        self.cached = {k: np.frombuffer(v, dtype=np.float32) for k, v in db.execute("SELECT key, vector FROM vectors")}
        self.pool = np.stack(list(self.cached.values()))
        self.dimension = self.pool.shape[1]
        self.counts = {"real": 0, "perturbed": 0}

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            key = hashlib.sha1(f"{self.model_key}\x1f{text}".encode()).hexdigest()
            if key in self.cached:
                rows.append(self.cached[key])
                self.counts["real"] += 1
                continue
            self.counts["perturbed"] += 1
            rng = np.random.default_rng(int(key[:12], 16))
            base = self.pool[rng.integers(0, len(self.pool), BLEND)].mean(axis=0)
            noise = np.asarray(rng.standard_normal(self.dimension), dtype=np.float32)
            vector = base / np.linalg.norm(base) + NOISE * noise / np.linalg.norm(noise)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, self.dimension), dtype=np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.real.count_tokens(texts)  


def child_index(spec: dict) -> dict:
    """Index the archive, re-index it unchanged, add 10 new articles, remove them again."""
    from assistant import Assistant
    from index.config import EmbeddingConfig
    from index.embedding import SentenceTransformerEmbedder

    archive = Path(spec["archive"])
    real = SentenceTransformerEmbedder(EmbeddingConfig())
    embedder: Any = ReusedVectors(Path(spec["reuse"]), real) if spec["reuse"] else real
    assistant = Assistant(data_dir=spec["data_dir"], embedder=embedder)
    result: dict = {}

    def timed(name: str) -> dict:
        started, cpu = time.perf_counter(), time.process_time()
        report = assistant.index([archive])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        duplicates = {"bbc": 0, "gen": 0}
        for dup in report.duplicates:
            duplicates["gen" if "/gen/" in dup.source else "bbc"] += 1
        result[name] = {
            "seconds": seconds, "cpu_s": cpu, "added": len(report.added), "unchanged": len(report.unchanged),
            "removed": len(report.removed), "chunks_embedded": report.chunks_embedded,
            "exact_duplicates": sum(1 for d in report.duplicates if d.similarity == 1.0),
            "near_duplicates": sum(1 for d in report.duplicates if d.similarity < 1.0),
            "duplicates_by_part": duplicates, "skipped": len(report.skipped),
        }
        print(f"[index {spec['label']}] {name}: {report.summary()}", file=sys.stderr, flush=True)
        return result[name]

    timed("first")
    timed("unchanged")
    sources = read_corpus(archive / "bbc")
    new = archive / "new"
    for number in range(NEW_ARTICLES):
        topic, text = generated_article(sources, 90_000_000 + number, seed=1)
        (new / topic).mkdir(parents=True, exist_ok=True)
        (new / topic / f"n{number}.txt").write_text(text, encoding="utf-8")
    timed("add_10")
    for path in new.rglob("*.txt"):
        path.unlink()
    timed("remove_10")
    stats = assistant.stats()
    result["stats"] = {"articles": stats.articles, "aliases": stats.aliases, "chunks": stats.chunks, "vectors": stats.vectors}
    result["vectors"] = embedder.counts if isinstance(embedder, ReusedVectors) else {"model": True}
    return result


def child_serve(spec: dict) -> dict:
    """Start-up (imports, open, model, first answer), then ask latency and hit@5."""
    from assistant import Assistant
    from assistant.evaluate import evaluate, load_questions, percentile

    questions = load_questions(Path(spec["questions"]))
    assistant = Assistant(data_dir=spec["data_dir"])
    assistant.warm_up()
    first = assistant.ask(questions[0].question)
    startup, startup_cpu = time.perf_counter() - STARTED, time.process_time()  # CPU since the process began
    times, cpu_times = [], []
    for _ in range(spec["rounds"]):
        for question in questions:
            started, cpu = time.perf_counter(), time.process_time()
            assistant.ask(question.question)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
    report = evaluate(assistant, [q for q in questions if q.answerable])
    return {
        "startup_s": startup, "startup_cpu_s": startup_cpu, "first_answer_abstained": first.abstained,
        "ask_p50_ms": percentile(times, 0.5), "ask_p95_ms": percentile(times, 0.95),
        "ask_cpu_p50_ms": percentile(cpu_times, 0.5), "ask_cpu_p95_ms": percentile(cpu_times, 0.95),
        "asks": len(times), "hit_at_5": report.hit_at_5, "mrr_at_10": report.mrr_at_10,
    }


# --- the parent -------------------------------------------------------------------------
def run_child(kind: str, spec: dict, workdir: Path, env: dict[str, str]) -> dict:
    """Run one child; its result plus its own peak RSS."""
    spec_path = workdir / f"{kind}-{spec['label']}.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    process = subprocess.Popen([sys.executable, __file__, f"_{kind}", str(spec_path)], env=env, cwd=BENCH.parent)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the {kind} child for {spec['label']} failed")
    result = json.loads(spec_path.with_suffix(".out.json").read_text(encoding="utf-8"))
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    return result


def child_env(stores: dict[str, str]) -> dict[str, str]:
    """Offline, no telemetry, Newsdesk defaults; plus the scaled stores' NEWSDESK_* URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", ANONYMIZED_TELEMETRY="False",
               TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1", **stores)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH.parent), env.get("PYTHONPATH", "")) if p)
    return env


class ScaledStores:
    """A throw-away PostgreSQL cluster for the run, and a `chroma run` per archive (the test
    suite's helpers, tests/pgcluster.py and tests/support.py)."""

    def __init__(self, workdir: Path) -> None:
        sys.path.insert(0, str(BENCH.parent / "tests"))
        from pgcluster import PostgresCluster, postgres_bin

        bin_dir = postgres_bin()
        if bin_dir is None:
            raise SystemExit("the scaled backend needs PostgreSQL's binaries (apt-get install postgresql)")
        self.workdir = workdir
        self.cluster = PostgresCluster(bin_dir).start()
        self.chroma: Any = None

    def open(self, label: str) -> dict[str, str]:
        """A new database and a new Chroma server for one archive: the children's env."""
        from support import ChromaServer

        self.close_chroma()
        self.chroma = ChromaServer(self.workdir / f"chroma-{label}").start()
        url = self.cluster.create_database(f"scale_{label}".replace("-", "_"))
        return {"NEWSDESK_CATALOG_URL": url, "NEWSDESK_CHROMA_URL": self.chroma.url}  

    def disk_mib(self, label: str, env: dict[str, str]) -> float:
        """The database's size plus the Chroma server's folder, in MiB."""
        import psycopg

        with psycopg.connect(env["NEWSDESK_CATALOG_URL"]) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
        return size / 2**20 + disk_mib(self.workdir / f"chroma-{label}")

    def close_chroma(self) -> None:
        if self.chroma is not None:
            self.chroma.stop()  
            self.chroma = None

    def close(self) -> None:
        """Stop both and delete the cluster."""
        self.close_chroma()
        self.cluster.remove()


def disk_mib(path: Path) -> float:
    """Bytes under a folder, in MiB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def pick_files(corpus: Path, questions: Path, limit: int | None) -> list[Path]:
    """The corpus's article files; with a limit, the dev gold articles first."""
    files = sorted(corpus.glob("*/*.txt"))
    if limit is None:
        return files
    gold = [corpus / d for line in questions.read_text().splitlines() if line.strip() for d in json.loads(line)["docs"]]
    chosen = list(dict.fromkeys([g for g in gold if g.exists()] + files))
    return sorted(chosen[:limit])


def answerable_here(questions: Path, corpus: Path, files: list[Path], target: Path) -> Path:
    """The questions whose gold article is among the files, and the unanswerable ones (dev.jsonl
    also asks about the seed article, which is not part of the BBC corpus)."""
    present = {str(f.relative_to(corpus)) for f in files}
    kept = [line for line in questions.read_text(encoding="utf-8").splitlines()
            if line.strip() and (not json.loads(line)["docs"] or present & set(json.loads(line)["docs"]))]
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def measure(args: argparse.Namespace) -> list[dict]:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="newsdesk-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = pick_files(args.corpus, args.questions, args.limit)
    args.questions = answerable_here(args.questions, args.corpus, files, workdir / "questions.jsonl")
    rows: list[dict] = []
    services = ScaledStores(workdir) if "scaled" in args.backend else None
    try:
        measure_all(args, workdir, files, rows, services)
    finally:
        if services:
            services.close()
    return rows


def measure_all(args: argparse.Namespace, workdir: Path, files: list[Path], rows: list[dict], services: ScaledStores | None) -> None:
    reuse: Path | None = args.vectors_from  # an embedding cache: given, or the biggest real run's
    for multiple in args.multiples:
        archive = workdir / f"archive-{multiple}x"
        started = time.perf_counter()
        made = build_archive(args.corpus, archive, multiple, files)
        print(f"[scale] {multiple}x archive: {made} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        for backend in args.backend:
            label = f"{multiple}x-{backend}"
            data_dir = workdir / f"data-{label}"
            real = multiple <= args.real_upto and args.vectors_from is None
            if backend == "embedded":
                source = None if real else reuse
            else:  # the same vectors as the embedded run of this archive
                source = workdir / f"data-{multiple}x-embedded" / "catalog.sqlite" if real else reuse
            stores = services.open(label) if backend == "scaled" and services else {}
            spec = {"label": label, "archive": str(archive), "data_dir": str(data_dir), "rounds": args.rounds,
                    "questions": str(args.questions), "reuse": str(source) if source else None}
            env = child_env(stores)
            indexed = run_child("index", spec, workdir, env)
            served = run_child("serve", spec, workdir, env)
            if real and backend == "embedded":
                reuse = data_dir / "catalog.sqlite"
            articles = made["real"] + made["generated"]
            disk = disk_mib(data_dir) + (services.disk_mib(label, stores) if stores and services else 0.0)
            rows.append({
                "multiple": multiple, "backend": backend, "files": articles, "vectors": vector_label(indexed["vectors"], backend),
                "index": indexed, "serve": served, "disk_mib": disk,
                "index_s_per_1000": indexed["first"]["seconds"] / articles * 1000,
            })
            print(f"[scale] {label}: {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
        if services:
            services.close_chroma()


def rows_from(log_path: Path) -> list[dict]:
    """The rows an earlier run logged, one '[scale] 10x-embedded: {...}' line each."""
    lines = log_path.read_text(encoding="utf-8").splitlines()
    row = re.compile(r'^\[scale\] \d+x-\w+: (\{".*)$')
    return [json.loads(match.group(1)) for line in lines if (match := row.match(line))]


def serve_again(rows: list[dict], args: argparse.Namespace) -> None:
    """Re-run the serve child of every embedded row N times, 1x, 10x, ... in turn (so each
    size sees the same load), and keep each row's pass with the lowest ask p50."""
    questions = args.workdir / "questions.jsonl"
    for attempt in range(args.serve_again):
        for row in rows:
            if row["backend"] != "embedded":
                continue
            label = f"{row['multiple']}x-embedded"
            spec = {"label": f"{label}-again{attempt}", "data_dir": str(args.workdir / f"data-{label}"),
                    "rounds": args.rounds, "questions": str(questions)}
            served = run_child("serve", spec, args.workdir, child_env({}))
            served["pass"] = f"again {attempt + 1}"
            if served["ask_p50_ms"] < row["serve"]["ask_p50_ms"]:
                row["serve"] = served
            print(f"[scale] {label} serve again: {json.dumps(served)}", file=sys.stderr, flush=True)


def vector_label(counts: dict, backend: str) -> str:
    """Where a run's vectors came from, e.g. 'model' or '10% real, 90% perturbed'."""
    if counts.get("model"):
        return "model"
    total = counts["real"] + counts["perturbed"] or 1
    if not counts["perturbed"]:
        return "real, cached" + (" (the embedded run's)" if backend == "scaled" else "")
    return f"{counts['real'] / total:.1%} real, {counts['perturbed'] / total:.1%} perturbed"


def table(rows: list[dict]) -> str:
    """The Markdown table of docs/BENCHMARKS.md, "Cost growth"."""
    head = ("| archive | stores | articles (stored + duplicates) | vectors | index s / 1,000 articles | "
            "re-index unchanged | add 10 new | start-up (CPU) | ask p50 / p95 (CPU p50 / p95) | hit@5 | peak RSS index / serve | disk |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for r in rows:
        i, s = r["index"], r["serve"]
        dups = i["first"]["duplicates_by_part"]
        lines.append(
            f"| {r['multiple']}x ({r['files']:,} files) | {r['backend']} | {i['stats']['articles']:,} + {i['stats']['aliases']:,} "
            f"(generated: {dups['gen']} duplicates) | {r['vectors']} | "
            f"{r['index_s_per_1000']:.1f} s | {i['unchanged']['seconds']:.1f} s | {i['add_10']['seconds']:.1f} s | "
            f"{s['startup_s']:.1f} s ({s['startup_cpu_s']:.1f} s) | {s['ask_p50_ms']:.0f} / {s['ask_p95_ms']:.0f} ms "
            f"({s['ask_cpu_p50_ms']:.0f} / {s['ask_cpu_p95_ms']:.0f} ms) | {s['hit_at_5']:.3f} | "
            f"{i['peak_rss_mib']:,.0f} / {s['peak_rss_mib']:,.0f} MiB | {r['disk_mib']:,.0f} MiB |"
        )
    return "\n".join(lines)


def growth_exponent(small: float, big: float, ratio: float) -> float:
    """b in cost ~ size^b between two sizes: 0 flat, 1 linear, e.g. 10 ms -> 20 ms over 100x: 0.15."""
    return math.log(max(big, 1e-9) / max(small, 1e-9)) / math.log(ratio)


def targets(rows: list[dict]) -> list[tuple[str, str, bool]]:
    """Issue 10's targets, per backend, between the smallest and the biggest archive."""
    checks = []
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = [r for r in rows if r["backend"] == backend]
        small, big = mine[0], mine[-1]
        if big is small:
            continue
        ratio = big["files"] / small["files"]
        tag = f"{backend} {big['multiple']}x"
        s0, s1 = small["serve"], big["serve"]
        checks += [
            (f"{tag}: ask p95 <= 2x the {small['multiple']}x figure", f"{s1['ask_p95_ms']:.0f} vs {s0['ask_p95_ms']:.0f} ms", s1["ask_p95_ms"] <= 2 * s0["ask_p95_ms"]),
            (f"{tag}: ask p95 CPU time <= 2x the {small['multiple']}x figure", f"{s1['ask_cpu_p95_ms']:.0f} vs {s0['ask_cpu_p95_ms']:.0f} ms", s1["ask_cpu_p95_ms"] <= 2 * s0["ask_cpu_p95_ms"]),
            (f"{tag}: re-index unchanged <= 20 s", f"{big['index']['unchanged']['seconds']:.1f} s", big["index"]["unchanged"]["seconds"] <= 20),
            (f"{tag}: start-up <= 10 s", f"{s1['startup_s']:.1f} s", s1["startup_s"] <= 10),
            (f"{tag}: hit@5 drops by <= 0.05", f"{s0['hit_at_5']:.3f} -> {s1['hit_at_5']:.3f}", s0["hit_at_5"] - s1["hit_at_5"] <= 0.05 + 1e-9),
            (f"{tag}: generated articles collapsed as duplicates = 0", str(big["index"]["first"]["duplicates_by_part"]["gen"]), big["index"]["first"]["duplicates_by_part"]["gen"] == 0),
        ]
        for name, key in (("ask p50", "ask_p50_ms"), ("ask CPU p50", "ask_cpu_p50_ms"), ("start-up", "startup_s"), ("start-up CPU", "startup_cpu_s")):
            exponent = growth_exponent(s0[key], s1[key], ratio)
            checks.append((f"{tag}: {name} grows sub-linearly (size exponent < 0.5; 1 = linear)", f"{exponent:.2f}", exponent < 0.5))
    return checks


def plot(rows: list[dict], path: Path) -> None:
    """Cost against archive size, one line per backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    panels = [
        ("index, s per 1,000 articles", lambda r: r["index_s_per_1000"]),
        ("re-index unchanged, s", lambda r: r["index"]["unchanged"]["seconds"]),
        ("add 10 new articles, s", lambda r: r["index"]["add_10"]["seconds"]),
        ("start-up to first answer, s", lambda r: r["serve"]["startup_s"]),
        ("ask p50 / p95 (wall), CPU p95, ms", None),
        ("retrieval hit@5", lambda r: r["serve"]["hit_at_5"]),
        ("peak RSS index / serve, MiB", None),
        ("disk, MiB", lambda r: r["disk_mib"]),
    ]
    figure, axes = plt.subplots(2, 4, figsize=(16, 7.5))
    for axis, (title, value) in zip(axes.flat, panels, strict=True):
        for backend in dict.fromkeys(r["backend"] for r in rows):
            mine = [r for r in rows if r["backend"] == backend]
            x = [r["files"] for r in mine]
            if title.startswith("ask"):
                axis.plot(x, [r["serve"]["ask_p50_ms"] for r in mine], "o-", label=f"{backend} p50")
                axis.plot(x, [r["serve"]["ask_p95_ms"] for r in mine], "s--", label=f"{backend} p95")
                axis.plot(x, [r["serve"]["ask_cpu_p95_ms"] for r in mine], "^:", label=f"{backend} CPU p95")
            elif title.startswith("peak"):
                axis.plot(x, [r["index"]["peak_rss_mib"] for r in mine], "o-", label=f"{backend} index")
                axis.plot(x, [r["serve"]["peak_rss_mib"] for r in mine], "s--", label=f"{backend} serve")
            else:
                axis.plot(x, [value(r) for r in mine], "o-", label=backend)  # type: ignore[misc]
        axis.set_xscale("log")
        axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("articles in the archive")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7)
        if title.startswith("retrieval"):
            axis.set_ylim(0, 1.05)
        else:
            axis.set_ylim(bottom=0)
    figure.suptitle("Newsdesk: cost against archive size (1x = the 2,225-article BBC corpus)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "bbc")
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--multiples", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--real-upto", type=int, default=10, help="largest multiple embedded by the model")
    parser.add_argument("--vectors-from", type=Path, help="catalog.sqlite of an earlier index of the corpus: "
                        "reuse its embedding cache instead of running the model (then no run embeds)")
    parser.add_argument("--backend", nargs="+", choices=["embedded", "scaled"], default=["embedded", "scaled"])
    parser.add_argument("--limit", type=int, help="use only this many corpus articles (dev gold first)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the dev questions")
    parser.add_argument("--workdir", type=Path, help="where archives and data dirs go (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--plot", type=Path, help="write the PNG plot here")
    parser.add_argument("--smoke", action="store_true", help="20 articles, 1x and 3x, 1 round: seconds")
    parser.add_argument("--rows-from", type=Path, help="no run: table, targets and plot from the '[scale] LABEL: {...}' "
                        "lines an earlier (e.g. interrupted) run wrote to stderr")
    parser.add_argument("--serve-again", type=int, default=0, help="with --rows-from and --workdir: re-measure the "
                        "embedded rows' start-up and asks N times, interleaved, keeping each row's quietest pass")
    args = parser.parse_args(argv)
    if args.smoke:
        args.limit, args.multiples, args.real_upto, args.rounds = args.limit or 20, [1, 3], 1, 1
    if args.backend[0] != "embedded" and args.vectors_from is None:
        parser.error("without --vectors-from the scaled run reuses the vectors of the embedded run: --backend embedded [scaled]")
    return args


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 3 and sys.argv[1] in ("_index", "_serve"):
        spec_path = Path(sys.argv[2])
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        result = (child_index if sys.argv[1] == "_index" else child_serve)(spec)
        spec_path.with_suffix(".out.json").write_text(json.dumps(result), encoding="utf-8")
        return 0
    args = parse_args(argv)
    rows = rows_from(args.rows_from) if args.rows_from else measure(args)
    if args.serve_again:
        serve_again(rows, args)
    checks = targets(rows)
    print(table(rows))
    print()
    for name, value, met in checks:
        print(f"- {name}: {value} ({'met' if met else 'NOT met'})")
    print(f"\ntargets met: {sum(m for *_, m in checks)} of {len(checks)}; machine: {json.dumps(machine())}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "targets": checks, "machine": machine()}, indent=1), encoding="utf-8")
    if args.plot:
        plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
