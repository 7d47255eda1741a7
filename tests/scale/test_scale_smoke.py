"""The cost-growth benchmark (bench/scale.py) end to end on a tiny archive: 20 BBC articles at
1x and 3x, the real model at 1x, reused vectors at 3x, embedded stores. The 10x/100x runs are
made by hand (docs/BENCHMARKS.md, "Cost growth")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.shared]

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_scale_benchmark_smoke(shared_dir: Path, tmp_path: Path) -> None:
    figures, picture = tmp_path / "scale.json", tmp_path / "scale.png"
    done = subprocess.run(
        [sys.executable, str(BENCH / "scale.py"), "--smoke", "--backend", "embedded", "--workdir", str(tmp_path / "work"),
         "--json", str(figures), "--plot", str(picture)],
        capture_output=True, text=True, timeout=900, check=False, env={**os.environ, "PYTHONPATH": str(BENCH.parent)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    small, big = json.loads(figures.read_text())["rows"]
    assert (small["multiple"], small["files"], big["multiple"], big["files"]) == (1, 20, 3, 60)
    assert small["vectors"] == "model" and big["vectors"].endswith("perturbed")
    first = big["index"]["first"]
    assert first["duplicates_by_part"]["gen"] == 0  # generated articles are all distinct
    assert first["added"] + first["exact_duplicates"] + first["near_duplicates"] == 60
    assert big["index"]["stats"]["articles"] == first["added"]
    unchanged = big["index"]["unchanged"]
    assert (unchanged["unchanged"], unchanged["added"], unchanged["chunks_embedded"]) == (60, 0, 0)
    assert big["index"]["add_10"]["added"] == 10 and big["index"]["remove_10"]["removed"] == 10
    for row in (small, big):
        assert row["serve"]["asks"] > 0 and row["serve"]["ask_p95_ms"] >= row["serve"]["ask_p50_ms"] > 0
        assert row["serve"]["hit_at_5"] >= 0.9  # the gold articles come first in the 20 picked
        assert row["disk_mib"] > 0 and row["index"]["peak_rss_mib"] > 100
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| 3x (60 files) | embedded |" in done.stdout
    assert "embedded 3x: re-index unchanged <= 20 s" in done.stdout and "targets met:" in done.stdout
