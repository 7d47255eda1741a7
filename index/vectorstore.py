"""The Chroma collection of chunk vectors: embedded (PersistentClient) or a Chroma server."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import numpy as np

from index.catalog import Filters
from index.chunking import Chunk
from index.errors import IndexingError, StoreUnavailableError

log = logging.getLogger(__name__)

_MAX_BATCH = 4000  # below Chroma's max batch size on every backend


def collection_name(model_key: str, max_tokens: int, overlap: int) -> str:
    """Index identity: vectors of different models or chunkings never share a collection."""
    digest = hashlib.sha1(f"{model_key}|{max_tokens}|{overlap}".encode()).hexdigest()[:12]
    return f"newsdesk_{digest}"


def published_number(value: object) -> int:
    """A date as an int Chroma can range-filter (e.g. 2005-03-01 -> 20050301); 0 if none."""
    return int(value.strftime("%Y%m%d")) if value else 0  # type: ignore[attr-defined]


class ChromaStore:
    """Add, delete and query chunk vectors; metadata carries what filters need."""

    def __init__(self, path: Path | None, url: str | None, name: str, metadata: dict[str, str]) -> None:
        import chromadb

        self.url = url
        if url:
            try:
                self.client = _http_client(url)
                self.client.heartbeat()
            except Exception as error:
                raise IndexingError(f"cannot reach the Chroma server at {url}: {error}") from error
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        self.collection = self.client.get_or_create_collection(
            name, metadata={**metadata, "hnsw:space": "cosine"}, embedding_function=None
        )

    @staticmethod
    def drop(url: str, name: str) -> None:
        """Delete a collection on a Chroma server, if it exists."""
        client = _http_client(url)
        if name in [c.name for c in client.list_collections()]:
            client.delete_collection(name)

    @staticmethod
    def drop_local(path: Path) -> None:
        """Delete every collection of an embedded Chroma directory through its client: a
        client of this process may hold the files open, so removing them would break it."""
        import chromadb

        if path.is_dir():
            client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
            for collection in client.list_collections():
                client.delete_collection(collection.name)

    def count(self) -> int:
        """Number of stored chunk vectors."""
        with self._answering():
            return self.collection.count()

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Remove every chunk of these articles."""
        for start in range(0, len(article_ids), 500):
            part = list(article_ids[start : start + 500])
            with self._answering():
                self.collection.delete(where={"article_id": {"$in": part}})

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, metadata: Sequence[dict[str, object]]) -> None:
        """Store chunks with their vectors and filter metadata."""
        for start in range(0, len(chunks), _MAX_BATCH):
            end = start + _MAX_BATCH
            with self._answering():
                self.collection.upsert(
                    ids=[c.chunk_id for c in chunks[start:end]],
                    embeddings=vectors[start:end],
                    documents=[c.text for c in chunks[start:end]],
                    metadatas=list(metadata[start:end]),
                )

    def query(self, vector: np.ndarray, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks, best first."""
        total = self.count()
        if total == 0:
            return []
        with self._answering():
            result = self.collection.query(
                query_embeddings=[vector], n_results=min(limit, total), where=_where(filters),
                include=["distances"],
            )
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]


    @contextmanager
    def _answering(self) -> Iterator[None]:
        """A Chroma server that stopped answering mid-call: a one-line StoreUnavailableError.
        (Writes come before the catalog rows, so a re-run repairs what was cut short.)"""
        try:
            yield
        except httpx.TransportError as error:
            raise StoreUnavailableError(
                f"the Chroma server at {self.url} stopped answering ({type(error).__name__}: {error}): "
                "what is indexed is kept; start the server again and re-run to finish"
            ) from error


def _chroma_settings() -> Any:  # chromadb.config.Settings, imported lazily
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


def _http_client(url: str) -> Any:  # chromadb ClientAPI
    """A client of the Chroma server at url (http://host:port)."""
    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    return chromadb.HttpClient(
        host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
        ssl=parsed.scheme == "https", settings=_chroma_settings(),
    )


def _where(filters: Filters) -> dict | None:
    clauses: list[dict] = []
    if filters.outlet:
        clauses.append({"outlet": filters.outlet.lower()})
    if filters.topic:
        clauses.append({"topic": filters.topic.lower()})
    if filters.since:
        clauses.append({"published": {"$gte": published_number(filters.since)}})
    if filters.until:
        clauses.append({"published": {"$lte": published_number(filters.until)}})
        clauses.append({"published": {"$gt": 0}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
