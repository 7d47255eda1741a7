"""The comparison table and the targets of issues 2 and 9, from the two children's results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Result = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """One goal from the issue, checked against the measured figures."""

    name: str
    goal: str
    check: Callable[[Result, Result], bool]


TARGETS = [
    Target("index time", "≤ ½ tutorial's", lambda n, t: n["index_s"] <= t["index_s"] / 2),
    Target("re-index unchanged", "< 3 s", lambda n, t: n["reindex_s"] < 3),
    Target("add 10 new articles", "< 10 s", lambda n, t: n["add_new_s"] < 10),
    Target("ask p50", "< 100 ms", lambda n, t: n["ask_p50_ms"] < 100),
    Target("ask p95", "< 300 ms", lambda n, t: n["ask_p95_ms"] < 300),
    Target("ask p50, first time asked", "≤ 150 ms", lambda n, t: n["ask_first_p50_ms"] <= 150),
    Target("peak RSS", "< tutorial's", lambda n, t: n["peak_rss_mib"] < t["peak_rss_mib"]),
    Target("hit@5", "≥ 0.90", lambda n, t: n["hit_at_5"] >= 0.90),
    Target("MRR@10", "≥ tutorial's", lambda n, t: n["mrr_at_10"] >= t["mrr_at_10"]),
]
"""Targets for every question set (issues 2 and 9)."""


def _at_least(key: str, goal: float) -> Callable[[Result, Result], bool]:
    return lambda n, t: n.get(key) is not None and n[key] >= goal


def _at_most(key: str, goal: float) -> Callable[[Result, Result], bool]:
    return lambda n, t: n.get(key) is not None and n[key] <= goal


SHORT = Target("answer length", "≤ 2.5 sentences", _at_most("mean_sentences", 2.5))
QUALITY_TARGETS = {
    "dev": [
        Target("answer accuracy", "≥ 0.85", _at_least("answer_accuracy", 0.85)),
        Target("abstention, unanswerable", "≥ 0.80", _at_least("abstain_unanswerable", 0.80)),
        Target("abstention, answerable", "0", _at_most("abstain_answerable", 0.0)),
        SHORT,
    ],
    "dev_hard": [
        Target("answer accuracy", "≥ 0.60", _at_least("answer_accuracy", 0.60)),
        Target("two-story, every part", "≥ 0.50", _at_least("two_story_accuracy", 0.50)),
        Target("abstention, unanswerable", "≥ 0.60", _at_least("abstain_unanswerable", 0.60)),
        Target("abstention, answerable", "≤ 0.10", _at_most("abstain_answerable", 0.10)),
        SHORT,
    ],
}
"""Answer targets per question set (the file's stem): issue 9's for dev.jsonl and
dev_hard.jsonl; other sets get issue 2's (below)."""
OTHER_QUALITY = [
    Target("answer accuracy", "≥ 0.60", _at_least("answer_accuracy", 0.60)),
    Target("abstention, unanswerable", "≥ 0.70", _at_least("abstain_unanswerable", 0.70)),
    Target("abstention, answerable", "≤ 0.10", _at_most("abstain_answerable", 0.10)),
]


def targets_for(newsdesk: Result) -> list[Target]:
    """The targets that apply to a run: the common ones and its question set's."""
    return TARGETS + QUALITY_TARGETS.get(newsdesk.get("question_set", ""), OTHER_QUALITY)


def check_targets(newsdesk: Result, tutorial: Result) -> dict[str, bool]:
    """Each target's name and whether it is met."""
    return {t.name: t.check(newsdesk, tutorial) for t in targets_for(newsdesk)}


def _row(
    measure: str, newsdesk: str, tutorial: str, target: str = "", met: bool | None = None
) -> str:
    mark = "" if met is None else ("yes" if met else "**no**")
    return f"| {measure} | {newsdesk} | {tutorial} | {target} | {mark} |"


def _load(result: Result) -> str:
    before, after = result["load_average_1min"]
    return f"{before:.1f} / {after:.1f}"


def _rss(result: Result) -> str:
    return f"{result['rss_after_model_mib']:.0f} / {result['rss_after_index_mib']:.0f} MiB"


def markdown_table(newsdesk: Result, tutorial: Result) -> str:
    """The side-by-side table (Markdown), with each target and whether it is met."""
    n, t = newsdesk, tutorial
    met = check_targets(n, t)
    goal = {x.name: x.goal for x in targets_for(n)}
    s = lambda v: f"{v:.1f} s"  # noqa: E731
    s2 = lambda v: f"{v:.2f} s"  # noqa: E731
    ms = lambda v: f"{v:.0f} ms"  # noqa: E731
    f3 = lambda v: f"{v:.3f}"  # noqa: E731
    na = "—"

    def target_row(name: str, measure: str, newsdesk_cell: str, tutorial_cell: str = na) -> str:
        return _row(measure, newsdesk_cell, tutorial_cell, goal[name], met[name])

    rows = [
        "| measure | Newsdesk | LangChain tutorial | target (Newsdesk) | met |",
        "| --- | --- | --- | --- | --- |",
        _row("files in the corpus", f"{n['files']}", f"{t['files']}"),
        _row(
            "stored",
            f"{n['articles']} articles + {n['aliases']} duplicates, {n['chunks']} chunks",
            f"{t['chunks']} chunks",
        ),
        _row("model load (not in index time)", s(n["model_load_s"]), s(t["model_load_s"])),
        target_row(
            "index time", "index whole corpus from scratch", s(n["index_s"]), s(t["index_s"])
        ),
        _row("index CPU time (user + sys, all threads)", s(n["index_cpu_s"]), s(t["index_cpu_s"])),
        _row(
            "index throughput",
            f"{n['files'] / n['index_s']:.1f} files/s",
            f"{t['files'] / t['index_s']:.1f} files/s",
        ),
        target_row(
            "re-index unchanged",
            "re-index unchanged corpus",
            f"{s2(n['reindex_s'])} ({n['reindex']['unchanged']} unchanged, "
            f"{n['reindex']['chunks_embedded']} chunks embedded)",
            "no change detection (a re-run rebuilds)",
        ),
        target_row(
            "add 10 new articles",
            "add 10 new articles",
            f"{s2(n['add_new_s'])} (folder sync: {n['add_new']['added']} added, "
            f"{n['add_new']['unchanged']} unchanged)",
            s2(t["add_new_s"]) + " (add_documents, no sync)",
        ),
        target_row("ask p50", "ask p50 (retrieve + answer)", ms(n["ask_p50_ms"])),
        target_row("ask p95", "ask p95 (retrieve + answer)", ms(n["ask_p95_ms"])),
        target_row(
            "ask p50, first time asked",
            "ask p50 / p95, first round only (each question new to the caches)",
            f"{ms(n['ask_first_p50_ms'])} / {ms(n['ask_first_p95_ms'])}",
        ),
        _row(
            "retrieval p50 / p95 (k=5)",
            f"{ms(n['search_p50_ms'])} / {ms(n['search_p95_ms'])}",
            f"{ms(t['search_p50_ms'])} / {ms(t['search_p95_ms'])}",
        ),
        _row(
            "CPU time per call p50: ask / retrieval",
            f"{ms(n['ask_cpu_p50_ms'])} / {ms(n['search_cpu_p50_ms'])}",
            f"— / {ms(t['search_cpu_p50_ms'])}",
        ),
        target_row("hit@5", "retrieval hit@5", f3(n["hit_at_5"]), f3(t["hit_at_5"])),
        target_row("MRR@10", "retrieval MRR@10", f3(n["mrr_at_10"]), f3(t["mrr_at_10"])),
        target_row("answer accuracy", "answer accuracy", f3(n["answer_accuracy"]), "no answers"),
        *([target_row("two-story, every part", "two-story questions, every part answered",
                      f3(n["two_story_accuracy"]), "no answers")] if "two-story, every part" in met else []),
        target_row(
            "abstention, unanswerable",
            "abstention on unanswerable",
            f3(n["abstain_unanswerable"]),
            "never abstains",
        ),
        target_row(
            "abstention, answerable",
            "abstention on answerable",
            f3(n["abstain_answerable"]),
            "never abstains",
        ),
        *([target_row("answer length", "mean answer sentences (answered one-story questions)",
                      f"{n['mean_sentences']:.2f}", "no answers")] if "answer length" in met else []),
        target_row(
            "peak RSS",
            "peak memory (RSS of the process)",
            f"{n['peak_rss_mib']:.0f} MiB",
            f"{t['peak_rss_mib']:.0f} MiB",
        ),
        _row("RSS high-water: after model load / after indexing", _rss(n), _rss(t)),
        _row(
            "whole benchmark process: wall / CPU",
            f"{s(n['process_wall_s'])} / {s(n['process_cpu_s'])}",
            f"{s(t['process_wall_s'])} / {s(t['process_cpu_s'])}",
        ),
        _row("load average (1 min) before / after", _load(n), _load(t)),
    ]
    return "\n".join(rows)


def verdict(newsdesk: Result, tutorial: Result) -> str:
    """One line: how many targets are met, and which are not."""
    met = check_targets(newsdesk, tutorial)
    missed = [name for name, ok in met.items() if not ok]
    line = f"targets met: {len(met) - len(missed)} of {len(met)}"
    return line + (f" (missed: {', '.join(missed)})" if missed else "")
