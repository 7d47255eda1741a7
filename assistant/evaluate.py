"""Measure retrieval and answers on a question file (the format of shared/eval/dev.jsonl):
hit@5 and MRR@10 on gold articles, answer accuracy (every one of `answers_all` for questions
about two stories), abstention, answer length, latency; overall and per question type."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.api import Assistant
from assistant.types import Answer, Passage


class EvalQuestion(BaseModel):
    """One line of a question file."""

    id: str
    question: str
    answer: str = ""
    aliases: list[str] = Field(default_factory=list)
    docs: list[str] = Field(default_factory=list, description="gold articles, path suffixes")
    type: str = ""
    answers_all: list[str] = Field(
        default_factory=list, description="questions about several stories: every one must be in the answer"
    )

    @property
    def answerable(self) -> bool:
        """Questions with no gold article should be abstained on."""
        return bool(self.docs)


class EvalResult(BaseModel):
    """What one question scored."""

    id: str
    question: str
    answerable: bool
    gold_rank: int | None = Field(None, description="1-based rank of the first gold passage")
    correct: bool = False
    abstained: bool = False
    seconds: float = 0.0
    answer: str = ""
    type: str = ""
    sentences: int = Field(0, description="answer sentences cited (related sentences of a 'not stated' answer excluded)")
    reason: str | None = None


class EvalReport(BaseModel):
    """The figures, and per-question results."""

    questions: int
    answerable: int
    unanswerable: int
    hit_at_5: float
    mrr_at_10: float
    answer_accuracy: float
    abstain_unanswerable: float
    abstain_answerable: float
    latency_p50_ms: float
    latency_p95_ms: float
    mean_sentences: float = Field(0.0, description="mean answer sentences of answered one-story questions")
    by_type: dict[str, dict[str, float]] = Field(default_factory=dict)
    results: list[EvalResult]

    def table(self) -> str:
        """The figures as aligned text lines."""
        rows = [
            ("questions", f"{self.questions} ({self.answerable} answerable, {self.unanswerable} unanswerable)"),
            ("retrieval hit@5", f"{self.hit_at_5:.3f}"),
            ("retrieval MRR@10", f"{self.mrr_at_10:.3f}"),
            ("answer accuracy", f"{self.answer_accuracy:.3f}"),
            ("abstention on unanswerable", f"{self.abstain_unanswerable:.3f}"),
            ("abstention on answerable", f"{self.abstain_answerable:.3f}"),
            ("mean answer sentences", f"{self.mean_sentences:.2f} (answered one-story questions)"),
            ("ask latency p50 / p95", f"{self.latency_p50_ms:.0f} ms / {self.latency_p95_ms:.0f} ms"),
        ]
        lines = [f"{name:<28} {value}" for name, value in rows]
        if len(self.by_type) > 1:
            lines.append("")
            lines.append(f"{'by type':<16} {'n':>4} {'hit@5':>6} {'accuracy':>9} {'abstained':>10}")
            for kind, figures in self.by_type.items():
                lines.append(f"{kind:<16} {figures['n']:>4.0f} {figures['hit_at_5']:>6.2f} {figures['accuracy']:>9.2f} {figures['abstained']:>10.2f}")
        return "\n".join(lines)

    def misses(self) -> str:
        """Every question answered wrongly (or abstained on / answered when it should not be), with the answer given."""
        lines = []
        for r in self.results:
            if r.correct or (not r.answerable and r.abstained):
                continue
            what = "answered an unanswerable question" if not r.answerable else (
                f"abstained ({r.reason})" if r.abstained else f"wrong (gold article rank {r.gold_rank})")
            lines.append(f"{r.id} [{r.type}] {what}\n  Q: {r.question}\n  A: {r.answer}")
        return "\n\n".join(lines)


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a JSONL question file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [EvalQuestion.model_validate_json(line) for line in lines if line.strip()]


def is_gold(passage: Passage, docs: list[str]) -> bool:
    """Whether a passage comes from a gold article (or an exact duplicate of one)."""
    sources = [passage.source, *passage.also_in]
    return any(s.replace("\\", "/").endswith("/" + d.lstrip("/")) or s == d for s in sources for d in docs)


def is_correct(answer: Answer, question: EvalQuestion) -> bool:
    """Gold answer or an alias inside the answer text, case-insensitive (for a question about
    several stories, every one of answers_all); abstentions fail."""
    if answer.abstained or not question.answerable:
        return False
    text = answer.text.lower()
    if question.answers_all:
        return all(a.lower() in text for a in question.answers_all)
    return any(a.lower() in text for a in [question.answer, *question.aliases] if a)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, e.g. share=0.95."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def evaluate(assistant: Assistant, questions: list[EvalQuestion], on_result: Callable[[EvalResult], None] | None = None) -> EvalReport:
    """Ask every question; retrieval ranks come from the top 10 passages."""
    assistant.warm_up()
    results = []
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question)
        seconds = time.perf_counter() - started
        ranked = assistant.search(q.question, k=10) if q.answerable else []
        gold_rank = next((p.rank for p in ranked if is_gold(p, q.docs)), None)
        result = EvalResult(
            id=q.id, question=q.question, answerable=q.answerable, gold_rank=gold_rank,
            correct=is_correct(answer, q), abstained=answer.abstained, seconds=seconds,
            answer=answer.text, type=q.type, reason=answer.reason,
            sentences=sum(c.role == "answer" for c in answer.citations),
        )
        results.append(result)
        if on_result:
            on_result(result)
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    mean = lambda xs: statistics.fmean(xs) if xs else 0.0  # noqa: E731
    latencies = [r.seconds * 1000 for r in results]
    one_story = [r.sentences for r in answerable if not r.abstained and r.type != "multi"]
    by_type = {}
    for kind in dict.fromkeys(r.type or "untyped" for r in results):
        group = [r for r in results if (r.type or "untyped") == kind]
        answerable_group = [r for r in group if r.answerable]
        by_type[kind] = {
            "n": float(len(group)),
            "hit_at_5": mean([bool(r.gold_rank and r.gold_rank <= 5) for r in answerable_group]),
            "accuracy": mean([r.correct for r in answerable_group]),
            "abstained": mean([r.abstained for r in group]),
        }
    return EvalReport(
        questions=len(results), answerable=len(answerable), unanswerable=len(unanswerable),
        hit_at_5=mean([bool(r.gold_rank and r.gold_rank <= 5) for r in answerable]),
        mrr_at_10=mean([1 / r.gold_rank if r.gold_rank else 0.0 for r in answerable]),
        answer_accuracy=mean([r.correct for r in answerable]),
        abstain_unanswerable=mean([r.abstained for r in unanswerable]),
        abstain_answerable=mean([r.abstained for r in answerable]),
        latency_p50_ms=percentile(latencies, 0.5), latency_p95_ms=percentile(latencies, 0.95),
        mean_sentences=mean(one_story), by_type=by_type, results=results,
    )


def report_json(report: EvalReport) -> str:
    """The report as JSON."""
    return json.dumps(report.model_dump(mode="json"), indent=2)
