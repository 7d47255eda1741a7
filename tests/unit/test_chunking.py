"""Sentence spans and chunks: offsets exact, one sentence of overlap, token limit respected."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from index.article import Article
from index.chunking import chunk_article, group_sentences, text_to_embed
from index.sentences import sentence_spans

BODY = (
    "The ferry left Cray at dawn. It carried forty passengers and a lorry of fish.\n\n"
    "Captain Ada Penrose said the crossing was calm. \"We were early,\" she said. "
    "The return trip was cancelled because of fog.\n\n"
    "Mr. Hale, the harbourmaster, closed the port at 4 p.m. on Friday. It reopened on Saturday."
)


def word_counts(texts: list[str]) -> list[int]:
    """A stand-in for the model's tokenizer: one token per word."""
    return [len(t.split()) for t in texts]


def test_sentence_spans_are_verbatim_and_trimmed() -> None:
    spans = sentence_spans(BODY)
    sentences = [BODY[s:e] for s, e in spans]
    assert sentences[0] == "The ferry left Cray at dawn."
    assert "Mr. Hale, the harbourmaster, closed the port at 4 p.m. on Friday." in sentences
    assert len(sentences) == 7
    for start, end in spans:
        text = BODY[start:end]
        assert text == text.strip() and text
        assert "\n" not in text  # paragraphs never share a sentence
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_sentence_spans_of_blank_text() -> None:
    assert sentence_spans("") == []
    assert sentence_spans("\n\n  \n") == []


@pytest.mark.parametrize(
    ("counts", "max_tokens", "overlap", "expected"),
    [
        ([90, 90, 90], 200, 1, [(0, 2), (1, 3)]),  # the docstring's example
        ([90, 90, 90], 200, 0, [(0, 2), (2, 3)]),
        ([50, 50, 50, 50], 200, 1, [(0, 4)]),
        ([300, 10, 10], 200, 1, [(0, 1), (1, 3)]),  # an over-long sentence stands alone
        ([10, 300, 10], 200, 1, [(0, 1), (1, 2), (2, 3)]),
        ([150, 150, 150], 200, 3, [(0, 1), (1, 2), (2, 3)]),  # overlap never stalls progress
        ([50, 100, 150], 200, 1, [(0, 2), (2, 3)]),  # no chunk of repeated text only
        ([], 200, 1, []),
    ],
)
def test_group_sentences(counts: list[int], max_tokens: int, overlap: int, expected: list[tuple[int, int]]) -> None:
    assert group_sentences(counts, max_tokens, overlap) == expected


def test_group_sentences_respects_the_limit_and_covers_everything() -> None:
    counts = [7, 30, 12, 45, 3, 60, 22, 9, 41, 18, 27, 5]
    groups = group_sentences(counts, 80, 1)
    assert groups[0][0] == 0 and groups[-1][1] == len(counts)
    for (_, last), (next_first, next_last) in pairwise(groups):
        assert next_last > last  # every chunk brings a new sentence
        if next_first == last:  # the overlap is dropped only where it could not fit
            assert counts[last - 1] + counts[last] > 80
        else:
            assert next_first == last - 1  # exactly one sentence repeated
    for first, last in groups:
        assert sum(counts[first:last]) <= 80 or last - first == 1


def make_article(body: str, **meta: object) -> Article:
    return Article(source_key="/news/ferry.txt", title="Ferry runs early", body=body, **meta)  # type: ignore[arg-type]


def test_chunk_offsets_overlap_and_limit() -> None:
    article = make_article(BODY)
    chunks = chunk_article(article, word_counts, max_tokens=20, overlap=1)
    assert len(chunks) >= 3
    spans = sentence_spans(BODY)
    for ordinal, chunk in enumerate(chunks):
        assert chunk.ordinal == ordinal
        assert chunk.chunk_id == f"{article.article_id}:{ordinal}"
        assert BODY[chunk.start : chunk.end] == chunk.text
        assert (chunk.start, chunk.end)[0] in {s for s, _ in spans}  # sentence-aligned
        assert chunk.end in {e for _, e in spans}
        inner = [BODY[s:e] for s, e in spans if s >= chunk.start and e <= chunk.end]
        assert sum(word_counts(inner)) <= 20 or len(inner) == 1
    for previous, current in pairwise(chunks):
        shared = [(s, e) for s, e in spans if s >= current.start and e <= previous.end]
        assert len(shared) == 1  # one sentence of overlap
        assert current.start > previous.start
    assert chunks[0].start == spans[0][0] and chunks[-1].end == spans[-1][1]


def test_chunk_without_overlap_partitions_the_sentences() -> None:
    chunks = chunk_article(make_article(BODY), word_counts, max_tokens=20, overlap=0)
    assert all(a.end < b.start for a, b in pairwise(chunks))


def test_empty_body_has_no_chunks() -> None:
    assert chunk_article(make_article(""), word_counts, 200, 1) == []


def test_text_to_embed_prefixes_title_outlet_and_date_only_there() -> None:
    from datetime import date

    article = make_article(BODY, outlet="Coastal Wire", published=date(2024, 5, 21))
    chunk = chunk_article(article, word_counts, 200, 1)[0]
    embedded = text_to_embed(article, chunk)
    assert embedded.startswith("Ferry runs early\nCoastal Wire · 2024-05-21\n")
    assert embedded.endswith(chunk.text)
    assert "Ferry runs early" not in chunk.text  # the stored text is the body's own
    assert text_to_embed(make_article(BODY), chunk).startswith("Ferry runs early\nThe ferry")


def test_article_ids_and_hashes() -> None:
    a = make_article(BODY)
    b = Article(source_key="/news/copy.txt", title="Other title", body=BODY)
    assert a.article_id != b.article_id and re.fullmatch(r"[0-9a-f]{16}", a.article_id)
    assert a.body_hash == b.body_hash  # same body: exact duplicates
    assert a.content_hash != b.content_hash
    assert make_article(BODY, topic="x").content_hash != a.content_hash
