"""One local Ray cluster (2 CPUs, 2 workers, the model loaded once in each) per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from index.config import ChunkConfig, EmbeddingConfig, LoaderConfig, RayConfig
from index.distributed import LOCAL, RayCompute


@pytest.fixture(scope="module")
def ray_compute() -> Iterator[RayCompute]:
    """Real Ray, started on this machine for the module and shut down after it."""
    compute = RayCompute(LOCAL, RayConfig(num_cpus=2, workers=2), EmbeddingConfig(), ChunkConfig(), LoaderConfig())
    assert len(compute.workers) == 2
    yield compute
    compute.close()
