"""Normalise article text and drop boilerplate lines so they are never cited."""

from __future__ import annotations

import re
import unicodedata

# Promo lines read like headlines; a line ending like a sentence is reporting
# ("Live coverage of the final drew ... viewers.", "Follow the money, he said.").
_NO_SENTENCE_END = r"(?<![.!?\"'])"

# Lines that are navigation, promotion or sharing furniture rather than reporting.
# Each pattern is matched against a whole stripped line, case-insensitively.
BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"live (updates?|blog|coverage)\b.*" + _NO_SENTENCE_END,
    r"(read )?more\s*:.*",
    r"(read|see|watch|listen)( more| also)?\s*:.*",
    r"related( articles?| stories| topics)?(\s*:.*)?",
    r"follow (us|the [\w' ]+?|[\w' ]+? on (twitter|x|facebook|instagram))\b.* on .*" + _NO_SENTENCE_END,
    r"follow (us|me) on .*",
    r"(sign up|subscribe)( now)? (for|to) .*",
    r"(share|tweet|email) this( article| story| page)?\b.*",
    r"(click|tap) here\b.*",
    r"download the [\w' ]+ app\b.*",
    r"advertisement|sponsored( content)?|skip (to|advert).*",
    r"(image|picture|photo|video) (copyright|source|caption)\b.*",
    r"copyright ©?.*all rights reserved\.?",
    r"(this|the) (article|story) (was|has been) (updated|amended)\b.{0,40}",
)
_BOILERPLATE = re.compile(r"^(?:" + "|".join(BOILERPLATE_PATTERNS) + r")$", re.IGNORECASE)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SPACES = re.compile(r"[ \t\f\v\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def is_boilerplate(line: str) -> bool:
    """Tell whether a stripped line is site furniture (e.g. 'More: ...', 'Follow us on ...')."""
    return bool(_BOILERPLATE.match(line.strip()))


def normalise(text: str) -> str:
    """Unicode NFC, straight quotes, no zero-width characters, single spaces, '\\n' newlines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text.translate(_QUOTES))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def clean_body(text: str) -> str:
    """Return the body as paragraphs separated by one blank line, boilerplate removed.

    Every offset the index stores refers to the string this returns.
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", normalise(text)):
        lines = [line for line in block.split("\n") if line and not is_boilerplate(line)]
        if lines:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


def clean_title(text: str) -> str:
    """Normalise a title to one line."""
    return " ".join(normalise(text).split())
