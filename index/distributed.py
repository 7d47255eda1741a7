"""Indexing on a Ray cluster: parse + clean, chunk and embed run in Ray actors, each holding
the embedding model (loaded once per actor); the driver (the `newsdesk index` process)
reads the files' bytes, plans the sync and writes the stores in the usual crash-safe order.

Only the driver needs the input files and the stores: workers receive bytes and articles
and send back articles, chunks and vectors, so a worker node needs Newsdesk installed
(`pip install "newsdesk[ray]"`) but neither the files nor access to Chroma or the catalog.
Work is cut exactly as in one process (index.compute), so the index is the same.
"""

from __future__ import annotations

import logging
import os
import re
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import numpy as np

from index.article import Article
from index.compute import ChunkedText, SourceFile, chunk_articles, length_batches
from index.config import ChunkConfig, EmbeddingConfig, LoaderConfig, RayConfig
from index.embedding import SentenceTransformerEmbedder
from index.errors import IndexingError
from index.loaders import Loaded, parse_file, read_file

log = logging.getLogger(__name__)

LOCAL = "local"
"""--ray local: start a Ray on this machine for the run."""
_ADDRESS = re.compile(r"^(auto|local|ray://[\w.\-]+:\d+|[\w.\-]+:\d+)$")

FileBytes = tuple[str, bytes]
"""A file as a worker gets it: path and content (read, and its links checked, by the driver)."""


class RayUnavailableError(IndexingError):
    """Ray is not installed, or the cluster cannot be reached or fails."""


def check_address(value: str) -> str:
    """A Ray address as `--ray` takes it: local, auto, HOST:PORT or ray://HOST:PORT."""
    if not _ADDRESS.match(value):
        raise ValueError(
            f"{value!r} is not a Ray address: give local, auto, HOST:PORT (a node of the "
            "cluster) or ray://HOST:PORT (Ray Client)"
        )
    return value


