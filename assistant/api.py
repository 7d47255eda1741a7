"""The public Python API: Assistant. The CLI and the web UI are thin shells over it."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, InvalidQuestionError
from assistant.extractive import compose, extract, idf_weights, question_stems
from assistant.followup import History, standalone_question
from assistant.langchain_retriever import NewsdeskRetriever
from assistant.retrieval import HybridSearch, article_ref
from assistant.settings import Settings
from assistant.types import ABSTENTION, Answer, ArticleView, Stats
from index import IndexReport
from index.catalog import Filters
from index.embedding import Embedder
from index.indexer import Indexer, Progress
from index.store import CATALOG_FILE, IndexStore

log = logging.getLogger(__name__)

EMPTY_INDEX = (
    "The index is empty: add articles first, e.g. `newsdesk index path/to/articles/` "
    "or the Library tab of the web page."
)


class Assistant:
    """Index articles and answer questions about them, citing the exact sentences.

    Cheap to construct: the index opens and the model loads on first use (or warm_up()).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        llm: str | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        **overrides: Any,
    ) -> None:
        base = settings or Settings()
        if data_dir is not None:
            overrides["data_dir"] = Path(data_dir)
        self.settings = base.model_copy(update=overrides) if overrides else base
        if llm:
            raise ConfigError(
                f"llm={llm!r}: generative answers are not available in this version; "
                "extractive answers need no LLM"
            )
        self._embedder = embedder
        self._store: IndexStore | None = None

    # --- lifecycle --------------------------------------------------------------------
    @property
    def store(self) -> IndexStore:
        """The opened data directory (created if missing)."""
        if self._store is None:
            s = self.settings
            self._store = IndexStore(s.data_dir, s.embedding, s.chunking, s.chroma_url, self._embedder)
        return self._store

    def warm_up(self) -> Assistant:
        """Open the index and load the model now, so the first question is fast."""
        self.store.embedder.embed(["warm up"])
        return self

    # --- write path -------------------------------------------------------------------
    def index(
        self, paths: Iterable[str | Path] | str | Path, progress: Progress | None = None,
        rebuild: bool = False,
    ) -> IndexReport:
        """Index files and folders (folders are synced: vanished files are removed)."""
        if isinstance(paths, str | Path):
            paths = [paths]
        if rebuild:
            self._wipe()
        return Indexer(self.store, self.settings.loading).index(list(paths), progress)

    def remove(self, source_or_id: str | Iterable[str]) -> IndexReport:
        """Remove articles by source key, article id, or folder."""
        keys = [source_or_id] if isinstance(source_or_id, str) else list(source_or_id)
        return Indexer(self.store, self.settings.loading).remove(keys)

    def _wipe(self) -> None:
        """Delete the index of this data directory (for a rebuild with new settings)."""
        data_dir = Path(self.settings.data_dir).expanduser().resolve()
        if self._store is not None:
            self._store.catalog.close()
            self._store = None
        for name in (CATALOG_FILE, CATALOG_FILE + "-wal", CATALOG_FILE + "-shm"):
            (data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(data_dir / "chroma", ignore_errors=True)

    # --- read path --------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, **filters: Any) -> list:
        """Ranked passages for a query (no answer)."""
        return HybridSearch(self.store, self.settings.retrieval).search(query, k, make_filters(**filters))

    def retriever(self, k: int | None = None, **filters: Any) -> NewsdeskRetriever:
        """A LangChain BaseRetriever over the hybrid search."""
        search = HybridSearch(self.store, self.settings.retrieval)
        return NewsdeskRetriever(search=search, k=k or self.settings.retrieval.k, filters=make_filters(**filters))

    def ask(
        self, question: str, history: History = (), k: int | None = None, **filters: Any
    ) -> Answer:
        """Answer a question from the indexed articles; every sentence cites its source.

        filters: outlet=, topic=, since=, until= (dates as date or 'YYYY-MM-DD').
        """
        started = time.perf_counter()
        question = self._check(question)
        standalone = standalone_question(question, history)
        store = self.store
        if store.catalog.counts()["articles"] == 0:
            return Answer(question=question, text=EMPTY_INDEX, abstained=True)
        timings: dict[str, float] = {}
        vector = store.embedder.embed([standalone])[0]
        timings["embed"] = time.perf_counter() - started
        passages = HybridSearch(store, self.settings.retrieval).search(
            standalone, k, make_filters(**filters), query_vector=vector
        )
        timings["retrieve"] = time.perf_counter() - started - timings["embed"]
        stems = question_stems(question)  # carried words help retrieval, not sentence choice
        frequencies, total = store.catalog.document_frequencies(stems)
        extraction = extract(
            question, passages, vector, store.embedder.embed, idf_weights(stems, frequencies, total),
            self.settings.answer,
        )
        text, citations = compose(extraction.chosen)
        if extraction.abstained:
            log.info("abstained on %r: %s", question, extraction.reason)
        timings["answer"] = time.perf_counter() - started - timings["embed"] - timings["retrieve"]
        timings["total"] = time.perf_counter() - started
        return Answer(
            question=question, text=text if not extraction.abstained else ABSTENTION,
            abstained=extraction.abstained, citations=citations, passages=passages,
            standalone_question=standalone if standalone != question else None,
            timings={k: round(v, 4) for k, v in timings.items()},
        )

    def stream(self, question: str, history: History = (), k: int | None = None, **filters: Any) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str), then the complete Answer as the last item."""
        answer = self.ask(question, history, k, **filters)
        pieces = [f"{c.quote} [{c.n}]" for c in answer.citations] or [answer.text]
        for i, piece in enumerate(pieces):
            yield piece if i == 0 else " " + piece
        yield answer

    def _check(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise InvalidQuestionError("the question is empty: ask something about the articles")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise InvalidQuestionError(
                f"the question is {len(question):,} characters long; the limit is {limit:,} "
                "(NEWSDESK_ANSWER__MAX_QUESTION_CHARS)"
            )
        return question

    # --- browsing ---------------------------------------------------------------------
    def article(self, source_or_id: str) -> ArticleView | None:
        """An indexed article in full (by id, source key, or alias source)."""
        row = self.store.catalog.get_article(source_or_id)
        if row is None:
            return None
        return ArticleView(**article_ref(row), body=row.body, author=row.author, indexed_at=row.indexed_at)

    def articles(self, limit: int = 100_000) -> list[ArticleView]:
        """Indexed articles, most recently indexed first."""
        return [
            ArticleView(**article_ref(r), body=r.body, author=r.author, indexed_at=r.indexed_at)
            for r in self.store.catalog.list_articles(limit)
        ]

    def stats(self) -> Stats:
        """Counts of articles, aliases, chunks and vectors; per outlet and topic."""
        store = self.store
        counts = store.catalog.counts()
        return Stats(data_dir=str(store.data_dir), vectors=store.vectors.count(), model=store.embedder.model_key, **counts)


def make_filters(
    outlet: str | None = None, topic: str | None = None,
    since: date | str | None = None, until: date | str | None = None,
) -> Filters:
    """Filters from keyword arguments; dates may be ISO strings."""
    def as_date(value: date | str | None, name: str) -> date | None:
        if value is None or value == "" or isinstance(value, date):
            return value or None
        try:
            return date.fromisoformat(str(value))
        except ValueError as error:
            raise InvalidQuestionError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from error
    return Filters(outlet=outlet or None, topic=topic or None, since=as_date(since, "since"), until=as_date(until, "until"))
