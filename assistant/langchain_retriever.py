"""The hybrid search as a LangChain BaseRetriever, so the index composes with any chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, field_validator

from assistant.retrieval import HybridSearch
from assistant.validation import check_k
from index.catalog import Filters


class NewsdeskRetriever(BaseRetriever):
    """Returns passages as Documents; metadata holds the source, title, offsets and score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    k: int = Field(6, description="passages returned per query (1..50, as the setting retrieval.k)")
    filters: Filters = Filters()

    @field_validator("k")
    @classmethod
    def _k_in_bounds(cls, k: int) -> int:
        check_k(k)
        return k

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None, **kwargs: Any
    ) -> list[Document]:
        """Passages for query; k (e.g. retriever.invoke(query, k=2)) overrides the retriever's k."""
        passages = self.search.search(query, k=check_k(k) or self.k, filters=self.filters)
        return [
            Document(
                page_content=p.text,
                metadata=p.model_dump(mode="json", exclude={"text", "also_in"}),
                id=f"{p.article_id}:{p.start}",
            )
            for p in passages
        ]
