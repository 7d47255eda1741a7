"""Archives of N times the BBC corpus for the cost-growth benchmark (bench/scale.py).

The real articles stay in (under bbc/, as needles: dev.jsonl's gold suffixes such as
business/010.txt still match only them). Each extra article (under gen/) is made of runs of
sentences from four to six corpus articles, with every capitalised word after a sentence's
first word replaced by an invented name (one mapping per article) and every number by another
of the same number of digits, so that neither the exact (body hash) nor the near-duplicate
(MinHash over word 5-grams, Jaccard >= 0.5) detection of Newsdesk collapses them; the index
report of each run prints the duplicate counts that prove it.

Standard library only; generated text is written under the benchmark's temporary folder and
never committed.
"""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_NUMBER = re.compile(r"\d+")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_SYLLABLES = [c + v + e for c in "bdfgklmnprstvz" for v in "aeiou" for e in ("", "n", "r", "l")]
_KEEP = {"I", "Mr", "Mrs", "Ms", "Dr", "The", "It", "He", "She", "They", "We", "But", "And", "In"}


@dataclass(frozen=True)
class Source:
    """A corpus article as the generator uses it: its folder (topic) and its sentences."""

    topic: str
    title: str
    sentences: tuple[str, ...]


def read_corpus(root: Path, files: list[Path] | None = None) -> list[Source]:
    """The articles under root (topic folders of .txt files: title line, blank line, body)."""
    sources = []
    for path in files if files is not None else sorted(root.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        title, _, body = text.strip().partition("\n")
        sentences = tuple(s.strip() for s in _SENTENCE_END.split(" ".join(body.split())) if len(s.split()) >= 6)
        if sentences:
            sources.append(Source(path.parent.name, title.strip(), sentences))
    return sources


def invented_name(rng: random.Random) -> str:
    """A made-up proper name of two or three syllables, e.g. 'Velnaro'."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()


def disguise(sentence: str, names: dict[str, str], rng: random.Random) -> str:
    """Replace the sentence's capitalised words (not its first) and its numbers."""
    first, _, rest = sentence.partition(" ")

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in _KEEP:
            return word
        if word not in names:
            names[word] = invented_name(rng)
        return names[word]

    def number(match: re.Match[str]) -> str:
        digits = len(match.group(0))
        return str(rng.randint(10 ** (digits - 1) if digits > 1 else 0, 10**digits - 1))

    return _NUMBER.sub(number, first) + " " + _NUMBER.sub(number, _CAPITALISED.sub(name, rest))


def generated_article(sources: list[Source], number: int, seed: int = 0) -> tuple[str, str]:
    """(topic, text) of extra article `number`: a title, then paragraphs of disguised runs
    of sentences from 4-6 different corpus articles."""
    rng = random.Random(seed * 1_000_003 + number)
    picked = rng.sample(range(len(sources)), rng.randint(4, 6))
    names: dict[str, str] = {}
    paragraphs = []
    for index in picked:
        sentences = sources[index].sentences
        start = rng.randrange(len(sentences))
        run = sentences[start : start + rng.randint(2, 3)]
        paragraphs.append(" ".join(disguise(s, names, rng) for s in run))
    head = sources[picked[0]]
    title = disguise(head.title, names, rng)
    return head.topic, f"{title}\n\n" + "\n\n".join(paragraphs) + "\n"


def build_archive(corpus: Path, target: Path, multiple: int, files: list[Path] | None = None, seed: int = 0) -> dict[str, int]:
    """Write an archive of `multiple` times the corpus into target: the real files under
    bbc/<topic>/, (multiple - 1) x as many generated ones under gen/<topic>/. Extra article
    n is the same in every archive, so a bigger archive contains the smaller one."""
    files = files if files is not None else sorted(corpus.glob("*/*.txt"))
    if target.exists():
        shutil.rmtree(target)
    for path in files:
        copy = target / "bbc" / path.parent.name / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    sources = read_corpus(corpus, files)
    extra = (multiple - 1) * len(files)
    for number in range(extra):
        topic, text = generated_article(sources, number, seed)
        path = target / "gen" / topic / f"g{number:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {"real": len(files), "generated": extra}
