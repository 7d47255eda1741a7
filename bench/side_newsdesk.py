"""Child process: Newsdesk through its public API, into a fresh data directory.

    python bench/side_newsdesk.py SPEC.json RESULT.json

Measures index from scratch, re-index of the unchanged corpus, adding 10 new articles to
an indexed folder (and syncing them away again), ask and search latency once loaded, and
quality through assistant.evaluate. The parent measures this process's peak RSS.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from benchlib import Spec, Stopwatch, log, rss_high_water_mib, time_calls, write_new_articles

from assistant import Assistant, IndexReport
from assistant.evaluate import evaluate, load_questions
from index.embedding import use_bf16

SIDE = "newsdesk"


def copy_corpus(spec: Spec, target: Path) -> list[Path]:
    """Copy the selected files to `target`/<root name>/..., return the new roots.

    Newsdesk indexes folders and syncs them, and the add-10 step writes into one, so it works
    on a private copy; the layout (e.g. bbc/business/010.txt) keeps gold suffixes valid.
    """
    roots = {Path(r): target / Path(r).name for r in spec.roots}
    for file in map(Path, spec.files):
        root = next(r for r in roots if file.is_relative_to(r))
        destination = roots[root] / file.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, destination)
    return list(roots.values())


def timed_index(assistant: Assistant, roots: list[Path]) -> tuple[Stopwatch, IndexReport]:
    """Index the roots; return the time taken and the report."""
    with Stopwatch() as watch:
        report = assistant.index(roots)
    return watch, report


def counts(report: IndexReport) -> dict[str, int]:
    """The report's counts."""
    return {
        name: len(getattr(report, name))
        for name in ("added", "updated", "removed", "unchanged", "duplicates", "skipped")
    } | {"chunks_embedded": report.chunks_embedded}


def run(spec: Spec) -> dict[str, object]:
    """All Newsdesk measurements, as a JSON-ready dict."""
    work = Path(spec.workdir) / SIDE
    roots = copy_corpus(spec, work / "corpus")
    assistant = Assistant(data_dir=work / "data")

    with Stopwatch() as model_load:
        assistant.warm_up()
    log(
        SIDE,
        f"model loaded in {model_load.wall:.1f} s; indexing {len(spec.files)} files from scratch",
    )

    rss_model = rss_high_water_mib()
    index, first = timed_index(assistant, roots)
    rss_index = rss_high_water_mib()
    log(SIDE, f"indexed in {index.wall:.1f} s ({index.cpu:.0f} CPU s): {first.summary()}")
    reindex, again = timed_index(assistant, roots)
    log(SIDE, f"re-indexed unchanged corpus in {reindex.wall:.2f} s: {again.summary()}")

    new_folder = roots[0] / "bench-new"
    write_new_articles(spec.files, spec.new_articles, new_folder)
    add, added = timed_index(assistant, roots)
    log(SIDE, f"{spec.new_articles} new articles synced in {add.wall:.2f} s: {added.summary()}")
    shutil.rmtree(new_folder)  # quality is measured on the same corpus as the tutorial's
    remove, removed = timed_index(assistant, roots)
    log(SIDE, f"they were synced away in {remove.wall:.2f} s: {removed.summary()}")

    stats = assistant.stats()
    questions = load_questions(Path(spec.questions))
    assistant.ask(questions[0].question)  # one untimed call: first-query costs are not "loaded"
    texts = [q.question for q in questions]
    timing = time_calls("ask", assistant.ask, texts, spec.rounds)
    timing |= time_calls("search", lambda text: assistant.search(text, k=5), texts, spec.rounds)
    log(SIDE, f"ask p50 {timing['ask_p50_ms']:.0f} ms, p95 {timing['ask_p95_ms']:.0f} ms")
    quality = evaluate(assistant, questions)
    log(SIDE, "quality:\n" + quality.table())
    return {
        "model_load_s": model_load.wall,
        "rss_after_model_mib": rss_model,
        "rss_after_index_mib": rss_index,
        "index_s": index.wall,
        "index_cpu_s": index.cpu,
        "index": counts(first),
        "reindex_s": reindex.wall,
        "reindex": counts(again),
        "add_new_s": add.wall,
        "add_new": counts(added),
        "remove_new_s": remove.wall,
        "remove_new": counts(removed),
        "articles": stats.articles,
        "aliases": stats.aliases,
        "chunks": stats.chunks,
        "bf16": use_bf16(assistant.settings.embedding.precision),
        "settings_fingerprint": assistant.settings.fingerprint(),
        **timing,
        "hit_at_5": quality.hit_at_5,
        "mrr_at_10": quality.mrr_at_10,
        "answer_accuracy": quality.answer_accuracy,
        "abstain_unanswerable": quality.abstain_unanswerable,
        "abstain_answerable": quality.abstain_answerable,
        "questions": quality.questions,
        "answerable": quality.answerable,
        "question_set": Path(spec.questions).stem,
        "mean_sentences": quality.mean_sentences,
        "two_story_accuracy": quality.by_type.get("multi", {}).get("accuracy"),
    }


if __name__ == "__main__":
    spec_path, result_path = sys.argv[1:3]
    result = run(Spec.load(spec_path))
    Path(result_path).write_text(json.dumps(result, indent=1), encoding="utf-8")
