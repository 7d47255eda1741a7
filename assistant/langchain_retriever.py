"""The hybrid search as a LangChain BaseRetriever, so the index composes with any chain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval import HybridSearch
from index.catalog import Filters


class NewsdeskRetriever(BaseRetriever):
    """Returns passages as Documents; metadata holds the source, title, offsets and score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    k: int = 6
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = self.search.search(query, k=self.k, filters=self.filters)
        return [
            Document(
                page_content=p.text,
                metadata=p.model_dump(mode="json", exclude={"text", "also_in"}),
                id=f"{p.article_id}:{p.start}",
            )
            for p in passages
        ]
