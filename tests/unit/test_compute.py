"""The pure parts shared by the single-process and the Ray indexing paths."""

from __future__ import annotations

import sys

import pytest

from index.compute import length_batches
from index.config import ChunkConfig, EmbeddingConfig, LoaderConfig, RayConfig
from index.distributed import RayCompute, RayUnavailableError, _contiguous_parts, check_address


def test_length_batches_longest_first_ties_in_input_order() -> None:
    assert length_batches(["12345", "123456789", "1234567", "abcdefghi"], 2) == [[1, 3], [2, 0]]
    assert length_batches(["a", "b", "c"], 8) == [[0, 1, 2]]
    assert length_batches([], 8) == []


def test_contiguous_parts_balance_text_and_keep_order() -> None:
    assert _contiguous_parts([4, 4, 1, 1, 2], 2) == [(0, 2), (2, 5)]
    assert _contiguous_parts([10, 1, 1, 1], 3) == [(0, 1), (1, 2), (2, 4)]
    assert _contiguous_parts([5], 4) == [(0, 1)]
    assert _contiguous_parts([3, 3, 3, 3], 4) == [(0, 1), (1, 2), (2, 3), (3, 4)]


@pytest.mark.parametrize("address", ["local", "auto", "10.0.0.5:6379", "head-node:6379", "ray://head.example:10001"])
def test_ray_addresses_accepted(address: str) -> None:
    assert check_address(address) == address


@pytest.mark.parametrize("address", ["articles/", "/srv/news", "http://head:8265", "head"])
def test_a_path_is_not_a_ray_address(address: str) -> None:
    with pytest.raises(ValueError, match=r"is not a Ray address: give local, auto, HOST:PORT \(a node of the cluster\) or ray://HOST:PORT \(Ray Client\)$"):
        check_address(address)


def test_without_the_ray_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    compute = RayCompute(None, RayConfig(), EmbeddingConfig(), ChunkConfig(), LoaderConfig())
    assert compute.chunk([]) == []  # nothing to do starts nothing
    with pytest.raises(RayUnavailableError, match=r"^indexing on Ray needs the ray extra: pip install 'newsdesk\[ray\]'$"):
        compute.embed(["a chunk"])
