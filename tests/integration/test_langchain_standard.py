"""LangChain's own conformance suite (package langchain-tests) against what Newsdesk exposes to
LangChain: NewsdeskRetriever, over the real hybrid search of the fixture index. (The other
standard suites test chat models, embeddings, vector stores, caches, stores and tools, none
of which Newsdesk implements for LangChain.)"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests
from support import Indexed

from assistant import InvalidQuestionError
from assistant.langchain_retriever import NewsdeskRetriever
from assistant.retrieval import HybridSearch

pytestmark = pytest.mark.integration


class TestNewsdeskRetriever(RetrieversIntegrationTests):
    """invoke()/ainvoke() return Documents; k works in the constructor and in invoke()."""

    @pytest.fixture(autouse=True)
    def _search(self, indexed: Indexed) -> None:
        self.search = HybridSearch(indexed.assistant.store, indexed.assistant.settings.retrieval)

    @property
    def retriever_constructor(self) -> type[NewsdeskRetriever]:
        return NewsdeskRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"search": self.search, "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return "harbour bank chief executive and the ferry strike"


def test_invoke_k_overrides_the_constructor_k_and_is_validated(indexed: Indexed) -> None:
    retriever = indexed.assistant.retriever(k=5)
    question = "Who discovered the comet from Hallow Hill?"
    five, one = retriever.invoke(question), retriever.invoke(question, k=1)
    assert len(five) == 5 and len(one) == 1
    assert one[0].id == five[0].id  # the same ranking, cut shorter
    for bad in (0, -5, 10**9, 2.5, "abc"):
        with pytest.raises(InvalidQuestionError, match=r"the number of passages must be a whole number from 1 to 50"):
            retriever.invoke(question, k=bad)
    with pytest.raises(InvalidQuestionError, match=r"^k=51: "):
        NewsdeskRetriever(search=retriever.search, k=51)
