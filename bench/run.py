"""Benchmark Newsdesk side by side with the LangChain tutorial pipeline on the same corpus.

    python bench/run.py [--corpus DIR ...] [--questions FILE] [--limit N] [--rounds N] [--json OUT]

Each pipeline runs in its own child process (bench/side_newsdesk.py, bench/side_tutorial.py)
so that its peak RSS is measured alone (os.wait4 returns each child's own rusage). Prints a
Markdown table with the targets of issue 2 and whether each is met. See docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from benchlib import Spec, is_gold_path, log, read_questions
from summary import check_targets, markdown_table, verdict

from index.loaders import TEXT_SUFFIXES, discover, is_not_article

BENCH = Path(__file__).resolve().parent
SHARED = BENCH.parent.parent / "shared"
SIDES = {"newsdesk": BENCH / "side_newsdesk.py", "tutorial": BENCH / "side_tutorial.py"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        nargs="+",
        type=Path,
        default=[SHARED / "corpora" / "bbc", SHARED / "corpora" / "seed"],
        help="corpus folders (default: ../shared/corpora/bbc and seed)",
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=SHARED / "eval" / "dev.jsonl",
        help="question file (default: ../shared/eval/dev.jsonl)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="use only N articles (gold articles first), for quick runs",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the questions")
    parser.add_argument("--json", type=Path, default=None, help="also write all figures here")
    return parser.parse_args(argv)


def select_files(roots: list[Path], questions: list[dict], limit: int | None) -> list[str]:
    """The text articles under the roots, as Newsdesk finds them (README files left out).

    With a limit, the gold articles of the questions come first so quality stays measurable.
    """
    files = [
        str(p)
        for root in roots
        for p in discover(root)
        if p.suffix.lower() in TEXT_SUFFIXES and not is_not_article(p)
    ]
    if limit is None:
        return files
    docs = [d for q in questions for d in q.get("docs", [])]
    gold = [f for f in files if is_gold_path(f, docs)]
    rest = [f for f in files if f not in set(gold)]
    chosen = set((gold + rest)[:limit])
    return [f for f in files if f in chosen]


def child_env() -> dict[str, str]:
    """Same environment for both children: offline, no telemetry, Newsdesk's defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        ANONYMIZED_TELEMETRY="False",
        TRANSFORMERS_VERBOSITY="error",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
    )
    return env


def run_side(name: str, spec_path: Path, workdir: Path) -> dict:
    """Run one pipeline in a child process; its results plus its own peak RSS and wall time."""
    result_path = workdir / f"{name}.json"
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(SIDES[name]), str(spec_path), str(result_path)],
        env=child_env(),
        cwd=BENCH.parent,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {name} benchmark failed (exit status {process.returncode})")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    result["process_cpu_s"] = usage.ru_utime + usage.ru_stime
    result["process_wall_s"] = time.perf_counter() - started
    result["load_average_1min"] = [load_before, os.getloadavg()[0]]
    log(
        name,
        f"peak RSS {result['peak_rss_mib']:.0f} MiB, process wall {result['process_wall_s']:.0f} s",
    )
    return result


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            p: version(p)
            for p in (
                "torch",
                "sentence-transformers",
                "chromadb",
                "langchain-core",
                "langchain-text-splitters",
                "langchain-huggingface",
                "langchain-chroma",
            )
        },
    }


def git_commit() -> str:
    """The checked-out commit, '+dirty' when the tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=BENCH.parent, capture_output=True, text=True
        ).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain") else "")


def main(argv: list[str] | None = None) -> int:
    """Run both pipelines and print the comparison."""
    args = parse_args(argv)
    missing = [p for p in [*args.corpus, args.questions] if not p.exists()]
    if missing:
        raise SystemExit(f"not found: {', '.join(map(str, missing))} (is ../shared there?)")
    if not all(
        find_spec(m)
        for m in ("langchain_chroma", "langchain_huggingface", "langchain_text_splitters")
    ):
        raise SystemExit("the tutorial pipeline needs the bench extra: pip install -e '.[bench]'")
    roots = [p.resolve() for p in args.corpus]
    questions = read_questions(args.questions)
    files = select_files(roots, questions, args.limit)
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    log(
        "bench",
        f"{len(files)} articles under {', '.join(map(str, roots))}; {len(questions)} questions",
    )
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        workdir = Path(tmp)
        spec = Spec(
            roots=[str(r) for r in roots],
            files=files,
            questions=str(args.questions.resolve()),
            rounds=args.rounds,
            workdir=str(workdir),
        )
        spec.save(workdir / "spec.json")
        results = {name: run_side(name, workdir / "spec.json", workdir) for name in SIDES}
    for result in results.values():
        result["files"] = len(files)
    newsdesk, tutorial = results["newsdesk"], results["tutorial"]
    print(
        f"\nNewsdesk vs the LangChain tutorial pipeline, {datetime.now():%Y-%m-%d %H:%M}, "
        f"commit {git_commit()}"
    )
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores; embeddings on CPU in both pipelines; "
        f"{info['platform']}; Python {info['python']}"
    )
    print(
        f"command: {command.strip()}; {len(questions)} questions x {args.rounds} timed rounds; "
        f"Newsdesk bf16 autocast: {newsdesk['bf16']}\n"
    )
    print(markdown_table(newsdesk, tutorial))
    print("\n" + verdict(newsdesk, tutorial))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": datetime.now().isoformat(timespec="seconds"),
                    "command": command.strip(),
                    "commit": git_commit(),
                    "machine": info,
                    "newsdesk": newsdesk,
                    "tutorial": tutorial,
                    "targets": check_targets(newsdesk, tutorial),
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
