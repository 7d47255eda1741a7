"""Stems and sentence spans are the same whether one thread or many compute them (the ask
path runs in several threads of the web server at once)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer
from support import ARTICLES

from assistant import text
from index.sentences import sentence_spans

THREADS = 8


def vocabulary() -> list[str]:
    """Real words (the fixture articles) and invented ones of every length, ~8,000 in all."""
    words = set()
    for path in ARTICLES.rglob("*"):
        if path.is_file():
            words.update(text.words(path.read_text(encoding="utf-8", errors="replace")))
    rng = random.Random(7)
    suffixes = ["", "s", "es", "ed", "ing", "ation", "ational", "iveness", "fulness", "ically", "ement", "izer"]
    while len(words) < 8000:
        stem = "".join(rng.choice("abcdefghiklmnoprstuvwy") for _ in range(rng.randint(2, 9)))
        words.add(stem + rng.choice(suffixes))
    return sorted(words)


def in_threads(work: Callable[[list[str]], list[str]], items: list[str], rounds: int) -> list[list[str]]:
    """Each of THREADS threads runs work over items in its own order, `rounds` times, all
    starting together; returns the results re-ordered as items."""
    start = threading.Barrier(THREADS)

    def one_thread(seed: int) -> list[list[str]]:
        rng = random.Random(seed)
        start.wait()
        results = []
        for _ in range(rounds):
            order = list(range(len(items)))
            rng.shuffle(order)
            out = work([items[i] for i in order])
            back = [""] * len(items)
            for position, i in enumerate(order):
                back[i] = out[position]
            results.append(back)
        return results

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [r for rs in pool.map(one_thread, range(THREADS)) for r in rs]


def test_stems_from_many_threads_equal_single_thread_stems() -> None:
    words = vocabulary()
    expected = [snowballstemmer.stemmer("porter").stemWord(w) for w in words]

    def stem_all(batch: list[str]) -> list[str]:
        text.stem.cache_clear()  # a cold cache, as in a server that just started
        return [text.stem(w) for w in batch]

    for result in in_threads(stem_all, words, rounds=2):
        wrong = [(w, got, want) for w, got, want in zip(words, result, expected, strict=True) if got != want]
        assert wrong == [], f"{len(wrong)} wrong stems, e.g. {wrong[:5]}"
    # and what the cache kept is right too
    assert [text.stem(w) for w in words] == expected


def test_sentence_spans_from_many_threads_equal_single_thread_spans() -> None:
    bodies = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(ARTICLES.rglob("*")) if p.is_file()]
    bodies = bodies * 20
    expected = [repr(sentence_spans(b)) for b in bodies]
    for result in in_threads(lambda batch: [repr(sentence_spans(b)) for b in batch], bodies, rounds=2):
        assert result == expected
