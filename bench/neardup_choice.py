"""Which near-duplicate detector: MinHash/shingle Jaccard or embedding cosine? Measured on the
BBC corpus (exact duplicates and similar stories) with the article vectors of an existing index.

    python bench/neardup_choice.py ../shared/corpora/bbc --index /tmp/nd-copy [--show 6]

Prints, for bands of each similarity, how many pairs fall there and sample titles to judge by
hand; the figures go in the README ("Near-duplicate stories"). Reads the vectors from the index (nothing is embedded).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from index.article import Article
from index.config import LoaderConfig
from index.loaders import discover, is_not_article, load_path
from index.neardup import jaccard, shingles


def load_corpus(root: Path) -> list[Article]:
    """Every article of the corpus, cleaned as the indexer cleans it."""
    found = []
    for path in discover(root):
        if not is_not_article(path):
            found += [a for a in load_path(path, LoaderConfig()) if isinstance(a, Article)]
    return found


def article_vectors(index_dir: Path, ids: list[str]) -> dict[str, np.ndarray]:
    """Mean of each article's chunk vectors (normalised), read from the Chroma collection."""
    import chromadb

    client = chromadb.PersistentClient(path=str(index_dir / "chroma"))
    collection = client.list_collections()[0]
    data = collection.get(include=["embeddings", "metadatas"])
    sums: dict[str, list[np.ndarray]] = defaultdict(list)
    for vector, meta in zip(data["embeddings"], data["metadatas"], strict=True):
        sums[meta["article_id"]].append(np.asarray(vector, dtype=np.float32))
    out = {}
    for i in ids:
        if i in sums:
            mean = np.mean(sums[i], axis=0)
            out[i] = mean / np.linalg.norm(mean)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--index", type=Path, required=True, help="a data dir that indexed the corpus")
    parser.add_argument("--show", type=int, default=4, help="sample pairs printed per band")
    args = parser.parse_args()
    random.seed(0)

    articles = load_corpus(args.corpus)
    by_body: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_body[a.body_hash].append(a)
    unique = [group[0] for group in by_body.values()]
    exact_pairs = sum(len(g) * (len(g) - 1) // 2 for g in by_body.values())
    print(f"{len(articles)} articles, {len(unique)} distinct bodies, {exact_pairs} exact-duplicate pairs")

    started = time.perf_counter()
    grams = {a.article_id: shingles(a.body, 5) for a in unique}
    lsh = MinHashLSH(threshold=0.2, num_perm=128)
    for a in unique:
        signature = MinHash(num_perm=128, seed=1)
        signature.update_batch([s.encode() for s in grams[a.article_id]])
        lsh.insert(a.article_id, signature)
    minhash_s = time.perf_counter() - started
    print(f"MinHash signatures + LSH for {len(unique)} bodies: {minhash_s:.1f}s")

    by_id = {a.article_id: a for a in unique}
    # all pairs by exact Jaccard would be 2M set intersections; LSH at 0.2 gives the candidates
    jac: dict[tuple[str, str], float] = {}
    for a in unique:
        signature = MinHash(num_perm=128, seed=1)
        signature.update_batch([s.encode() for s in grams[a.article_id]])
        for other in lsh.query(signature):
            if other != a.article_id:
                pair = tuple(sorted((a.article_id, other)))
                jac[pair] = jaccard(grams[pair[0]], grams[pair[1]])

    vectors = article_vectors(args.index, [a.article_id for a in unique])
    ids = [i for i in by_id if i in vectors]
    matrix = np.stack([vectors[i] for i in ids])
    cosine = matrix @ matrix.T
    upper = np.triu_indices(len(ids), k=1)
    close = [(float(cosine[i, j]), ids[i], ids[j]) for i, j in zip(*upper, strict=True) if cosine[i, j] >= 0.80]

    def show(pairs: list[tuple[float, float, str, str]]) -> None:
        for c, jv, x, y in random.sample(pairs, min(args.show, len(pairs))):
            ax, ay = by_id[x], by_id[y]
            print(f"      cos {c:.3f} jac {jv:.2f} | {ax.title[:55]!r} ({Path(ax.source_key).parent.name}/{Path(ax.source_key).name})"
                  f" ~ {ay.title[:55]!r} ({Path(ay.source_key).name})")

    def cos_of(x: str, y: str) -> float:
        return float(cosine[ids.index(x), ids.index(y)]) if x in vectors and y in vectors else float("nan")

    print("\nShingle Jaccard (5-word shingles), pairs of distinct bodies:")
    bands = [(0.2, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    for low, high in bands:
        pairs = [(cos_of(*p), v, *p) for p, v in jac.items() if low <= v < high]
        print(f"  {low:.1f}-{min(high, 1):.1f}: {len(pairs)} pairs")
        show(pairs)

    print("\nEmbedding cosine (mean of MiniLM chunk vectors), pairs of distinct bodies:")
    for low, high in [(0.80, 0.85), (0.85, 0.90), (0.90, 0.95), (0.95, 1.01)]:
        pairs = [(c, jac.get(tuple(sorted((x, y))), 0.0), x, y) for c, x, y in close if low <= c < high]
        near = sum(1 for _, jv, _, _ in pairs if jv >= 0.5)
        print(f"  {low:.2f}-{min(high, 1):.2f}: {len(pairs)} pairs, of which {near} have Jaccard >= 0.5")
        show([p for p in pairs if p[1] < 0.5])
    missed = [(cos_of(*p), v, *p) for p, v in jac.items() if v >= 0.5]
    for cut in (0.85, 0.90, 0.95):
        caught = sum(1 for c, *_ in missed if c >= cut)
        print(f"  cosine >= {cut}: catches {caught}/{len(missed)} of the Jaccard >= 0.5 pairs, "
              f"and flags {sum(1 for c, *_ in close if c >= cut)} pairs in all")


if __name__ == "__main__":
    main()
