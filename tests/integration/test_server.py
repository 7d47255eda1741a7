"""Scale-out: the vector collection on a real Chroma server (`chroma run`), same behaviour."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import BIN, MakeAssistant, assert_consistent, copy_articles

from index import IndexingError

pytestmark = [pytest.mark.integration, pytest.mark.server, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` on 127.0.0.1 and a free port, up until its heartbeat answers."""
    executable = BIN / "chroma"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: chromadb installs it")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path.parent / "chroma-server.log").open("w")
    server = subprocess.Popen(
        [str(executable), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not come up: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_index_and_ask_against_a_chroma_server(tmp_path: Path, make_assistant: MakeAssistant, chroma_url: str) -> None:
    corpus = copy_articles(tmp_path / "articles")
    assistant = make_assistant(tmp_path / "data", chroma_url=chroma_url)
    report = assistant.index([corpus])
    assert len(report.added) == 10 and len(report.skipped) == 1
    assert not (tmp_path / "data" / "chroma").exists()  # the vectors live on the server
    stats = assistant.stats()
    assert stats.vectors == stats.chunks > 0
    assert_consistent(assistant.store)

    answer = assistant.ask("Who was appointed chief executive of the Harbour Bank of Port Elwin?")
    assert "Marta Quill" in answer.text
    citation = answer.citations[0]
    assert assistant.article(citation.article_id).body[citation.start : citation.end] == citation.quote
    sport = assistant.search("rowing cup final", k=5, topic="sport", since="2022-01-01")
    assert sport and all(p.topic == "sport" for p in sport)

    (corpus / "business" / "tin-mine.txt").unlink()
    again = assistant.index([corpus])
    assert again.removed == [str(corpus / "business" / "tin-mine.txt")] and again.chunks_embedded == 0
    assert_consistent(assistant.store)


def test_unreachable_server_is_a_clear_error(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    assistant = make_assistant(tmp_path / "data", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(IndexingError, match="cannot reach the Chroma server"):
        assistant.stats()
