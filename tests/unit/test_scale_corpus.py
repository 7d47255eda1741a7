"""The cost-growth benchmark's archive generator (bench/scale_corpus.py): extra articles are
distinct from each other and from the corpus, exactly and by Newsdesk's near-duplicate rule."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from scale_corpus import build_archive, disguise, generated_article, read_corpus  # noqa: E402

from index.neardup import jaccard, shingles  # noqa: E402

TOWNS = ["Arden", "Bexley", "Corran", "Dunmore", "Elvet", "Farrow", "Gilling", "Hawes"]
TRADES = ["bakery", "ferry", "foundry", "library", "market", "mill", "school", "theatre"]


def make_corpus(root: Path) -> Path:
    """Eight small articles in two topic folders: title line, blank line, six sentences."""
    for n, (town, trade) in enumerate(zip(TOWNS, TRADES, strict=True)):
        sentences = [
            f"The {trade} in {town} opened its doors to {n * 40 + 120} visitors on Monday morning.",
            f"Councillor Maria Penhale said the {trade} had cost {n + 2} million pounds to restore.",
            f"Residents of {town} queued along the high street for more than {n + 3} hours.",
            f"A spokesman for the {town} {trade} trust thanked the volunteers who raised the money.",
            f"The building had stood empty since {1980 + n} after a fire destroyed its roof.",
            f"Plans for a second {trade} in nearby {TOWNS[n - 1]} will be put to councillors next year.",
        ]
        path = root / ("news" if n % 2 else "local") / f"{n:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{town} {trade} reopens\n\n" + " ".join(sentences) + "\n", encoding="utf-8")
    return root


def test_disguise_replaces_names_and_numbers_but_not_the_first_word() -> None:
    import random

    names: dict[str, str] = {}
    out = disguise("Councillor Maria Penhale said Penhale paid 250 pounds in 1998.", names, random.Random(1))
    words = out.split()
    assert words[0] == "Councillor" and "Maria" not in out and "Penhale" not in out
    assert words[1] == names["Maria"] and words[2] == words[4] == names["Penhale"]  # one mapping per article
    assert "250" not in out and "1998" not in out
    assert [len(w) for w in words if w.isdigit()] == [3] and words[-1].rstrip(".").isdigit() and len(words[-1]) == 5


def test_generated_articles_are_distinct_and_deterministic(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    sources = read_corpus(corpus)
    assert len(sources) == 8 and all(len(s.sentences) == 6 for s in sources)
    made = [generated_article(sources, n) for n in range(60)]
    assert made[7] == generated_article(sources, 7)  # the same article in every archive
    bodies = [text.split("\n", 2)[2] for _, text in made]
    assert len({hashlib.sha256(b.encode()).hexdigest() for b in bodies}) == 60  # no exact duplicate
    originals = [shingles(" ".join(s.sentences)) for s in sources]
    generated = [shingles(b) for b in bodies]
    worst_to_corpus = max(jaccard(g, o) for g in generated for o in originals)
    worst_between = max(jaccard(a, b) for i, a in enumerate(generated) for b in generated[i + 1 :])
    assert worst_to_corpus < 0.5 and worst_between < 0.5  # below Newsdesk's near-duplicate threshold


def test_build_archive_keeps_the_real_articles_as_needles(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    counts = build_archive(corpus, tmp_path / "archive", 3)
    assert counts == {"real": 8, "generated": 16}
    assert (tmp_path / "archive" / "bbc" / "news" / "001.txt").read_bytes() == (corpus / "news" / "001.txt").read_bytes()
    generated = sorted(p.name for p in (tmp_path / "archive" / "gen").rglob("*.txt"))
    assert generated == [f"g{n:07d}.txt" for n in range(16)]
