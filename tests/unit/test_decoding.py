"""Decoding text that is not UTF-8: Windows-1252 wins when it reads cleanly (Western text with
a few accents decodes cleanly in every Latin code page, and a language guess from three
letters is a coin toss), while Cyrillic, Greek, CJK and longer Central European text keep
their detected encoding."""

from __future__ import annotations

import pytest
from support import SHARED

from index.decoding import decode_text

WESTERN = [  # each was decoded as cp1250 (Ł for £, ď for ï, Ć for €) or cp775 before
    "The caf\u00e9 in Z\u00fcrich charged \u00a3500\u2026 a na\u00efve plan",
    "Ein Caf\u00e9 in Z\u00fcrich kostet \u00a35 \u2013 na\u00efve Preise\u2026",
    "It cost \u20ac20,000 to fix the fa\u00e7ade.",
    "The caf\u00e9 in Z\u00fcrich charged \u00a3500\u2026 Cr\u00e8me br\u00fbl\u00e9e sales rose 5%.",
]

OTHERS = [
    ("\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? \u0412\u0441\u0451 "
     "\u0445\u043e\u0440\u043e\u0448\u043e, \u0441\u043f\u0430\u0441\u0438\u0431\u043e.", "cp1251"),
    ("\u0397 \u0391\u03b8\u03ae\u03bd\u03b1 \u03b5\u03af\u03bd\u03b1\u03b9 \u03c0\u03c1\u03c9\u03c4\u03b5\u03cd"
     "\u03bf\u03c5\u03c3\u03b1.", "cp1253"),
    ("\u6771\u4eac\u90fd\u306e\u65b0\u3057\u3044\u6a4b\u304c\u5b8c\u6210\u3057\u307e\u3057\u305f\u3002", "shift_jis"),
    ("\u5317\u4eac\u5e02\u653f\u5e9c\u5ba3\u5e03\u65b0\u7684\u9884\u7b97\u8ba1\u5212\u3002", "gb18030"),
]

POLISH = (  # long enough for its letters to tell: ż ł ą ś in cp1252 read as ¿ ³ ¹ œ
    "Rada miasta zgodzi\u0142a si\u0119 na budow\u0119 mostu nad rzek\u0105. "
    "Minister finans\u00f3w og\u0142osi\u0142 nowy bud\u017cet na przysz\u0142y rok. "
    "W\u00f3jt gminy powiedzia\u0142, \u017ce droga b\u0119dzie gotowa w \u015brod\u0119. "
) * 10


@pytest.mark.parametrize("text", WESTERN)
def test_short_cp1252_text_reads_as_cp1252(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(("text", "encoding"), [*OTHERS, (POLISH, "cp1250")])
def test_other_encodings_are_still_detected(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_utf8_comes_first() -> None:
    text = "Za\u017c\u00f3\u0142\u0107 \u00a3500 caf\u00e9"
    assert decode_text(text.encode("utf-8")) == text


@pytest.mark.shared
def test_the_one_cp1252_file_of_the_bbc_corpus_still_decodes_right() -> None:
    path = SHARED / "corpora" / "bbc" / "sport" / "199.txt"
    if not path.is_file():
        pytest.skip("../shared/corpora/bbc is not available in this checkout")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == data.decode("cp1252")
