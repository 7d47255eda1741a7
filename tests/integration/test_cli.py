"""The `newsdesk` command line, run as a subprocess: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import FIXTURES, Cli, Indexed, copy_articles

from assistant import Answer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTION = "Who was appointed chief executive of the Harbour Bank of Port Elwin?"


def test_index_prints_a_summary_with_skip_reasons(tmp_path: Path, cli: Cli) -> None:
    corpus = copy_articles(tmp_path / "articles")
    data_dir = tmp_path / "data"
    result = cli("index", corpus, "--data-dir", data_dir)
    assert result.returncode == 0, result.stderr
    assert "added 10, updated 0, removed 0, unchanged 0, duplicates 0, skipped 1" in result.stdout
    assert f"skipped {corpus}/world/wires.jsonl#2: line 2: invalid JSON" in result.stdout

    (corpus / "business" / "tin-mine.txt").unlink()
    removed = cli("remove", corpus / "politics" / "council-vote.md", "/not/indexed.txt", "--data-dir", data_dir)
    assert removed.returncode == 0, removed.stderr
    assert "removed 1" in removed.stdout and "/not/indexed.txt: not in the index" in removed.stdout

    again = cli("index", corpus, "--data-dir", data_dir)
    assert again.returncode == 0, again.stderr
    assert "added 1, updated 0, removed 1, unchanged 8" in again.stdout  # the council vote is back

    stats = cli("stats", "--json", "--data-dir", data_dir)
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert (figures["articles"], figures["aliases"]) == (9, 0)
    assert figures["chunks"] == figures["vectors"]


def test_ask_json_prints_the_whole_answer(indexed: Indexed, cli: Cli) -> None:
    result = cli("ask", QUESTION, "--json", "--data-dir", indexed.data_dir)
    assert result.returncode == 0, result.stderr
    answer = Answer.model_validate_json(result.stdout)
    assert not answer.abstained and "Marta Quill" in answer.text
    citation = answer.citations[0]
    assert citation.source == indexed.source("business/harbour-bank.txt")
    body = indexed.assistant.article(citation.article_id).body
    assert body[citation.start : citation.end] == citation.quote
    assert [p.rank for p in answer.passages] == [1, 2, 3, 4, 5, 6]  # the settings' k


def test_ask_prints_the_answer_and_numbered_sources(indexed: Indexed, cli: Cli) -> None:
    result = cli("ask", "Why did ferry crews on the Skerrin Islands route walk out?",
                 "--topic", "world", "--since", "2024-01-01", "--k", "3", "--data-dir", indexed.data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "night-shift pay" in lines[0] and "[1]" in lines[0]
    assert "Sources" in lines
    sources = lines[lines.index("Sources") + 1 :]
    assert sources[0] == "[1] Ferry strike halts crossings to the Skerrin Islands \u2014 Coastal Wire \u00b7 2024-05-21 \u00b7 world"
    assert sources[1].strip() == "https://example.org/wire/ferry-strike"
    assert sources[2].strip().startswith('"Ferry crews on the Skerrin Islands route walked out')


def test_ask_errors_are_messages_not_tracebacks(indexed: Indexed, cli: Cli) -> None:
    empty = cli("ask", "  ", "--data-dir", indexed.data_dir)
    assert empty.returncode == 1
    assert "error: the question is empty" in empty.stderr and "Traceback" not in empty.stderr
    long = cli("ask", "w" * 10_000, "--data-dir", indexed.data_dir)
    assert long.returncode == 1 and "10,000 characters" in long.stderr and "Traceback" not in long.stderr
    mismatch = cli("stats", "--data-dir", indexed.data_dir, env={"NEWSDESK_CHUNKING__MAX_TOKENS": "120"})
    assert mismatch.returncode == 1
    assert "built with other settings" in mismatch.stderr and "Traceback" not in mismatch.stderr


def test_stats_text(indexed: Indexed, cli: Cli) -> None:
    result = cli("stats", "--data-dir", indexed.data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("10 articles (0 duplicates remembered)")
    assert "published 2022-06-05 .. 2024-06-02" in result.stdout
    assert "business 3" in result.stdout


def test_eval_on_the_fixture_questions(indexed: Indexed, cli: Cli) -> None:
    result = cli("eval", FIXTURES / "eval.jsonl", "--json", "--data-dir", indexed.data_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["questions"], report["answerable"], report["unanswerable"]) == (5, 4, 1)
    assert report["hit_at_5"] == 1.0
    assert report["mrr_at_10"] > 0.7
    assert report["answer_accuracy"] == 1.0
    assert report["abstain_unanswerable"] == 1.0 and report["abstain_answerable"] == 0.0
    assert 0 < report["latency_p50_ms"] <= report["latency_p95_ms"]
    assert [r["id"] for r in report["results"]] == ["t1", "t2", "t3", "t4", "u1"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("ask", "Who paid \udcff?"), {},  # the byte 0xff: not UTF-8
         "error: the question is not valid text: character 10 is not UTF-8 ('\\udcff', e.g. from invalid UTF-8 bytes)"),
        (("ask", "Who runs the bank?", "--outlet", "Gazette \udce9"), {},
         "error: outlet is not valid text: character 9 is not UTF-8 ('\\udce9', e.g. from invalid UTF-8 bytes)"),
        (("ask", "Who runs the bank?", "--k", "-5"), {},
         "error: k=-5: the number of passages must be a whole number from 1 to 50"),
        (("ask", "Who runs the bank?", "--k", "1000000000"), {},
         "error: k=1000000000: the number of passages must be a whole number from 1 to 50"),
        (("ask", "Who runs the bank?"), {"NEWSDESK_RETRIEVAL__K": "500"},
         "error: invalid settings: retrieval.k='500': Input should be less than or equal to 50"),
        (("stats",), {"NEWSDESK_RETRIEVAL__KK": "5"},
         "error: invalid settings: unknown setting 'retrieval.kk' (did you mean 'k'?)"),
    ],
)
def test_bad_input_is_one_line_on_stderr(indexed: Indexed, cli: Cli, args: tuple[str, ...], env: dict[str, str],
                                         message: str) -> None:
    result = cli(*args, "--data-dir", indexed.data_dir, env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == message + "\n"
