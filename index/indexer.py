"""Sync files, folders, page URLs and feeds into the index: add new, replace changed, drop
vanished, skip unchanged, remember exact and near duplicates as aliases. A file whose stamp
(size and times, index.stamps) is the one recorded when it was last read is not read again;
any other file is read and its content hash decides.

Write order per batch: mark pending and drop old chunks -> add vectors -> add chunk rows ->
write article rows (last). A run killed anywhere leaves either the old article, or a
pending mark that the next run repairs.

Reading, chunking and embedding go through a Compute (index.compute): this process by
default, or the workers of a Ray cluster (index.distributed); planning and writing stay here,
so both give the same index.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.article import Article
from index.chunking import Chunk, text_to_embed
from index.compute import Compute, LocalCompute, SourceFile
from index.config import FetchConfig, LoaderConfig, NearDuplicateConfig
from index.feeds import Unchanged, WebRound
from index.fetch import is_url
from index.loaders import discover, is_not_article, load_path
from index.memory import release_free_memory
from index.neardup import NearDuplicates
from index.report import Duplicate, IndexReport, Skipped
from index.stamps import file_stamp, reader_digest, stamps_by_file, unchanged_sources
from index.store import IndexStore
from index.vectorstore import published_number

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
"""Called as progress(files_done, files_total, current_source)."""

BATCH_CHUNKS = 512  # chunks embedded per flush: big enough for efficient batches


@dataclass
class _Batch:
    articles: list[Article] = field(default_factory=list)
    replacing: set[str] = field(default_factory=set)  # article ids being updated
    body_hashes: dict[str, Article] = field(default_factory=dict)
    stamps: dict[str, str] = field(default_factory=dict)  # source -> its file's stamp

    def __len__(self) -> int:
        return len(self.articles)


class Indexer:
    """One writer at a time (the catalog's writer lock: a lock file, or an advisory lock)."""

    def __init__(
        self, store: IndexStore, loading: LoaderConfig, lock_timeout: float = 2.0,
        fetching: FetchConfig | None = None, near_duplicates: NearDuplicateConfig | None = None,
        compute: Compute | None = None,
    ) -> None:
        self.store = store
        self.loading = loading
        self.compute = compute or LocalCompute(store.embedder, store.chunking, loading, store.embedding.batch_size)
        self.fetching = fetching or FetchConfig()
        near = near_duplicates or NearDuplicateConfig()
        self.near = NearDuplicates(store.catalog, near) if near.enabled else None
        self.lock_timeout = lock_timeout
        self.reader = reader_digest(loading)

    def index(
        self, inputs: Iterable[str | Path], progress: Progress | None = None,
        feeds: Iterable[str] = (), stop: threading.Event | None = None,
    ) -> IndexReport:
        """Index files, folders and URLs; folders are synced (vanished files removed).

        A URL is read as a page or, when the response is RSS/Atom, as a feed; feeds= are read
        as feeds. When stop is set, the run finishes the article at hand, writes what it
        has and returns early (folders are then not pruned).
        """
        started = time.perf_counter()
        inputs = list(inputs)
        feed_urls = list(dict.fromkeys(str(f) for f in feeds))
        urls = list(dict.fromkeys([str(i) for i in inputs if is_url(i)] + feed_urls))
        with self._locked():
            report = IndexReport()
            self._repair()
            self._restore_vectors(report)
            if self.near:
                self.near.prepare()
            files, roots = self._expand([i for i in inputs if not is_url(i)], report)
            seen: set[str] = set()
            files, stamps = self._skip_unchanged(files, roots, report, seen)
            web = WebRound(self.store.catalog, self.fetching, self.loading) if urls else None
            loaded = (
                (str(path), items, stamps[str(path)])
                for (path, _), items in zip(files, self.compute.load(files), strict=False)
            )
            fetched = ((url, web.read(url, feed=url in feed_urls or None), None) for url in urls)  # type: ignore[union-attr]
            total = len(files) + len(urls)
            batch = _Batch()
            stopped = False
            try:
                for done, (label, items, stamp) in enumerate(itertools.chain(loaded, fetched), start=1):
                    planned: list[str] = []  # the sources read from this file
                    whole = True  # no part of it skipped (a skip is reported again next run)
                    for item in items:
                        if isinstance(item, Skipped):
                            whole = False
                            report.skipped.append(item)
                            seen.add(item.source)
                            seen.update(s for _, s in self.store.catalog.sources_under(item.source + "#"))
                        elif isinstance(item, Unchanged):
                            report.unchanged.append(item.source)
                        elif item.source_key in seen:  # e.g. a page given and also in a feed
                            log.info("%s: already indexed in this run", item.source_key)
                        else:
                            seen.add(item.source_key)
                            self._plan(item, batch, report)
                            planned.append(item.source_key)
                        if stop is not None and stop.is_set():
                            stopped = True
                            break
                    if stamp and whole and not stopped:
                        batch.stamps.update(dict.fromkeys(planned, stamp))
                    if sum(len(a.body) for a in batch.articles) > BATCH_CHUNKS * 900:
                        self._flush(batch, report)
                        batch = _Batch()
                    if progress:
                        progress(done, total, label)
                    if stopped:
                        log.warning("stop requested: writing what is planned, then stopping")
                        break
                self._flush(batch, report)
                report.seconds = time.perf_counter() - started
                if web:
                    web.commit(report.summary())
            finally:
                if web:
                    web.close()
            if not stopped:
                for root in roots:
                    self._remove_vanished(root, seen, report)
        if report.chunks_embedded or report.vectors_restored:
            release_free_memory()  # the embedded batches' pages, kept by glibc for reuse
        report.seconds = time.perf_counter() - started
        return report

    def remove(self, keys: Iterable[str]) -> IndexReport:
        """Remove articles or aliases by id or source key (a folder path removes all under it)."""
        report = IndexReport()
        catalog = self.store.catalog
        with self._locked():
            for key in keys:
                # a path may be relative, and a folder may be gone from disk already
                local = key if is_url(key) else str(Path(key).expanduser().resolve())
                targets = [] if is_url(key) else catalog.sources_under(local + os.sep)
                targets = targets or self._removal_targets(key) or self._removal_targets(local)
                if not targets:
                    report.skipped.append(Skipped(source=key, reason="not in the index"))
                    continue
                for kind, source in targets:
                    self._remove_source(kind, source, report)
        return report

    def _removal_targets(self, key: str) -> list[tuple[str, str]]:
        """(kind, source) for an article id or the source key of an article or alias."""
        state = self.store.catalog.source_state(key)
        if state:
            return [(state[0], key)]
        row = self.store.catalog.get_article(key)
        return [("article", row.source)] if row else []

    # --- planning ---------------------------------------------------------------------
    def _skip_unchanged(
        self, files: list[SourceFile], roots: list[Path], report: IndexReport, seen: set[str],
    ) -> tuple[list[SourceFile], dict[str, str | None]]:
        """The files to read, with the stamp each has now (taken before it is read). A file
        whose stamp is recorded on every article and alias read from it is reported unchanged
        and not read: one catalog query per folder, one stat per file."""
        catalog = self.store.catalog
        recorded: dict[str, str | None] = {}
        for root in roots:
            recorded.update(catalog.file_stamps(str(root) + os.sep))
        for path, folder in files:
            if folder is None:  # a file given by itself
                recorded.update(catalog.file_stamps(str(path)))
        by_file = stamps_by_file((str(path) for path, _ in files), recorded)
        to_read: list[SourceFile] = []
        stamps: dict[str, str | None] = {}
        for path, folder in files:
            stamp = file_stamp(path, self.reader)
            sources = unchanged_sources(stamp, by_file.get(str(path)))
            if sources:
                report.unchanged.extend(sources)
                seen.update(sources)
            else:
                to_read.append((path, folder))
                stamps[str(path)] = stamp
        return to_read, stamps

    def _expand(self, inputs: Iterable[str | Path], report: IndexReport) -> tuple[list[tuple[Path, Path | None]], list[Path]]:
        """(file, the folder it was found in) to load, and the folders to sync."""
        files: list[tuple[Path, Path | None]] = []
        roots: list[Path] = []
        for raw in inputs:
            path = Path(raw).expanduser()
            try:
                path = path.resolve()
                if path.is_dir():
                    roots.append(path)
                    for found in discover(path):
                        if is_not_article(found):
                            report.skipped.append(Skipped(source=str(found), reason="README/LICENSE file, not an article"))
                        else:
                            files.append((found, path))
                elif path.is_file():
                    files.append((path, None))
                else:
                    report.skipped.append(Skipped(source=str(raw), reason="no such file or folder"))
            except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop (3.11)
                report.skipped.append(Skipped(source=str(raw), reason=f"unreadable: {error}"))
        return files, roots

    def _plan(self, article: Article, batch: _Batch, report: IndexReport) -> None:
        catalog = self.store.catalog
        state = catalog.source_state(article.source_key)
        if state and state[1] == article.content_hash:
            report.unchanged.append(article.source_key)
            return
        original = batch.body_hashes.get(article.body_hash)
        existing = catalog.article_with_body(article.body_hash)
        if original is None and existing and existing[1] != article.source_key:
            original_source, original_id = existing[1], existing[0]
        elif original is not None and original.source_key != article.source_key:
            original_source, original_id = original.source_key, original.article_id
        else:
            original_source, original_id = None, None
        similarity = 1.0
        if not original_source and self.near:
            match = self.near.find(article)
            if match:
                original_source, original_id, similarity = match.source, match.article_id, match.similarity
        if original_source and original_id:
            if state and state[0] == "article":
                self._remove_source("article", article.source_key, IndexReport())
            catalog.add_alias(article.source_key, original_id, article.content_hash)
            if self.near:
                self.near.remember(article, original_id, similarity)
            report.duplicates.append(
                Duplicate(source=article.source_key, duplicate_of=original_source, similarity=similarity)
            )
            return
        if state and state[0] == "alias":
            catalog.remove_alias(article.source_key)
            if self.near:
                self.near.forget(article.source_key)
        if state and state[0] == "article":
            batch.replacing.add(article.article_id)
            report.updated.append(article.source_key)
        else:
            report.added.append(article.source_key)
        batch.articles.append(article)
        batch.body_hashes[article.body_hash] = article
        if self.near:
            self.near.add(article)

    # --- writing ----------------------------------------------------------------------
    def _flush(self, batch: _Batch, report: IndexReport) -> None:
        """Write the batch's articles, then the stamps of the files fully read into it."""
        if batch.articles:
            self._write(batch, report)
        if batch.stamps:
            self.store.catalog.set_file_stamps(sorted(batch.stamps.items()))

    def _write(self, batch: _Batch, report: IndexReport) -> None:
        store, catalog = self.store, self.store.catalog
        ids = [a.article_id for a in batch.articles]
        # aliases of an article whose body changed are no longer duplicates of it
        stale_aliases = [s for i in batch.replacing for s in catalog.aliases_of(i)]
        catalog.begin_articles(ids)
        store.vectors.delete_articles([i for i in ids if i in batch.replacing])
        chunked = self.compute.chunk(batch.articles)
        chunks = [chunk for chunk, _ in chunked]
        vectors = self._embed([text for _, text in chunked], report)
        by_id = {a.article_id: a for a in batch.articles}
        metadata = [_chunk_metadata(by_id[c.article_id]) for c in chunks]
        store.vectors.add(chunks, vectors, metadata)
        catalog.add_chunks(chunks, {a.article_id: a.title for a in batch.articles})
        catalog.finish_articles(batch.articles)
        if self.near:
            self.near.settle()
        for source in stale_aliases:
            catalog.remove_alias(source)
            self._reload(source, report)

    def _embed(self, texts: list[str], report: IndexReport) -> np.ndarray:
        """Embed texts, reusing vectors cached by content hash (unchanged chunks stay free)."""
        prefix = self.store.cache_key_prefix()
        keys = [hashlib.sha1(f"{prefix}\x1f{t}".encode()).hexdigest() for t in texts]
        cached = self.store.catalog.cached_vectors(keys)
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items())
        if missing:
            fresh = self.compute.embed([t for _, t in missing])
            new = dict(zip((k for k, _ in missing), fresh, strict=True))
            self.store.catalog.cache_vectors(new.items())
            cached.update(new)
            report.chunks_embedded += len(missing)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([cached[k] for k in keys])

    def _reload(self, source: str, report: IndexReport) -> None:
        """Index a former alias on its own (its original changed or vanished)."""
        record = self.near.record(source) if self.near else None
        if self.near:
            self.near.forget(source)
        if record is not None and is_url(source):  # a web copy: no need to fetch it again
            batch = _Batch()
            self._plan(record, batch, report)
            self._flush(batch, report)
            return
        path = Path(source)
        if not path.is_file():  # a record of a JSON file: 'path#n' ('#' may be in a file name)
            path = Path(source.rsplit("#", 1)[0])
        if not path.is_file():
            report.removed.append(source)
            return
        batch = _Batch()
        for item in load_path(path, self.loading):
            if isinstance(item, Article) and item.source_key == source:
                self._plan(item, batch, report)
        self._flush(batch, report)

    def _remove_vanished(self, root: Path, seen: set[str], report: IndexReport) -> None:
        for kind, source in self.store.catalog.sources_under(str(root) + os.sep):
            if source not in seen:
                self._remove_source(kind, source, report)

    def _remove_source(self, kind: str, source: str, report: IndexReport) -> None:
        catalog = self.store.catalog
        if kind == "alias":
            catalog.remove_alias(source)
            if self.near:
                self.near.forget(source)
            report.removed.append(source)
            return
        row = catalog.get_article(source)
        if row is None:
            return
        self.store.vectors.delete_articles([row.id])
        catalog.remove_articles([row.id])
        if self.near:
            self.near.discard(row.id)
        report.removed.append(source)
        for alias in row.aliases:  # a duplicate outlives its original: index it on its own
            self._reload(alias, report)

    def _repair(self) -> None:
        """Finish what a killed run left: drop orphan chunks, force re-index of partial ones."""
        pending = self.store.catalog.pending()
        if not pending:
            return
        log.warning("repairing %d article(s) left half-written by an interrupted run", len(pending))
        orphans = [i for i, has_row in pending if not has_row]
        partial = [i for i, has_row in pending if has_row]
        self.store.vectors.delete_articles(orphans + partial)
        self.store.catalog.remove_articles(orphans)
        self.store.catalog.invalidate(partial)

    def _restore_vectors(self, report: IndexReport) -> None:
        """Re-embed chunks whose vectors the collection lost (e.g. another index's rebuild
        deleted a shared collection); their texts are rebuilt from the catalog."""
        agreement = self.store.vector_agreement()
        if not agreement.missing:
            return
        missing = self.store.missing_vectors()
        if not missing:
            return
        log.warning("%d chunks have no vector: re-embedding them", len(missing))
        catalog = self.store.catalog
        owners: dict[str, list[str]] = {}
        for chunk_id in missing:
            owners.setdefault(chunk_id.rsplit(":", 1)[0], []).append(chunk_id)
        rows = catalog.get_chunks(missing)
        articles = catalog.get_articles(owners)
        chunks: list[Chunk] = []
        texts: list[str] = []
        metadata: list[dict[str, object]] = []
        for article_id in owners:
            row = articles.get(article_id)
            if row is None:
                continue
            article = Article(source_key=row.source, title=row.title, body=row.body, outlet=row.outlet,
                              url=row.url, author=row.author, published=row.published, topic=row.topic)
            for chunk_id in owners[article_id]:
                span = rows[chunk_id]
                chunk = Chunk(article_id, span.ordinal, span.start, span.end, row.body[span.start : span.end])
                chunks.append(chunk)
                texts.append(text_to_embed(article, chunk))
                metadata.append(_chunk_metadata(article))
        for start in range(0, len(chunks), BATCH_CHUNKS):
            part = slice(start, start + BATCH_CHUNKS)
            self.store.vectors.add(chunks[part], self._embed(texts[part], report), metadata[part])
        report.vectors_restored = len(chunks)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self.store.catalog.writer_lock(self.lock_timeout):
            yield


def _chunk_metadata(article: Article) -> dict[str, object]:
    return {
        "article_id": article.article_id,
        "outlet": (article.outlet or "").lower(),
        "topic": (article.topic or "").lower(),
        "published": published_number(article.published),
    }
