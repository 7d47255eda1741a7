"""Scale-out: the vector collection on a real Chroma server (`chroma run`), same behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import (
    BIN,
    MakeAssistant,
    assert_consistent,
    copy_articles,
    free_port,
    serving,
    write_generated_corpus,
)

from index import IndexingError, StoreUnavailableError

pytestmark = [pytest.mark.integration, pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` on 127.0.0.1 and a free port, up until its heartbeat answers."""
    executable = BIN / "chroma"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: chromadb installs it")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    url = f"http://127.0.0.1:{port}"
    command = [str(executable), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"]
    with serving(command, f"{url}/api/v2/heartbeat", path.parent / "chroma-server.log"):
        yield url


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


def test_a_chroma_server_dying_mid_index_is_one_clear_error_and_a_rerun_repairs(
    tmp_path: Path, make_assistant: MakeAssistant,
) -> None:
    """The server is killed while articles are being indexed: the run ends with a one-line
    StoreUnavailableError (the CLI prints it as `error: ...`), what was indexed before is kept,
    and once the server is back the same command finishes the job."""
    corpus = tmp_path / "articles"
    write_generated_corpus(corpus, range(40))
    port, path = free_port(), tmp_path / "chroma-server"
    url = f"http://127.0.0.1:{port}"
    command = [str(BIN / "chroma"), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"]
    assistant = make_assistant(tmp_path / "data", chroma_url=url)
    with serving(command, f"{url}/api/v2/heartbeat", tmp_path / "chroma-1.log") as server:
        first = assistant.index([corpus / "wire" / "dispatch-000.txt"])
        assert len(first.added) == 1

        def kill_halfway(done: int, total: int, current: str) -> None:
            if done == total // 2:
                server.kill()
                server.wait()

        with pytest.raises(StoreUnavailableError) as refused:
            assistant.index([corpus], progress=kill_halfway)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"cannot reach the Chroma server at {url} (")
    assert message.endswith("); answers resume when it is back")
    with pytest.raises(StoreUnavailableError, match=f"^cannot reach the Chroma server at {url} "):
        assistant.ask("What did the dispatch say?")  # the read path says the same, no traceback

    with serving(command, f"{url}/api/v2/heartbeat", tmp_path / "chroma-2.log"):
        again = assistant.index([corpus])
        assert sorted(again.added) == sorted(str(p) for p in (corpus / "wire").glob("dispatch-0[0-3]?.txt")
                                             if p.name != "dispatch-000.txt")
        assert again.unchanged == [str(corpus / "wire" / "dispatch-000.txt")]
        stats = assistant.stats()
        assert stats.articles == 40 and stats.vectors == stats.chunks
        assert_consistent(assistant.store)
