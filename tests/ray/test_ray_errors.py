"""What goes wrong on a Ray cluster is one clear error, raised before anything is written."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from index.config import ChunkConfig, EmbeddingConfig, LoaderConfig, RayConfig
from index.distributed import RayCompute, RayUnavailableError
from index.errors import ModelNotFoundError

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module", autouse=True)
def one_cpu_ray() -> Iterator[None]:
    """A real local Ray with 1 CPU, which RayCompute joins (and leaves running)."""
    import ray

    ray.init(num_cpus=1, include_dashboard=False, configure_logging=False, log_to_driver=False)
    yield
    ray.shutdown()


def compute(workers: int, model: str = "all-MiniLM-L6-v2") -> RayCompute:
    return RayCompute("local", RayConfig(workers=workers), EmbeddingConfig(model=model), ChunkConfig(), LoaderConfig())


def test_more_workers_than_free_cpus() -> None:
    two = compute(workers=2)
    with pytest.raises(RayUnavailableError, match=r"^2 Ray worker\(s\) of 1 CPU\(s\) each need 2 free CPUs; the cluster has 1: lower --ray-workers, or add nodes$"):
        two.embed(["a chunk"])
    two.close()


def test_a_model_the_workers_cannot_load() -> None:
    broken = compute(workers=1, model="no-such-model-here")
    try:
        with pytest.raises(ModelNotFoundError, match=r"^embedding model 'no-such-model-here' is not available offline"):
            broken.embed(["a chunk"])
    finally:
        broken.close()
    import ray

    assert ray.is_initialized()  # a Ray this process started itself is left running
    deadline = time.monotonic() + 20  # ray.kill is asynchronous
    while ray.available_resources().get("CPU", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray.available_resources().get("CPU", 0) == 1  # the failed worker gave its CPU back
