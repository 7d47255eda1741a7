"""Hybrid retrieval: dense top-k from Chroma and keyword top-k from the catalog, fused with reciprocal
rank fusion, at most a few chunks per article."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.settings import RetrievalSettings
from assistant.text import keyword_terms
from assistant.types import Passage
from index.catalog import ArticleRow, Filters
from index.store import IndexStore


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), rank from 1.

    e.g. with k=60, an id first in one list and third in another scores 1/61 + 1/63.
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def cap_per_article(ranked: Sequence[tuple[str, float]], article_of: dict[str, str], cap: int) -> list[tuple[str, float]]:
    """Keep ranked chunks in order, at most `cap` per article."""
    kept, per_article = [], {}
    for chunk_id, score in ranked:
        article = article_of[chunk_id]
        if per_article.get(article, 0) < cap:
            per_article[article] = per_article.get(article, 0) + 1
            kept.append((chunk_id, score))
    return kept


class HybridSearch:
    """Ranked passages for a query."""

    def __init__(self, store: IndexStore, settings: RetrievalSettings) -> None:
        self.store = store
        self.settings = settings

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Passage]:
        """The top passages for query, best first."""
        k = k or self.settings.k
        filters = filters or Filters()
        if query_vector is None:
            query_vector = self.store.embedder.embed([query])[0]
        dense = self.store.vectors.query(query_vector, self.settings.dense_k, filters)
        keyword = self.store.catalog.keyword_search(keyword_terms(query), self.settings.bm25_k, filters)
        fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in keyword]], self.settings.rrf_k)
        chunks = self.store.catalog.get_chunks([c for c, _ in fused])
        fused = [(c, s) for c, s in fused if c in chunks]  # orphans of an interrupted run
        article_of = {c: chunks[c].article_id for c, _ in fused}
        top = cap_per_article(fused, article_of, self.settings.max_chunks_per_article)[:k]
        articles = self.store.catalog.get_articles(article_of[c] for c, _ in top)
        passages = []
        for chunk_id, score in top:
            chunk = chunks[chunk_id]
            article = articles.get(chunk.article_id)
            if article is None:
                continue
            passages.append(
                Passage(
                    **article_ref(article), rank=len(passages) + 1, score=score,
                    text=article.body[chunk.start : chunk.end], start=chunk.start, end=chunk.end,
                )
            )
        return passages


def article_ref(article: ArticleRow) -> dict[str, object]:
    """The ArticleRef fields of a catalog row."""
    return {
        "article_id": article.id, "source": article.source, "title": article.title,
        "outlet": article.outlet, "published": article.published, "url": article.url,
        "topic": article.topic, "also_in": list(article.aliases),
    }
