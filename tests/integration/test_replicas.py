"""Stateless replicas (issue 10): two `newsdesk serve` processes and an indexer process share
one PostgreSQL catalog and one `chroma run`; nothing is written to local disk; an indexer
killed with -9 is repaired by the next run; a restarted PostgreSQL or Chroma gives a one-line
error, then answers come back without restarting the replicas."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support import BIN, TESTS, ChromaServer, free_port, serving, write_generated_corpus

pytestmark = [pytest.mark.integration, pytest.mark.server, pytest.mark.postgres, pytest.mark.slow]

UPLOAD = TESTS / "ui" / "fixtures" / "upload" / "lighthouse-keeper.txt"
QUESTION = "Who was the last keeper of the Skerrow lighthouse?"


@dataclass
class Deployment:
    """One PostgreSQL database, one Chroma server, two replicas; where each replica would
    keep files if it kept any."""

    catalog_url: str
    chroma: ChromaServer
    replicas: list[str]
    data_dirs: list[Path]
    scratch: list[Path]

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "GRADIO_"))}
        env.update(NEWSDESK_CATALOG_URL=self.catalog_url, NEWSDESK_CHROMA_URL=self.chroma.url, HF_HUB_OFFLINE="1",
                   GRADIO_ANALYTICS_ENABLED="False", NO_PROXY="127.0.0.1,localhost", **extra)
        return env


@pytest.fixture(scope="module")
def deployment(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("replicas")
    chroma = ChromaServer(root / "chroma").start()
    catalog_url = postgres.create_database("replicas")
    found = Deployment(catalog_url, chroma, [], [root / "a" / "data", root / "b" / "data"], [root / "a" / "tmp", root / "b" / "tmp"])
    with ExitStack() as stack:
        stack.callback(chroma.stop)
        for name, data_dir, scratch in zip("ab", found.data_dirs, found.scratch, strict=True):
            scratch.mkdir(parents=True)
            port = free_port()
            command = [str(BIN / "newsdesk"), "serve", "--port", str(port), "--data-dir", str(data_dir)]
            env = found.env(TMPDIR=str(scratch), GRADIO_TEMP_DIR=str(scratch / "gradio"))
            stack.enter_context(serving(command, f"http://127.0.0.1:{port}/", root / f"replica-{name}.log", 180, env))
            found.replicas.append(f"http://127.0.0.1:{port}/")
        yield found


def client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def newsdesk(deployment: Deployment, *args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """A `newsdesk` command (an indexer or a worker) on the shared stores."""
    return subprocess.run([str(BIN / "newsdesk"), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=deployment.env(), check=False)


def count(catalog_url: str, table: str) -> int:
    with psycopg.connect(catalog_url, autocommit=True) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # type: ignore[index]


def test_indexed_through_replica_a_answered_by_replica_b(deployment: Deployment) -> None:
    from gradio_client import handle_file

    a, b = (client(url) for url in deployment.replicas)
    _, report = a.predict([handle_file(str(UPLOAD))], "coast", api_name="/index")
    assert len(report["added"]) == 1 and report["skipped"] == [] and report["refused"] == []

    answer = b.predict(QUESTION, api_name="/ask")
    assert answer["abstained"] is False and "Morag Finlay" in answer["text"]
    citation = answer["citations"][0]
    assert citation["topic"] == "coast" and "Morag Finlay" in citation["quote"]
    assert citation["title"] == "Last keeper of the Skerrow lighthouse retires after forty years"
    # stateless: no data dir, and the upload's scratch folder is gone
    assert not any(path.exists() for path in deployment.data_dirs)
    assert not list(deployment.scratch[0].glob("newsdesk-upload-*"))


def test_a_killed_indexer_is_repaired_by_the_next_run(deployment: Deployment, tmp_path: Path, postgres: Any) -> None:
    folder = tmp_path / "wire"
    write_generated_corpus(folder, range(80))
    before = count(deployment.catalog_url, "articles")
    process = subprocess.Popen([str(BIN / "newsdesk"), "index", str(folder)], env=deployment.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    b = client(deployment.replicas[1])
    deadline = time.monotonic() + 300
    while count(deployment.catalog_url, "pending") == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the indexer never started writing"
        time.sleep(0.05)
    assert b.predict(QUESTION, api_name="/ask")["abstained"] is False  # readers are not blocked
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert count(deployment.catalog_url, "pending") > 0

    rerun = newsdesk(deployment, "index", folder)
    assert rerun.returncode == 0, rerun.stderr
    assert "repairing" in rerun.stderr and "left half-written by an interrupted run" in rerun.stderr
    stats = newsdesk(deployment, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    repaired = json.loads(stats.stdout)
    clean_url = postgres.create_database("clean_run")
    clean = subprocess.run([str(BIN / "newsdesk"), "index", str(folder), "--catalog-url", clean_url],
                           capture_output=True, text=True, timeout=600, env=deployment.env(), check=False)
    assert clean.returncode == 0, clean.stderr
    expected = json.loads(newsdesk(deployment, "stats", "--json", "--catalog-url", clean_url).stdout)
    assert repaired["articles"] - before == expected["articles"] == 80
    assert repaired["chunks"] - expected["chunks"] == repaired["vectors"] - expected["vectors"]
    assert repaired["vectors_missing"] == expected["vectors_missing"] == 0 and repaired["warning"] is None
    assert count(deployment.catalog_url, "pending") == 0


def test_postgres_and_chroma_restarts_are_one_line_errors_then_recover(deployment: Deployment, postgres: Any) -> None:
    from gradio_client.exceptions import AppError

    b = client(deployment.replicas[1])
    assert b.predict(QUESTION, api_name="/ask")["abstained"] is False
    postgres.stop()
    try:
        with pytest.raises(AppError) as refused:
            b.predict(QUESTION, api_name="/ask")
        assert str(refused.value) == (f"cannot reach the PostgreSQL catalog at postgresql://postgres@127.0.0.1:"
                                      f"{postgres.port}/replicas (no connection within 5 s)")
    finally:
        postgres.start()
    assert "Morag Finlay" in b.predict(QUESTION, api_name="/ask")["text"]  # the pool reconnected

    deployment.chroma.stop()
    try:
        with pytest.raises(AppError, match=f"^cannot reach the Chroma server at {deployment.chroma.url} "):
            b.predict(QUESTION, api_name="/ask")
    finally:
        deployment.chroma.start()
    assert "Morag Finlay" in b.predict(QUESTION, api_name="/ask")["text"]
