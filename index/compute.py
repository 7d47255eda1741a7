"""Where the CPU-heavy steps of indexing run: parse + clean, chunk, embed.

The Indexer plans (sync, duplicates) and writes (crash-safe order) in one place; it hands
these steps to a Compute: LocalCompute runs them in this process, index.distributed's
RayCompute on the workers of a Ray cluster. Both cut the work the same way (the functions
below), so both give the same chunks and the same vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.article import Article
from index.chunking import Chunk, chunk_article, text_to_embed
from index.config import ChunkConfig, LoaderConfig
from index.embedding import Embedder
from index.loaders import Loaded, load_path

SourceFile = tuple[Path, Path | None]
"""A file to index and the folder being indexed that it was found in (None: given by itself);
a symlink is followed only to a file inside that folder."""
ChunkedText = tuple[Chunk, str]
"""A chunk and the text the model embeds for it (title, outlet and date first)."""


class Compute(Protocol):
    """Runs read -> clean -> chunk -> embed for the Indexer."""

    def load(self, files: Sequence[SourceFile]) -> Iterator[list[Loaded]]:
        """The articles (or skip reasons) of each file, one list per file, in order."""
        ...

    def chunk(self, articles: Sequence[Article]) -> list[ChunkedText]:
        """The chunks of the articles, in article order."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised vector per text, in order."""
        ...

    def close(self) -> None:
        """Release what the compute holds (workers, a cluster it started)."""
        ...


def chunk_articles(
    articles: Sequence[Article], count_tokens: Callable[[list[str]], list[int]], config: ChunkConfig
) -> list[ChunkedText]:
    """Chunks of each article with the text to embed; count_tokens: the model's tokenizer."""
    return [
        (chunk, text_to_embed(article, chunk))
        for article in articles
        for chunk in chunk_article(article, count_tokens, config.max_tokens, config.overlap_sentences)
    ]


def length_batches(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indexes of texts cut into model batches, longest texts first, ties in input order.

    A vector depends a little on the batch it was computed in (padding, and bf16 rounding
    of the matmuls), so every Compute embeds exactly these batches, e.g. lengths
    [5, 9, 7, 9] with batch_size 2 -> [[1, 3], [2, 0]].
    """
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def embed_batches(embedder: Embedder, texts: Sequence[str], batches: Sequence[Sequence[int]]) -> np.ndarray:
    """Embed texts batch by batch; rows come back in the order of texts."""
    vectors: np.ndarray | None = None
    for batch in batches:
        rows = embedder.embed([texts[i] for i in batch])
        if vectors is None:
            vectors = np.zeros((len(texts), rows.shape[1]), dtype=np.float32)
        vectors[list(batch)] = rows
    return vectors if vectors is not None else np.zeros((0, 1), dtype=np.float32)


class LocalCompute:
    """Everything in this process, with the store's embedder."""

    def __init__(self, embedder: Embedder, chunking: ChunkConfig, loading: LoaderConfig, batch_size: int) -> None:
        self.embedder = embedder
        self.chunking = chunking
        self.loading = loading
        self.batch_size = batch_size

    def load(self, files: Sequence[SourceFile]) -> Iterator[list[Loaded]]:
        """Read and parse each file when the Indexer gets to it."""
        for path, root in files:
            yield list(load_path(path, self.loading, root=root))

    def chunk(self, articles: Sequence[Article]) -> list[ChunkedText]:
        """Chunk here."""
        return chunk_articles(articles, self.embedder.count_tokens, self.chunking)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed here, in the shared length-sorted batches."""
        return embed_batches(self.embedder, texts, length_batches(texts, self.batch_size))

    def close(self) -> None:
        """Nothing to release."""
