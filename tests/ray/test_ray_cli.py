"""`newsdesk index … --ray local` starts a local Ray for the run and gives the single-process
result; an address that is no Ray address is a usage error that says which ones are."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Cli, copy_articles

pytestmark = [pytest.mark.integration]


def test_a_path_given_as_the_ray_address_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    done = cli("index", "--ray", str(tmp_path), "--data-dir", tmp_path / "data")
    assert done.returncode == 2
    message = " ".join(done.stderr.replace("│", " ").split())
    assert f"Invalid value for --ray: '{tmp_path}' is not a Ray address" in message
    assert "give local, auto, HOST:PORT (a node of the cluster) or ray://HOST:PORT (Ray Client)" in message
    assert not (tmp_path / "data").exists()  # nothing opened, nothing written


@pytest.mark.slow
@pytest.mark.ray
def test_index_on_a_local_ray_from_the_cli(cli: Cli, tmp_path: Path) -> None:
    corpus = copy_articles(tmp_path / "desk")
    done = cli("index", corpus, "--data-dir", tmp_path / "data", "--ray", "local", "--ray-workers", "1",
               env={"NEWSDESK_RAY__NUM_CPUS": "1"}, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    plain = cli("index", corpus, "--data-dir", tmp_path / "plain")
    counts = done.stdout.split(" (")[0]  # 'added N, ..., skipped N' without the timing
    assert counts == plain.stdout.split(" (")[0] and counts.startswith("added ") and ", skipped 1" in counts
    assert done.stdout.split("\n", 1)[1] == plain.stdout.split("\n", 1)[1]  # the same skipped lines
    asked = cli("ask", "Who was appointed chief executive of the Harbour Bank of Port Elwin?", "--data-dir", tmp_path / "data")
    assert asked.returncode == 0 and "Marta Quill" in asked.stdout
