"""Turn file bytes into text: UTF-8 first, then the most coherent detected encoding."""

from __future__ import annotations

import charset_normalizer

from index.errors import SkipArticle

_WESTERN = {"cp1252", "latin_1", "iso8859_15"}


def looks_binary(data: bytes) -> bool:
    """Tell whether bytes are binary (NUL bytes in the first 8 KiB, UTF-16 aside)."""
    head = data[:8192]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode_text(data: bytes) -> str:
    """Decode text bytes; raise SkipArticle with a reason when they are not text.

    charset-normalizer's own best guess can be a CJK code page for Western text with a
    single high byte (a '£' in cp1252 reads as a Japanese glyph in cp932), so among its
    candidates the one whose text is most coherent as a language wins.
    """
    if looks_binary(data):
        raise SkipArticle("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    candidates = list(charset_normalizer.from_bytes(data))
    if not candidates:
        raise SkipArticle("cannot detect the text encoding")
    # a tie (short text: every candidate scores 0) goes to the Western code page
    best = max(
        candidates,
        key=lambda match: (match.coherence - match.chaos, match.encoding in _WESTERN),
    )
    return str(best)
