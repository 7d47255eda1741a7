"""Helpers and constants the tests share (conftest.py holds the fixtures)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant import Assistant
    from index.store import IndexStore

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
ARTICLES = FIXTURES / "articles"
SHARED = TESTS.parent.parent / "shared"  # ../shared seen from the repository root
BIN = Path(sys.executable).parent

# What the generated fixture articles say (written by write_generated_articles).
PDF_TITLE = "Glassworks reopens in Varnmouth"
PDF_BODY = (
    "The old glassworks in Varnmouth reopened on Monday after a decade of closure. "
    "Its new owner, Ilse Brandt, said sixty people had been hired to blow bottles and "
    "window glass. The town council lent the company 200,000 crowns for a new furnace."
)
CP1252_TEXT = (
    "Tolborough bakery buys a stone oven\n\n"
    "The Tolborough bakery paid \u00a318,500 for a wood-fired stone oven built in Cr\u00e9mieu.\n\n"
    "Its owner, Bess Morrow, said the oven would bake four hundred loaves a day.\n"
)


MakeAssistant = Callable[..., "Assistant"]
"""make_assistant(data_dir, **settings): an Assistant sharing the session's loaded model."""
Cli = Callable[..., subprocess.CompletedProcess[str]]
"""cli(*args, env=None): the `newsdesk` command run as a subprocess."""


@dataclass
class Indexed:
    """The shared, already indexed fixture corpus. Tests using it must not write to it."""

    assistant: Assistant
    report: Any
    corpus: Path
    data_dir: Path

    def source(self, relative: str) -> str:
        """The source key of a fixture file, e.g. source('business/harbour-bank.txt')."""
        return str(self.corpus / relative)


def write_generated_articles(folder: Path) -> None:
    """Add the two fixture articles that are generated, not stored: a PDF (fpdf2) and a
    cp1252-encoded text file whose '\u00a3' must come back as '\u00a3'."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_title(PDF_TITLE)
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, f"{PDF_TITLE}\n\n{PDF_BODY}")
    (folder / "science").mkdir(parents=True, exist_ok=True)
    (folder / "science" / "glassworks.pdf").write_bytes(bytes(pdf.output()))
    (folder / "business").mkdir(parents=True, exist_ok=True)
    (folder / "business" / "bakery-oven.txt").write_bytes(CP1252_TEXT.encode("cp1252"))


def copy_articles(target: Path, generated: bool = True) -> Path:
    """A writable copy of the fixture articles (plus the generated ones) at target."""
    shutil.copytree(ARTICLES, target)
    if generated:
        write_generated_articles(target)
    return target


def run_cli(*args: str | Path, timeout: float = 180, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsdesk` command; output is captured as text."""
    exe = BIN / "newsdesk"
    command = [str(exe) if exe.exists() else "newsdesk", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
        check=False,
    )


def all_chunk_ids(store: IndexStore) -> set[str]:
    """Every chunk id of the catalog (paged through the catalog interface)."""
    found: list[str] = []
    while page := store.catalog.chunk_ids(found[-1] if found else None, 500):
        found.extend(page)
    return set(found)


def index_contents(store: IndexStore) -> dict[str, set[str]]:
    """What each part of an index holds: article ids (catalog rows), chunk ids in the catalog
    and in Chroma, and articles left pending by an interrupted run."""
    return {
        "articles": {a.id for a in store.catalog.list_articles()},
        "chunks": all_chunk_ids(store),
        "vectors": set(store.vectors.collection.get(include=[])["ids"]),
        "pending": {article_id for article_id, _ in store.catalog.pending()},
    }


def assert_consistent(store: IndexStore) -> dict[str, set[str]]:
    """Every article has its chunks in the catalog, its keyword index and Chroma; nothing is
    orphaned; the chunk counter is right."""
    contents = index_contents(store)
    totals = store.catalog.totals()
    assert totals.keyword_rows == totals.chunks == len(contents["chunks"]) == store.catalog.chunk_count()
    assert contents["pending"] == set() and totals.pending == 0
    assert contents["chunks"] == contents["vectors"]
    owners = {chunk_id.rsplit(":", 1)[0] for chunk_id in contents["chunks"]}
    assert owners == contents["articles"] and totals.articles == len(owners)  # no orphans
    return contents


_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
_GLUE = ["the", "a", "of", "in", "and", "to", "said", "was", "by", "on", "for", "with"]


def generated_article(number: int, edition: int = 0) -> str:
    """A distinct fictional article (title line, blank line, body) made of invented words, so
    that no two generated articles look alike (not even as near-duplicates)."""
    import random

    rng = random.Random(number * 1000 + edition)

    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))

    def sentence() -> str:
        words = [word() if rng.random() < 0.7 else rng.choice(_GLUE) for _ in range(rng.randint(8, 14))]
        return " ".join(words).capitalize() + "."

    title = f"Dispatch {number}: " + " ".join(word() for _ in range(4)).title()
    paragraphs = [" ".join(sentence() for _ in range(3)) for _ in range(3)]
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_generated_corpus(folder: Path, numbers: range, edition: int = 0) -> list[Path]:
    """Write generated articles numbered as given into folder/wire/."""
    (folder / "wire").mkdir(parents=True, exist_ok=True)
    paths = []
    for number in numbers:
        path = folder / "wire" / f"dispatch-{number:03d}.txt"
        path.write_text(generated_article(number, edition))
        paths.append(path)
    return paths


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(
    command: list[str], url: str, log: Path, seconds: float = 60, env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen]:
    """Run a server process (output to log) until url answers 200; stop it afterwards.

    The test fails, with the end of the log, if the process exits or does not answer in time.
    """
    import pytest

    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + seconds
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not come up at {url}:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class ChromaServer:
    """A `chroma run` on 127.0.0.1 and a free port, over a folder that outlives restarts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = path.parent / f"{path.name}.log"
        self._context: Any = None

    def start(self) -> ChromaServer:
        """Start it; returns once its heartbeat answers."""
        executable = BIN / "chroma"
        command = [str(executable), "run", "--path", str(self.path), "--port", str(self.port), "--host", "127.0.0.1"]
        self._context = serving(command, f"{self.url}/api/v2/heartbeat", self.log)
        self._context.__enter__()
        return self

    def stop(self) -> None:
        """Stop it (the data stays in path)."""
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None
