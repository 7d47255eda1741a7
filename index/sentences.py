"""Sentence spans of a body, through blingfire (fast, offset-preserving)."""

from __future__ import annotations

import blingfire


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of text; paragraphs never share a sentence.

    Spans never include surrounding whitespace, so text[start:end] is the sentence verbatim.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        if paragraph.strip():
            _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
            for start, end in offsets:
                spans.append(_trim(text, offset + start, offset + end))
        offset += len(paragraph) + 1
    return [span for span in spans if span[1] > span[0]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