class RayWorker:
    """A Ray actor: loads the embedding model once, then parses, chunks and embeds."""

    def __init__(self, embedding: EmbeddingConfig, chunking: ChunkConfig, loading: LoaderConfig, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.embedder = SentenceTransformerEmbedder(embedding)
        self.chunking = chunking
        self.loading = loading

    def ready(self) -> str:
        """Load the model now; returns its key (raises ModelNotFoundError here, not mid-run)."""
        self.embedder.embed(["warm up"])
        return self.embedder.model_key

    def parse(self, files: list[FileBytes]) -> list[list[Loaded]]:
        """The articles of each file, from its bytes."""
        return [list(parse_file(Path(path), data, self.loading)) for path, data in files]

    def chunk(self, articles: list[Article]) -> list[ChunkedText]:
        """Chunks of the articles, with the text to embed."""
        return chunk_articles(articles, self.embedder.count_tokens, self.chunking)

    def embed(self, batches: list[list[str]]) -> list[np.ndarray]:
        """One array of vectors per model batch."""
        return [self.embedder.embed(batch) for batch in batches]


class RayCompute:
    """A Compute over Ray actors; starts (or joins) Ray and its workers on first use."""

    def __init__(
        self, address: str | None, config: RayConfig, embedding: EmbeddingConfig,
        chunking: ChunkConfig, loading: LoaderConfig,
    ) -> None:
        self.address = check_address(address) if address else LOCAL
        self.config = config
        self.embedding = embedding
        self.chunking = chunking
        self.loading = loading
        self._workers: list[Any] = []
        self._started_ray = False

    # --- lifecycle --------------------------------------------------------------------
    @property
    def workers(self) -> list[Any]:
        """The actor handles, started on first use."""
        if not self._workers:
            self._start()
        return self._workers

    def _start(self) -> None:
        ray = _import_ray()
        if ray.is_initialized():
            log.info("using the Ray this process already joined")
        else:
            options: dict[str, Any] = {
                "include_dashboard": False, "configure_logging": False,
                "log_to_driver": log.isEnabledFor(logging.INFO),
            }
            try:
                if self.address == LOCAL:
                    ray.init(num_cpus=self.config.num_cpus or os.cpu_count(), **options)
                else:
                    ray.init(address=self.address, **options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise RayUnavailableError(f"cannot join the Ray cluster at {self.address}: {error}") from error
            self._started_ray = True
        per_worker = self.config.cpus_per_worker
        free = int(ray.available_resources().get("CPU", 0))
        count = self.config.workers or max(1, free // per_worker)
        if count * per_worker > free:  # the workers would wait for CPUs forever
            raise RayUnavailableError(
                f"{count} Ray worker(s) of {per_worker} CPU(s) each need {count * per_worker} free "
                f"CPUs; the cluster has {free}: lower --ray-workers, or add nodes"
            )
        actor = ray.remote(RayWorker).options(num_cpus=per_worker, scheduling_strategy="SPREAD", max_restarts=0)
        self._workers = [actor.remote(self.embedding, self.chunking, self.loading, per_worker) for _ in range(count)]
        keys = set(self._get([w.ready.remote() for w in self._workers], timeout=self.config.start_timeout_s))
        log.info("%d Ray worker(s) ready, model %s", count, ", ".join(keys))

    def close(self) -> None:
        """Stop the workers, and the local Ray if this object started it."""
        if not (self._workers or self._started_ray):
            return
        ray = _import_ray()
        for worker in self._workers:
            ray.kill(worker)
        self._workers = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def __enter__(self) -> RayCompute:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- the Compute interface --------------------------------------------------------
    def load(self, files: Sequence[SourceFile]) -> Iterator[list[Loaded]]:
        """Read files here, parse them on the workers; a few calls run ahead of the caller."""
        if not files:
            return
        workers = self.workers
        step = self.config.files_per_task
        groups = [files[start : start + step] for start in range(0, len(files), step)]
        window: deque[tuple[list[list[Loaded] | None], Any]] = deque()
        for number, group in enumerate(groups):
            window.append(self._submit_parse(group, workers[number % len(workers)]))
            if len(window) > 2 * len(workers):
                yield from self._parsed(*window.popleft())
        while window:
            yield from self._parsed(*window.popleft())

    def chunk(self, articles: Sequence[Article]) -> list[ChunkedText]:
        """Articles split over the workers in contiguous runs of about equal text."""
        if not articles:
            return []
        workers = self.workers
        parts = _contiguous_parts([len(a.body) for a in articles], len(workers))
        refs = [w.chunk.remote(list(articles[a:b])) for w, (a, b) in zip(workers, parts, strict=False) if b > a]
        return [item for part in self._get(refs) for item in part]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The shared length-sorted batches, dealt round-robin to the workers."""
        batches = length_batches(texts, self.embedding.batch_size)
        if not batches:
            return np.zeros((0, 1), dtype=np.float32)
        workers = self.workers
        dealt = [batches[n :: len(workers)] for n in range(len(workers))]
        refs = [w.embed.remote([[texts[i] for i in b] for b in own]) for w, own in zip(workers, dealt, strict=True) if own]
        vectors: np.ndarray | None = None
        for own, arrays in zip(dealt, self._get(refs), strict=False):
            for batch, rows in zip(own, arrays, strict=True):
                if vectors is None:
                    vectors = np.zeros((len(texts), rows.shape[1]), dtype=np.float32)
                vectors[batch] = rows
        assert vectors is not None
        return vectors

    # --- internals --------------------------------------------------------------------
    def _submit_parse(self, group: Sequence[SourceFile], worker: Any) -> tuple[list[list[Loaded] | None], Any]:
        """Read a group of files; skips are final here, the rest go to a worker."""
        done: list[list[Loaded] | None] = []
        payload: list[FileBytes] = []
        for path, root in group:
            data = read_file(path, self.loading, root)
            if isinstance(data, bytes):
                payload.append((str(path), data))
                done.append(None)
            else:
                done.append([data])
        return done, worker.parse.remote(payload) if payload else None

    def _parsed(self, done: list[list[Loaded] | None], ref: Any) -> Iterator[list[Loaded]]:
        parsed = iter(self._get([ref])[0]) if ref is not None else iter(())
        for items in done:
            yield items if items is not None else next(parsed)

    @staticmethod
    def _get(refs: list[Any], timeout: float | None = None) -> list[Any]:
        """ray.get, with a worker's failure as one line (an IndexingError it raised as is)."""
        ray = _import_ray()
        try:
            return list(ray.get(refs, timeout=timeout))
        except ray.exceptions.GetTimeoutError as error:
            raise RayUnavailableError(
                f"the Ray workers did not start within {timeout:g} s (model loading, or nodes "
                "without Newsdesk installed: pip install 'newsdesk[ray]' on every node)"
            ) from error
        except ray.exceptions.RayError as error:
            cause = getattr(error, "cause", None)
            if isinstance(cause, IndexingError):
                raise cause from error
            reason = f"{type(cause).__name__}: {cause}" if cause is not None else str(error).splitlines()[0]
            raise RayUnavailableError(f"a Ray worker failed: {reason}") from error


def _contiguous_parts(sizes: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """[start, end) runs of about equal total size, in order, e.g. [4, 4, 1, 1, 2] in 2 ->
    [(0, 2), (2, 5)]; fewer runs when there are fewer items."""
    total = sum(sizes) or 1
    bounds: list[tuple[int, int]] = []
    running = start = 0
    for index, size in enumerate(sizes):
        running += size
        if running * parts >= total * (len(bounds) + 1) and len(bounds) < parts - 1:
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(sizes)))
    return [b for b in bounds if b[1] > b[0]]


def _import_ray() -> ModuleType:
    try:
        import ray
    except ImportError as error:
        raise RayUnavailableError(
            "indexing on Ray needs the ray extra: pip install 'newsdesk[ray]'"
        ) from error
    return ray
