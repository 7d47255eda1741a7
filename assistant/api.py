"""The public Python API: Assistant. The CLI and the web UI are thin shells over it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answerers.base import Retrieved
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.errors import ConfigError, InvalidQuestionError
from assistant.features import idf_weights
from assistant.followup import History, standalone_question
from assistant.generative.backends import chat_model, describe_error, parse_backend
from assistant.generative.chain import (
    LlmAnswerer,
    build_chain,
    clean_condensed,
    condense_runnable,
    load_prompts,
    merged_passages,
)
from assistant.langchain_retriever import NewsdeskRetriever
from assistant.mentions import MentionTagger
from assistant.query import Query, parse_question
from assistant.retrieval import HybridSearch, article_ref
from assistant.settings import Settings, build_settings
from assistant.timewords import TimeScope, order_by_date
from assistant.types import Answer, ArticleView, Citation, FeedView, Passage, Stats
from assistant.validation import check_history, check_k, check_optional_text, check_question
from index import IndexReport
from index.catalog import ArticleRow, Filters
from index.compute import Compute
from index.embedding import Embedder
from index.indexer import Indexer, Progress
from index.store import IndexStore, wipe_index

log = logging.getLogger(__name__)

NO_LLM = (
    "no language model is configured: pass llm='openai:MODEL' (or ollama:MODEL, "
    "llamacpp:/path/model.gguf), or set NEWSDESK_LLM"
)
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
        llm: str | BaseChatModel | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        **overrides: Any,
    ) -> None:
        if data_dir is not None:
            overrides["data_dir"] = Path(data_dir)
        if isinstance(llm, str):
            overrides["llm"] = llm or None
        self.settings = build_settings(settings, **overrides)  # ConfigError naming a bad one
        self._chat_model = llm if isinstance(llm, BaseChatModel) else None
        if self._chat_model is None and self.settings.llm:
            parse_backend(self.settings.llm)  # a misspelt backend fails now, not at a question
        # the model answers come from (a backend string or the class name), or None: extractive only
        self.llm: str | None = type(llm).__name__ if self._chat_model is not None else self.settings.llm
        # prompts are validated now: a broken template is an error at start, not at a question
        self._prompts = load_prompts(self.settings.prompts_dir) if self.llm else None
        self._model_lock = threading.Lock()
        self._generation_lock = threading.Lock()
        self._store_lock = threading.Lock()  # concurrent first questions open one store, one model
        self._embedder = embedder
        self._store: IndexStore | None = None
        self._extractive: ExtractiveAnswerer | None = None

    # --- lifecycle --------------------------------------------------------------------
    @property
    def store(self) -> IndexStore:
        """The opened data directory (created if missing)."""
        if self._store is None:
            with self._store_lock:
                if self._store is None:
                    s = self.settings
                    self._store = IndexStore(
                        s.data_dir, s.embedding, s.chunking, s.chroma_url, self._embedder,
                        catalog_url=s.catalog_url, collection=s.chroma_collection,
                    )
        return self._store

    @property
    def chat_model(self) -> BaseChatModel:
        """The LangChain chat model of LLM mode, built on first use."""
        if self._chat_model is None:
            if not self.llm:
                raise ConfigError(NO_LLM)
            with self._model_lock:
                if self._chat_model is None:
                    self._chat_model = chat_model(self.llm, self.settings.generation)
        return self._chat_model

    def warm_up(self) -> Assistant:
        """Open the index and load the model now, so the first question is fast."""
        self.store.embedder.embed(["warm up"])
        return self

    # --- write path -------------------------------------------------------------------
    def index(
        self, paths: Iterable[str | Path] | str | Path, progress: Progress | None = None,
        rebuild: bool = False, feeds: Iterable[str] = (), stop: threading.Event | None = None,
        compute: Compute | None = None,
    ) -> IndexReport:
        """Index files, folders and URLs (pages, or RSS/Atom feeds); folders are synced
        (vanished files are removed). feeds: URLs read as feeds. stop: set it to end the run
        after the article at hand (nothing is left half-written). compute: where parsing,
        chunking and embedding run (default: this process; see index.distributed for Ray)."""
        if isinstance(paths, str | Path):
            paths = [paths]
        if rebuild:
            self._wipe()
        return self.indexer(compute).index(list(paths), progress, feeds=feeds, stop=stop)

    def indexer(self, compute: Compute | None = None) -> Indexer:
        """The write path over this data directory, with these settings."""
        s = self.settings
        return Indexer(self.store, s.loading, fetching=s.fetch, near_duplicates=s.near_duplicates, compute=compute)

    def remove(self, source_or_id: str | Iterable[str]) -> IndexReport:
        """Remove articles by source key, article id, or folder."""
        keys = [source_or_id] if isinstance(source_or_id, str) else list(source_or_id)
        return self.indexer().remove(keys)

    def _wipe(self) -> None:
        """Delete the index of this data directory (for a rebuild with new settings)."""
        if self._store is not None:
            self._store.catalog.close()
            self._store = None
        wipe_index(self.settings.data_dir, self.settings.chroma_url, self.settings.catalog_url)

    # --- read path --------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, **filters: Any) -> list[Passage]:
        """Ranked passages for a query (no answer)."""
        query, k = check_question(query, self.settings.answer.max_question_chars), check_k(k)
        return HybridSearch(self.store, self.settings.retrieval).search(query, k, make_filters(**filters))

    def retriever(self, k: int | None = None, **filters: Any) -> NewsdeskRetriever:
        """A LangChain BaseRetriever over the hybrid search."""
        search = HybridSearch(self.store, self.settings.retrieval)
        return NewsdeskRetriever(search=search, k=check_k(k) or self.settings.retrieval.k, filters=make_filters(**filters))

    def chain(self, k: int | None = None, **filters: Any) -> Runnable:
        """The LLM-mode LCEL chain, to compose with your own: input {"question", "history"};
        output a dict with "standalone", "passages", "reply" (streamed) and "answer" (the
        checked Answer). See assistant/generative/chain.py."""
        model, k = self.chat_model, check_k(k)
        search: Runnable = RunnableLambda(
            lambda text: merged_passages(self.retrieve(self.parse(text), k, filters)), name="hybrid_search"
        )
        threshold = self.settings.generation.support_threshold
        prompts = self._prompts or load_prompts(self.settings.prompts_dir)
        return build_chain(model, search, prompts, self.store.embedder.embed, threshold, self.llm or "")

    def ask(
        self, question: str, history: History = (), k: int | None = None, mode: str | None = None,
        **filters: Any,
    ) -> Answer:
        """Answer a question from the indexed articles; every sentence cites its source.

        mode: "llm" or "extractive" (default: "llm" when a language model is configured).
        filters: outlet=, topic=, since=, until= (dates as date or 'YYYY-MM-DD').
        The Answer is the last item of stream(), whichever the mode.
        """
        *_, answer = self.stream(question, history, k, mode, **filters)
        assert isinstance(answer, Answer)
        return answer

    def stream(
        self, question: str, history: History = (), k: int | None = None, mode: str | None = None,
        **filters: Any,
    ) -> Iterator[str | Answer]:
        """Yield the answer text in pieces (str; LLM mode: tokens as the model writes them),
        then the complete Answer as the last item."""
        started = time.perf_counter()
        question, history, k = self._check(question, history, k)
        use_llm = self._use_llm(mode)
        if not self.store.catalog.has_articles():
            yield Answer(question=question, text=EMPTY_INDEX, abstained=True, reason="empty_index",
                         mode="llm" if use_llm else "extractive", model=self.llm if use_llm else None)
            return
        if use_llm:
            yield from self._generate(question, history, k, filters)
            return
        query = self.parse(question, history)
        found = self.retrieve(query, k, filters)
        retrieved = time.perf_counter()
        answer: Answer | None = None
        for item in self.extractive.stream(query, found):
            if isinstance(item, Answer):
                answer = item
            else:
                yield item
        assert answer is not None
        if answer.abstained:
            log.info("abstained on %r: %s", question, answer.reason)
        timings = {"retrieve": retrieved - started, "answer": time.perf_counter() - retrieved,
                   "total": time.perf_counter() - started}
        passages = merged_passages(found) if len(found) > 1 else found[0].passages
        yield answer.model_copy(update={
            "passages": passages, "citations": [_ranked_in(c, passages) for c in answer.citations],
            "standalone_question": query.search_text if query.search_text != question else None,
            "timings": {name: round(v, 4) for name, v in timings.items()},
        })

    @property
    def extractive(self) -> ExtractiveAnswerer:
        """The extractive answerer (no language model), built on first use."""
        if self._extractive is None:
            with self._model_lock:
                if self._extractive is None:
                    self._extractive = ExtractiveAnswerer(
                        self.store.embedder.embed_tokens, self.settings.answer, MentionTagger(self.settings.answer.entities)
                    )
        return self._extractive

    def parse(self, question: str, history: History = ()) -> Query:
        """The question parsed once (words, stems, keyword query, slot, names, time words, parts);
        a follow-up carries the previous question's keywords for retrieval."""
        reference = None
        if self.settings.time.enabled:
            last = self.store.catalog.latest_published()
            reference = last or date.today()
        return parse_question(question, standalone_question(question, history), reference, self.settings.time.events)

    def retrieve(self, query: Query, k: int | None = None, filters: dict[str, Any] | None = None) -> list[Retrieved]:
        """Passages for each part of the question (the whole question when it has one part),
        with their articles' bodies, the part's embedding and the IDF of its words."""
        parts = list(query.parts) or [query]
        texts = list(dict.fromkeys([p.search_text for p in parts] + [p.text for p in parts]))
        embedded = dict(zip(texts, self.store.embedder.embed_tokens(texts), strict=True))
        found = []
        for part in parts:
            passages = self._search_in_time(part, k, filters or {}, embedded[part.search_text].vector)
            bodies = {a: row.body for a, row in self.store.catalog.get_articles({p.article_id for p in passages}).items()}
            frequencies, total = self.store.catalog.document_frequencies(list(part.stems))
            found.append(Retrieved(part, passages, bodies, embedded[part.text], idf_weights(list(part.stems), frequencies, total)))
        return found

    def _search_in_time(self, query: Query, k: int | None, filters: dict[str, Any], vector: Any) -> list[Passage]:
        """Hybrid search with the question's time words applied (a date range and/or order);
        a range that leaves nothing is dropped. Passages carry their story's other copies."""
        scope = query.time if self.settings.time.enabled and not (filters.get("since") or filters.get("until")) else TimeScope()
        search = HybridSearch(self.store, self.settings.retrieval)
        passages = []
        if scope.since or scope.until:
            passages = search.search(query, k, make_filters(**{**filters, "since": scope.since, "until": scope.until}), query_vector=vector)
            if not passages:
                log.info("no article in %s..%s (%r): searching all dates", scope.since, scope.until, scope.phrase)
        if not passages:
            passages = search.search(query, k, make_filters(**filters), query_vector=vector)
        if scope.order:
            passages = [p.model_copy(update={"rank": n}) for n, p in enumerate(order_by_date(passages, scope.order), start=1)]
        copies = self.store.catalog.copies_of({p.article_id for p in passages})
        for passage in passages:
            passage.also_reported_by = list(dict.fromkeys(_copy_label(c) for c in copies.get(passage.article_id, [])))
        return passages

    def _use_llm(self, mode: str | None) -> bool:
        if mode not in (None, "llm", "extractive"):
            raise ConfigError(f"mode={mode!r}: use 'llm' or 'extractive'")
        if mode == "llm" and not self.llm:
            raise ConfigError(NO_LLM)
        return mode == "llm" or (mode is None and bool(self.llm))

    def _generate(self, question: str, history: History, k: int | None, filters: dict[str, Any]) -> Iterator[str | Answer]:
        """LLM mode: stream the model's tokens, then the checked Answer. A failing model
        (server down, timeout, unknown model, context too long) gives the extractive answer
        with Answer.fallback saying why."""
        started = time.perf_counter()
        answer, first_token = None, None
        prompts = self._prompts
        assert prompts is not None  # loaded whenever a model is configured
        # an in-process llama.cpp model serves one request at a time
        exclusive = self._generation_lock if (self.llm or "").startswith("llamacpp:") else nullcontext()
        try:
            with exclusive:
                standalone = question
                if history:
                    condensed = condense_runnable(self.chat_model, prompts[1]).invoke(
                        {"question": question, "history": list(history)})
                    standalone = clean_condensed(condensed, question)
                query = self.parse(standalone)
                found = self.retrieve(query, k, filters)
                answerer = LlmAnswerer(self.chat_model, prompts, self.store.embedder.embed,
                                       self.settings.generation.support_threshold, self.llm or "")
                for item in answerer.stream(query, found, question):
                    if isinstance(item, Answer):
                        answer = item
                    else:
                        first_token = first_token or time.perf_counter() - started
                        yield item
        except Exception as error:  # noqa: BLE001 - whatever the model raised, keep the question
            reason = describe_error(error)
            log.warning("LLM answer failed, answering extractively: %s", reason, exc_info=log.isEnabledFor(logging.DEBUG))
            extractive = self.ask(question, history, k, mode="extractive", **filters)
            yield extractive.model_copy(update={"fallback": f"{reason}; showing the extractive answer instead"})
            return
        if answer is None:
            raise RuntimeError("the LLM chain ended without an answer")
        timings = {"first_token": first_token or 0.0, "total": time.perf_counter() - started}
        yield answer.model_copy(update={"timings": {k: round(v, 4) for k, v in timings.items()}})

    def _check(self, question: str, history: History, k: int | None) -> tuple[str, History, int | None]:
        """The question stripped, the history and k, validated (InvalidQuestionError if not)."""
        return check_question(question, self.settings.answer.max_question_chars), check_history(history), check_k(k)

    # --- browsing ---------------------------------------------------------------------
    def article(self, source_or_id: str) -> ArticleView | None:
        """An indexed article in full (by id, source key, or alias source)."""
        row = self.store.catalog.get_article(source_or_id)
        return _article_view(row) if row is not None else None

    def articles(self, limit: int = 100_000) -> list[ArticleView]:
        """Indexed articles, most recently indexed first."""
        return [_article_view(r) for r in self.store.catalog.list_articles(limit)]

    def feeds(self) -> list[FeedView]:
        """Feeds indexed into this data directory, with their last round, latest first."""
        return [FeedView(**vars(f)) for f in self.store.catalog.feed_statuses()]

    def stats(self) -> Stats:
        """Counts of articles, aliases, chunks and vectors; per outlet and topic; whether
        every chunk has its vector."""
        store = self.store
        counts = store.catalog.counts()
        agreement = store.vector_agreement()
        return Stats(
            data_dir=str(store.data_dir), vectors=agreement.vectors, vectors_missing=agreement.missing,
            warning=agreement.warning, model=store.embedder.model_key, **counts,
        )


