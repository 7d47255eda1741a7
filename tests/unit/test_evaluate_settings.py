"""Pure parts of evaluation, the report, and the settings tree."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.evaluate import EvalQuestion, is_correct, is_gold, percentile
from assistant.settings import Settings
from assistant.types import Answer, Passage
from index.report import IndexReport, Skipped


def test_is_gold_matches_path_suffixes_and_aliases() -> None:
    p = Passage(article_id="x", source="/data/bbc/business/010.txt", title="t", rank=1, text="t",
                start=0, end=1, score=0.1, also_in=["/copy/sport/099.txt"])
    assert is_gold(p, ["business/010.txt"])
    assert is_gold(p, ["sport/099.txt"])
    assert not is_gold(p, ["ness/010.txt"])  # whole path components only
    assert not is_gold(p, ["business/011.txt"])


def test_is_correct_needs_the_answer_or_an_alias_and_no_abstention() -> None:
    q = EvalQuestion(id="q", question="?", answer="$206bn", aliases=["206 billion"], docs=["a.txt"])
    assert is_correct(Answer(question="?", text="A $206BN deal [1]", abstained=False), q)
    assert is_correct(Answer(question="?", text="206 billion [1]", abstained=False), q)
    assert not is_correct(Answer(question="?", text="$206bn", abstained=True), q)
    assert not is_correct(Answer(question="?", text="no figure", abstained=False), q)
    unanswerable = EvalQuestion(id="u", question="?", answer="", docs=[])
    assert not unanswerable.answerable


def test_two_story_questions_need_every_answer() -> None:
    q = EvalQuestion(id="m", question="?", answer="$15.5m", answers_all=["$15.5m", "$500,000"], docs=["a.txt", "b.txt"])
    assert is_correct(Answer(question="?", text="Titan paid $15.5m [1]\n\nMonsanto paid $500,000 [2]", abstained=False), q)
    assert not is_correct(Answer(question="?", text="Titan paid $15.5m [1]", abstained=False), q)


def test_misses_list_wrong_answers_and_answered_unanswerables() -> None:
    from assistant.evaluate import EvalReport, EvalResult

    results = [
        EvalResult(id="a", question="Q1?", answerable=True, correct=True, answer="right [1]", type="paraphrase"),
        EvalResult(id="b", question="Q2?", answerable=True, correct=False, gold_rank=2, answer="wrong [1]", type="paraphrase"),
        EvalResult(id="c", question="Q3?", answerable=False, abstained=False, answer="made up [1]", type="unanswerable"),
        EvalResult(id="d", question="Q4?", answerable=False, abstained=True, answer="not found", type="unanswerable"),
    ]
    report = EvalReport(
        questions=4, answerable=2, unanswerable=2, hit_at_5=1.0, mrr_at_10=0.75, answer_accuracy=0.5,
        abstain_unanswerable=0.5, abstain_answerable=0.0, latency_p50_ms=1.0, latency_p95_ms=1.0, results=results,
    )
    assert report.misses() == (
        "b [paraphrase] wrong (gold article rank 2)\n  Q: Q2?\n  A: wrong [1]\n\n"
        "c [unanswerable] answered an unanswerable question\n  Q: Q3?\n  A: made up [1]"
    )


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.5) == 0.0
    assert percentile([7.0], 0.95) == 7.0


def test_report_summary_and_merge() -> None:
    report = IndexReport(added=["a"], skipped=[Skipped(source="b", reason="empty file")], chunks_embedded=3)
    report.merge(IndexReport(added=["c"], removed=["d"], chunks_embedded=2))
    assert report.added == ["a", "c"] and report.removed == ["d"] and report.chunks_embedded == 5
    assert report.summary().startswith("added 2, updated 0, removed 1, unchanged 0, duplicates 0, skipped 1")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_DATA_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__K", "9")
    monkeypatch.setenv("NEWSDESK_CHUNKING__MAX_TOKENS", "120")
    monkeypatch.setenv("NEWSDESK_LOADING__MAX_FILE_MB", "0.5")
    settings = Settings()
    assert str(settings.data_dir) == "/tmp/elsewhere"
    assert settings.retrieval.k == 9
    assert settings.chunking.max_tokens == 120
    assert settings.loading.max_file_mb == 0.5


def test_settings_reject_unknown_nested_fields() -> None:
    with pytest.raises(ValidationError, match=r"retrieval\.no_such_field\n  Extra inputs are not permitted"):
        Settings(retrieval={"k": 5, "no_such_field": 1})


def test_every_setting_is_described() -> None:
    def undescribed(model: type, prefix: str = "") -> list[str]:
        missing = []
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                missing += undescribed(annotation, f"{prefix}{name}.")
            elif not field.description:
                missing.append(prefix + name)
        return missing

    assert undescribed(Settings) == []


def test_eval_report_table() -> None:
    from assistant.evaluate import EvalReport

    report = EvalReport(
        questions=5, answerable=4, unanswerable=1, hit_at_5=1.0, mrr_at_10=0.875, answer_accuracy=0.75,
        abstain_unanswerable=1.0, abstain_answerable=0.0, latency_p50_ms=41.6, latency_p95_ms=120.2, results=[],
    )
    lines = report.table().splitlines()
    assert lines[0].split(None, 1) == ["questions", "5 (4 answerable, 1 unanswerable)"]
    assert "retrieval hit@5              1.000" in lines
    assert lines[-1].endswith("42 ms / 120 ms")


def test_eval_report_prints_figures_per_question_type() -> None:
    from assistant.evaluate import EvalReport

    report = EvalReport(
        questions=3, answerable=2, unanswerable=1, hit_at_5=1.0, mrr_at_10=1.0, answer_accuracy=0.5,
        abstain_unanswerable=1.0, abstain_answerable=0.0, latency_p50_ms=1.0, latency_p95_ms=1.0, results=[],
        by_type={"paraphrase": {"n": 2, "hit_at_5": 1.0, "accuracy": 0.5, "abstained": 0.0},
                 "unanswerable": {"n": 1, "hit_at_5": 0.0, "accuracy": 0.0, "abstained": 1.0}},
    )
    lines = report.table().splitlines()
    assert lines[-2].split() == ["paraphrase", "2", "1.00", "0.50", "0.00"]
    assert lines[-1].split() == ["unanswerable", "1", "0.00", "0.00", "1.00"]
