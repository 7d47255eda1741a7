"""Sentence-aligned chunks sized for the embedding model's window."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.article import Article
from index.sentences import sentence_spans


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of an article body; body[start:end] == text."""

    article_id: str
    ordinal: int
    start: int
    end: int
    text: str

    @property
    def chunk_id(self) -> str:
        """Id of the chunk in the vector store and the catalog."""
        return f"{self.article_id}:{self.ordinal}"


def group_sentences(
    token_counts: Sequence[int], max_tokens: int, overlap: int
) -> list[tuple[int, int]]:
    """Group consecutive sentences into [first, last) index ranges of at most max_tokens.

    A sentence longer than max_tokens forms a chunk of its own. Each chunk after the first
    repeats the last `overlap` sentences of the previous one, e.g. counts [90, 90, 90] with
    max 200 and overlap 1 give [(0, 2), (1, 3)]; the overlap is dropped where it leaves no
    room for a new sentence, e.g. [50, 100, 150] gives [(0, 2), (2, 3)], not a chunk (1, 2)
    that only repeats old text.
    """
    groups: list[tuple[int, int]] = []
    first = 0
    n = len(token_counts)
    while first < n:
        last, total = first, 0
        while last < n and (last == first or total + token_counts[last] <= max_tokens):
            total += token_counts[last]
            last += 1
        groups.append((first, last))
        if last >= n:
            break
        # step back for the overlap, but always move forward by at least one sentence
        first = max(last - overlap, first + 1)
        if first < last and sum(token_counts[first : last + 1]) > max_tokens:
            first = last  # overlap + the next sentence would not fit: a chunk of old text
    return groups


def chunk_article(
    article: Article,
    count_tokens: Callable[[list[str]], list[int]],
    max_tokens: int,
    overlap: int,
) -> list[Chunk]:
    """Split an article body into chunks; count_tokens gives word-pieces per sentence."""
    spans = sentence_spans(article.body)
    if not spans:
        return []
    counts = count_tokens([article.body[s:e] for s, e in spans])
    chunks = []
    for ordinal, (first, last) in enumerate(group_sentences(counts, max_tokens, overlap)):
        start, end = spans[first][0], spans[last - 1][1]
        chunks.append(Chunk(article.article_id, ordinal, start, end, article.body[start:end]))
    return chunks


def text_to_embed(article: Article, chunk: Chunk) -> str:
    """The chunk as the model sees it: title, outlet and date first, then the sentences."""
    context = " · ".join(
        part
        for part in (article.outlet, article.published.isoformat() if article.published else None)
        if part
    )
    header = f"{article.title}\n{context}" if context else article.title
    return f"{header}\n{chunk.text}"
