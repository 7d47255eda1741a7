"""Turn file bytes into text: UTF-8 first, then Windows-1252 when it reads cleanly, then the
most coherent encoding that charset-normalizer detects."""

from __future__ import annotations

import charset_normalizer

from index.errors import SkipArticle

_WESTERN = {"cp1252", "latin_1", "iso8859_15"}
# How much more "mess" (charset-normalizer's chaos: odd symbols, broken words) cp1252 may show
# than the least messy reading and still win. With 0.0, 4 of 40 English texts of 3,000 bytes
# with £ € é ï – … ’ stayed wrong (chaos 0.0013 against 0.0007), and "It cost €20,000 to fix
# the façade." scores 0.059 against cp775's 0.0; 0.1 reads all of them right and changes no
# Cyrillic, Greek or long Polish text (tests/unit/test_decoding.py).
_CP1252_SLACK = 0.1


def looks_binary(data: bytes) -> bool:
    """Tell whether bytes are binary (NUL bytes in the first 8 KiB, UTF-16 aside)."""
    head = data[:8192]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def decode_text(data: bytes) -> str:
    """Decode text bytes; raise SkipArticle with a reason when they are not text.

    Not UTF-8: Windows-1252 wins whenever it decodes and reads no worse than the other
    candidates. Every Latin code page decodes a Western text with a few accents and a '£'
    cleanly, and charset-normalizer's language guess, built on those few letters, often
    prefers cp1250 ('£500 … naïve' as 'Ł500 … naďve') or a CJK page; cp1252 is by far the
    most common of them. Cyrillic, Greek and the like read as a mess in cp1252 and keep their
    detected encoding. Otherwise, among the candidates the most coherent one wins.
    """
    if looks_binary(data):
        raise SkipArticle("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    candidates = list(charset_normalizer.from_bytes(data))
    western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and all(western.chaos <= c.chaos + _CP1252_SLACK for c in candidates):
        return str(western)
    if not candidates:
        raise SkipArticle("cannot detect the text encoding")
    # a tie (short text: every candidate scores 0) goes to the Western code page
    best = max(
        candidates,
        key=lambda match: (match.coherence - match.chaos, match.encoding in _WESTERN),
    )
    return str(best)