def _ranked_in(citation: Citation, passages: list[Passage]) -> Citation:
    """The citation with the rank of the passage (of these) that holds its quote."""
    for passage in passages:
        if passage.article_id == citation.article_id and passage.start <= citation.start and citation.end <= passage.end:
            return citation.model_copy(update={"passage_rank": passage.rank}) if passage.rank != citation.passage_rank else citation
    return citation


def _article_view(row: ArticleRow) -> ArticleView:
    """An article of the catalog as the API shows it."""
    return ArticleView(**article_ref(row), body=row.body, author=row.author, indexed_at=row.indexed_at)


def _copy_label(copy: Any) -> str:
    """How a copy of a story is named in "also reported by": outlet, else site, else file."""
    if copy.outlet:
        return copy.outlet
    if copy.url:
        return urlsplit(copy.url).netloc or copy.url
    return Path(copy.source).name if not copy.source.startswith(("http://", "https://")) else copy.source


def make_filters(
    outlet: str | None = None, topic: str | None = None,
    since: date | str | None = None, until: date | str | None = None,
) -> Filters:
    """Filters from keyword arguments; dates may be ISO strings."""
    def as_date(value: date | str | None, name: str) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError as error:
            raise InvalidQuestionError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from error
    return Filters(outlet=check_optional_text(outlet, "outlet"), topic=check_optional_text(topic, "topic"),
                   since=as_date(since, "since"), until=as_date(until, "until"))
