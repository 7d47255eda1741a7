"""Fixtures shared by unit and integration tests: the fixture articles, one embedding model
per test process, one indexed data directory that read-only tests share, and the CLI."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import SHARED, ChromaServer, Cli, Indexed, MakeAssistant, copy_articles, run_cli

# Settings come from the environment: keep a developer's NEWSDESK_* out of the tests (and out
# of the CLI subprocesses, which inherit os.environ). Nothing is downloaded, ever.
for _name in [n for n in os.environ if n.startswith("NEWSDESK_")]:
    del os.environ[_name]
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
_DATABASES = itertools.count(1)  # numbers the databases tests create in the session's cluster


@pytest.fixture(scope="session")
def embedder() -> Any:
    """The real bundled MiniLM, loaded once per test process and shared by every Assistant."""
    from index.config import EmbeddingConfig
    from index.embedding import SentenceTransformerEmbedder

    model = SentenceTransformerEmbedder(EmbeddingConfig())
    model.embed(["warm up"])
    return model


@pytest.fixture(scope="session")
def make_assistant(embedder: Any) -> MakeAssistant:
    """Build an Assistant on a data dir that reuses the session's loaded model."""
    from assistant import Assistant

    def make(data_dir: Path, **overrides: Any) -> Assistant:
        return Assistant(data_dir=data_dir, embedder=embedder, **overrides)

    return make


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory, make_assistant: MakeAssistant) -> Indexed:
    """Every fixture article indexed once into a data dir shared by read-only tests."""
    root = tmp_path_factory.mktemp("shared-index")
    corpus = copy_articles(root / "articles")
    data_dir = root / "data"
    assistant = make_assistant(data_dir)
    report = assistant.index([corpus])
    return Indexed(assistant, report, corpus, data_dir)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A throw-away PostgreSQL cluster for the session (Debian's postgresql; CI installs it
    through scripts/setup.sh --dev). Without it the tests skip, except under CI, where they fail."""
    from pgcluster import PostgresCluster, postgres_bin

    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "PostgreSQL is not installed (apt-get install postgresql; scripts/setup.sh --dev does it)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = PostgresCluster(bin_dir)
    try:
        yield cluster.start()
    finally:
        cluster.remove()


@pytest.fixture
def pg_url(postgres: Any, request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database of the session's PostgreSQL cluster."""
    import re

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + f"_{next(_DATABASES)}"
    return postgres.create_database(name)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real `chroma run` for the session (tests that use it must not depend on its contents)."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma") / "server").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def cli() -> Cli:
    """The `newsdesk` command line, run as a subprocess."""
    return run_cli


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """../shared, or a clean skip when this checkout has none."""
    if not (SHARED / "corpora" / "seed").is_dir():
        pytest.skip("../shared/corpora/seed is not available in this checkout")
    yield SHARED
