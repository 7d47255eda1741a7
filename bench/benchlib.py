"""Shared by the benchmark's parent process and its two child processes: the run spec,
corpus selection, generated article variants, gold matching and percentiles.

Standard library only, so importing it adds nothing to a child's measured memory.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Spec:
    """What both pipelines run on, written by the parent and read by each child."""

    roots: list[str]
    """Corpus folders (absolute), e.g. .../corpora/bbc and .../corpora/seed."""
    files: list[str]
    """The selected article files (absolute), each under one of the roots."""
    questions: str
    """The question file (JSONL, the format of shared/eval/dev.jsonl)."""
    rounds: int
    """How many times each question is timed."""
    workdir: str
    """A temporary folder each child writes under (its own subfolder)."""
    new_articles: int = 10

    def save(self, path: Path) -> None:
        """Write the spec as JSON."""
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Spec:
        """Read a spec written by save()."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


class Stopwatch:
    """Wall and CPU seconds (all threads of this process) of a `with` block.

    CPU seconds barely move when other work shares the cores; wall seconds do.
    """

    wall: float = 0.0
    cpu: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def rss_high_water_mib() -> float:
    """This process's peak RSS so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(side: str, message: str) -> None:
    """Progress on stderr (stdout stays free for the final table)."""
    print(f"[{side}] {message}", file=sys.stderr, flush=True)


def read_questions(path: str | Path) -> list[dict]:
    """The question lines: dicts with at least 'question' and 'docs' (gold path suffixes)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_text(path: str | Path) -> str:
    """A file as text, the tutorial's way: UTF-8, undecodable bytes replaced.

    One BBC file (sport/199.txt) is not UTF-8; Newsdesk detects its encoding, the tutorial
    pipeline gets U+FFFD for its few odd bytes.
    """
    return Path(path).read_text(encoding="utf-8", errors="replace")


def body_key(text: str) -> str:
    """Hash of an article's body (everything after the title line), whitespace-normalised.

    Two files with the same key are exact duplicates, which Newsdesk stores once; a
    retrieved duplicate of a gold article counts as gold for both pipelines.
    """
    lines = text.strip().split("\n", 1)
    body = " ".join(lines[1].split()) if len(lines) > 1 else ""
    return hashlib.sha1(body.encode("utf-8")).hexdigest()


def is_gold_path(path: str, docs: Iterable[str]) -> bool:
    """Whether a file path ends with one of the gold suffixes, e.g. 'business/010.txt'."""
    normalised = path.replace("\\", "/")
    return any(normalised.endswith("/" + d.lstrip("/")) for d in docs)


def gold_rank(sources: list[str], docs: list[str], keys: dict[str, str]) -> int | None:
    """1-based rank of the first retrieved source that is a gold article or a duplicate of one.

    keys maps every corpus file to its body_key; sources are the retrieved files, best first.
    """
    gold = {key for path, key in keys.items() if is_gold_path(path, docs)}
    return next((i for i, s in enumerate(sources, start=1) if keys.get(s) in gold), None)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the definition assistant.evaluate uses), e.g. share=0.95."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def paragraphs(path: str | Path) -> tuple[str, list[str]]:
    """An article's title line and its body paragraphs (blank-line separated)."""
    lines = read_text(path).strip().split("\n", 1)
    body = lines[1] if len(lines) > 1 else ""
    return lines[0].strip(), [p.strip() for p in body.split("\n\n") if p.strip()]


def time_calls(
    name: str, call: Callable[[str], object], texts: list[str], rounds: int
) -> dict[str, float]:
    """Wall p50/p95 and CPU p50 (ms) of call(text) over every text, `rounds` times, and the
    wall p50/p95 of the first round alone (each text the first time: no cache has it yet).

    Keys are prefixed with name, e.g. ask_p50_ms, ask_p95_ms, ask_cpu_p50_ms, ask_calls,
    ask_first_p50_ms, ask_first_p95_ms.
    """
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for text in texts:
            with Stopwatch() as watch:
                call(text)
            wall.append(watch.wall * 1000)
            cpu.append(watch.cpu * 1000)
    return {
        f"{name}_p50_ms": percentile(wall, 0.5),
        f"{name}_p95_ms": percentile(wall, 0.95),
        f"{name}_cpu_p50_ms": percentile(cpu, 0.5),
        f"{name}_calls": len(wall),
        f"{name}_first_p50_ms": percentile(wall[: len(texts)], 0.5),
        f"{name}_first_p95_ms": percentile(wall[: len(texts)], 0.95),
    }


def write_new_articles(files: list[str], count: int, folder: Path, size: int = 6) -> list[Path]:
    """Write `count` new articles into `folder`, generated at run time (never committed).

    Each is a new title over `size` paragraphs taken from `size` different corpus articles,
    so no indexed article is an exact or near duplicate of it (Newsdesk stores those as
    aliases without embedding them: a reordered copy would make "add 10 articles" too easy).
    e.g. count=10, size=6: 60 source articles spread evenly, ~3 KB each (a BBC article: ~2.3 KB).
    """
    folder.mkdir(parents=True, exist_ok=True)
    sources = files[:: max(1, len(files) // (count * size))]
    split = {s: paragraphs(s) for s in dict.fromkeys(sources[: count * size])}
    written = []
    for i in range(count):
        picked = [sources[(i * size + j) % len(sources)] for j in range(size)]
        body = [
            split[s][1][(i + j) % len(split[s][1])] for j, s in enumerate(picked) if split[s][1]
        ]
        title = f"Round-up {i + 1}: {split[picked[0]][0]}"
        target = folder / f"new-{i + 1:02d}.txt"
        target.write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        written.append(target)
    return written
