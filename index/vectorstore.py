"""The Chroma collection of chunk vectors: embedded (PersistentClient) or a Chroma server."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.catalog import Filters
from index.chunking import Chunk
from index.errors import IndexingError, VectorStoreUnavailableError

log = logging.getLogger(__name__)

_MAX_BATCH = 4000  # below Chroma's max batch size on every backend


_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


def settings_digest(model_key: str, max_tokens: int, overlap: int) -> str:
    """Hash of what shapes the vectors: vectors of different models or chunkings never mix."""
    return hashlib.sha1(f"{model_key}|{max_tokens}|{overlap}".encode()).hexdigest()[:12]


def legacy_collection_name(model_key: str, max_tokens: int, overlap: int) -> str:
    """The name Newsdesk 0.1 gave every index of these settings (shared by all data dirs)."""
    return f"newsdesk_{settings_digest(model_key, max_tokens, overlap)}"


def collection_name(index_id: str, model_key: str, max_tokens: int, overlap: int) -> str:
    """The collection of one index: its own id, then the settings hash, e.g.
    newsdesk_3f9c2a1b7d4e_5e0b1c2d3a4f."""
    return f"newsdesk_{index_id}_{settings_digest(model_key, max_tokens, overlap)}"


def check_collection_name(name: str) -> str:
    """name, if Chroma accepts it as a collection name (3-512 of [A-Za-z0-9._-])."""
    if not _COLLECTION_NAME.match(name) or ".." in name:
        raise IndexingError(
            f"{name!r} is not a valid Chroma collection name: 3-512 letters, digits, '.', '_' "
            "or '-', starting and ending with a letter or digit"
        )
    return name


def published_number(value: object) -> int:
    """A date as an int Chroma can range-filter (e.g. 2005-03-01 -> 20050301); 0 if none."""
    return int(value.strftime("%Y%m%d")) if value else 0  # type: ignore[attr-defined]


class ChromaStore:
    """Add, delete and query chunk vectors; metadata carries what filters need."""

    def __init__(self, path: Path | None, url: str | None, name: str, metadata: dict[str, str]) -> None:
        import chromadb

        self.url = url
        self.name = name
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
        with self._reachable():
            self.collection = self.client.get_or_create_collection(
                name, metadata={**metadata, "hnsw:space": "cosine"}, embedding_function=None
            )

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A Chroma server that went away (down, restarting) becomes one clear error."""
        if not self.url:
            yield
            return
        import httpx

        try:
            yield
        except (httpx.TransportError, ConnectionError) as error:
            raise VectorStoreUnavailableError(
                f"cannot reach the Chroma server at {self.url} ({type(error).__name__}); "
                "answers resume when it is back"
            ) from error

    def delete_collection(self) -> None:
        """Delete this whole collection (only for a collection of this index's own)."""
        with self._reachable():
            self.client.delete_collection(self.name)

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Remove these chunk vectors (in a shared collection: only this index's own)."""
        with self._reachable():
            for start in range(0, len(chunk_ids), 1000):
                self.collection.delete(ids=list(chunk_ids[start : start + 1000]))

    def count(self) -> int:
        """Number of stored chunk vectors (of every index, in a shared collection)."""
        with self._reachable():
            return self.collection.count()

    def existing(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of these chunk ids have a vector."""
        found: set[str] = set()
        with self._reachable():
            for start in range(0, len(chunk_ids), 1000):
                found.update(self.collection.get(ids=list(chunk_ids[start : start + 1000]), include=[])["ids"])
        return found

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Remove every chunk of these articles."""
        with self._reachable():
            for start in range(0, len(article_ids), 500):
                part = list(article_ids[start : start + 500])
                self.collection.delete(where={"article_id": {"$in": part}})

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, metadata: Sequence[dict[str, object]]) -> None:
        """Store chunks with their vectors and filter metadata."""
        with self._reachable():
            for start in range(0, len(chunks), _MAX_BATCH):
                end = start + _MAX_BATCH
                self.collection.upsert(
                    ids=[c.chunk_id for c in chunks[start:end]],
                    embeddings=vectors[start:end],
                    documents=[c.text for c in chunks[start:end]],
                    metadatas=list(metadata[start:end]),
                )

    def query(self, vector: np.ndarray, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks, best first."""
        with self._reachable():  # Chroma returns fewer when it holds fewer (count() would scan)
            result = self.collection.query(
                query_embeddings=[vector], n_results=limit, where=_where(filters), include=["distances"],
            )
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]


def _chroma_settings():  # noqa: ANN202 - chromadb.config.Settings, imported lazily
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


def _http_client(url: str) -> Any:  # chromadb ClientAPI, imported lazily
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
