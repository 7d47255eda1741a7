"""Concurrent asks, as the web server runs them: 8 threads sharing one Assistant (its stemmer,
tokenizer, caches, SQLite connections, Chroma client and the real model) give exactly the
answers, citations and passages that one thread gives alone."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from support import Indexed

from assistant import Assistant, text
from index.embedding import Embedder

pytestmark = [pytest.mark.integration, pytest.mark.slow]

THREADS = 8
ROUNDS = 2
FIRST = "Who was appointed chief executive of the Harbour Bank of Port Elwin?"
ASKS: list[dict[str, Any]] = [
    {"question": FIRST},
    {"question": "By how many votes did Elwin council decide to close Mill Street to cars?"},
    {"question": "Why did ferry crews on the Skerrin Islands route walk out?"},
    {"question": "In what year did the Kessel tin mine produce its record output?"},
    {"question": "How many people has the Varnmouth glassworks hired?"},
    {"question": "How much did the Tolborough bakery pay for its stone oven?"},
    {"question": "Who discovered the comet Ostrander-Hallow?"},
    {"question": "Who coached the Cray rowing crew that won the Lowmoor Cup?"},
    {"question": "Which chess grandmaster won the 1972 world championship in Reykjavik?"},  # abstains
    {"question": "And what did the chairman say?", "history": [(FIRST, "Marta Quill [1]")]},
    {"question": "What happened in Port Elwin, Cray and the Skerrin Islands?", "topic": "sport", "k": 3},
    {"question": "What happened recently in the Skerrin Islands?", "since": "2024-01-01"},
]


def answer_of(assistant: Assistant, ask: dict[str, Any]) -> dict[str, Any]:
    """Everything of the answer but its timings."""
    return assistant.ask(**ask).model_dump(mode="json", exclude={"timings"})


def test_concurrent_asks_equal_single_thread_asks(indexed: Indexed) -> None:
    assistant = indexed.assistant
    work = ASKS * (THREADS * ROUNDS // 2)  # 96 asks, each thread's share in a different order
    start = threading.Barrier(THREADS)

    def one_thread(n: int) -> list[tuple[int, dict[str, Any]]]:
        mine = [(i, work[i]) for i in range(n, len(work), THREADS)]
        start.wait()
        answers = []
        for i, ask in mine:
            # stems computed anew at every question, as in a big archive whose vocabulary
            # keeps the stem cache churning (or a server that just started)
            text.stem.cache_clear()
            answers.append((i % len(ASKS), answer_of(assistant, ask)))
        return answers

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up, not hide
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            concurrent = [pair for pairs in pool.map(one_thread, range(THREADS)) for pair in pairs]
    finally:
        sys.setswitchinterval(interval)
    text.stem.cache_clear()
    alone = [answer_of(assistant, ask) for ask in ASKS]

    assert len(concurrent) == len(work)
    assert not alone[8]["citations"] and alone[0]["citations"]  # both kinds of answer are compared
    for i, answer in concurrent:
        assert answer == alone[i], ASKS[i]["question"]


def test_the_first_concurrent_questions_open_one_store_and_load_one_model(
    indexed: Indexed, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fresh Assistant (its own model, not the session's) asked by 8 threads at once."""
    import sentence_transformers

    import assistant.api

    stores, models = [], []
    real_store, real_model = assistant.api.IndexStore, sentence_transformers.SentenceTransformer

    def counted_store(*args: Any, **kwargs: Any) -> Any:
        stores.append(1)
        return real_store(*args, **kwargs)

    def counted_model(*args: Any, **kwargs: Any) -> Any:
        models.append(1)
        return real_model(*args, **kwargs)

    monkeypatch.setattr(assistant.api, "IndexStore", counted_store)
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", counted_model)
    fresh = Assistant(data_dir=indexed.data_dir)
    start = threading.Barrier(THREADS)

    def ask(_: int) -> str:
        start.wait()
        return fresh.ask(FIRST).text

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        texts = set(pool.map(ask, range(THREADS)))
    assert (len(stores), len(models)) == (1, 1)
    assert texts == {indexed.assistant.ask(FIRST).text}


def test_token_counts_and_vectors_stay_right_while_other_threads_embed(embedder: Embedder) -> None:
    """Indexing counts word-pieces (no truncation) while questions are embedded (truncated to
    the model window) with the same Hugging Face tokenizer: neither may see the other's settings."""
    texts = [f"Harbour report {i}: " + "the ferry crews walked out over night-shift pay " * (4 + i * 7) for i in range(16)]
    counts, vectors = embedder.count_tokens(texts), embedder.embed(texts[:8])
    assert max(counts) > 256  # longer than the model window: a truncating tokenizer would cut it
    start = threading.Barrier(THREADS)

    def work(n: int) -> list[bool]:
        start.wait()
        if n % 2:
            return [bool(np.allclose(embedder.embed(texts[:8]), vectors, atol=1e-3)) for _ in range(8)]
        return [embedder.count_tokens(texts) == counts for _ in range(8)]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = [ok for oks in pool.map(work, range(THREADS)) for ok in oks]
    finally:
        sys.setswitchinterval(interval)
    assert results == [True] * len(results)
