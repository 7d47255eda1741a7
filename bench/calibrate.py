"""Fit the answer model (assistant/answer_model.json) on the development question sets and our
own training questions (bench/train_questions.jsonl).

    python bench/calibrate.py --data-dir DIR                      # fit on every question, write the model
    python bench/calibrate.py --data-dir DIR --fit-on f,u,t --out /tmp/m.json   # hold all of dev_hard back

DIR is an index of ../shared/corpora/seed and ../shared/corpora/bbc. For every question (and
every part of a multi-part question) the real read path retrieves passages and computes the
features of its candidate sentences; a sentence is a positive example when it is the question's
evidence sentence (or holds a gold answer inside a gold article). Two logistic models are
fitted: the sentence model ranks candidates; the answer model says whether the archive answers
the question at all. Its threshold is chosen by grouped cross-validation so that at most
--max-abstain-answerable of the answerable questions abstain. It prints cross-validated
figures and draws the answer model's reliability plot (docs/calibration.png).
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from assistant.calibration import (  # noqa: E402
    ANSWER_FEATURES,
    AnswerModel,
    LinearModel,
    answer_features,
    fit_logistic,
    lacks_asked_value,
)
from assistant.evidence import Evidence  # noqa: E402
from assistant.features import FEATURES, feature_vector  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
TRAIN = ROOT / "bench" / "train_questions.jsonl"
"""Our own questions over the BBC corpus (ids t*), written to fit on, never reported as unseen."""


@dataclass
class PartRows:
    """The candidates of one part of one question, with labels."""

    qid: str
    answerable: bool
    features: np.ndarray  # candidates x FEATURES
    labels: np.ndarray  # 1 = holds the answer
    agreement: np.ndarray  # per candidate: 1 / rank of its article among the passages


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def gold_strings(q: dict) -> list[str]:
    """Every accepted answer string of a question."""
    return [a for a in [q.get("answer", ""), *q.get("aliases", []), *q.get("answers_all", [])] if a]


def is_positive(text: str, q: dict, speaker: str | None = None) -> bool:
    """A candidate holds the answer: it is an evidence sentence, it holds a gold answer (what
    the accuracy figure counts), or, for "who said" questions, its speaker is the gold answer."""
    norm = _norm(text)
    for evidence in q.get("evidence", []):
        e = _norm(evidence)
        if e and (e in norm or (len(norm) > 30 and norm in e)):
            return True
    golds = [_norm(g) for g in gold_strings(q)]
    return any(g and (g in norm or g in _norm(speaker or "")) for g in golds)


class _CachedTokens:
    """The embedder's embed_tokens with a memory of texts already embedded."""

    def __init__(self, embed_tokens: object, known: dict[str, object]) -> None:
        self.embed_tokens, self.known = embed_tokens, known

    def __call__(self, texts: list[str]) -> list[object]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.known]
        if todo:
            self.known.update(zip(todo, self.embed_tokens(todo), strict=True))  # type: ignore[operator]
        return [self.known[t] for t in texts]


def collect(assistant: Assistant, questions: list[dict], cache: Path | None = None) -> list[PartRows]:
    """Features and labels of every candidate of every part of every question.

    cache: a file keeping what is slow and does not change while features are tuned (what
    retrieval found, the entities of each sentence, the word-piece vectors); the features are
    always computed by the current code."""
    saved = pickle.loads(cache.read_bytes()) if cache and cache.exists() else {"found": {}, "tags": {}, "tokens": {}}
    answerer = assistant.extractive
    answerer.tagger._cache.update(saved["tags"])
    answerer.embed_tokens = _CachedTokens(assistant.store.embedder.embed_tokens, saved["tokens"])  # type: ignore[assignment]
    rows = []
    for q in questions:
        query = assistant.parse(q["question"])
        parts = list(query.parts) or [query]
        found = saved["found"].get(q["id"])
        if found is None or len(found) != len(parts) or [f.query.search_text for f in found] != [p.search_text for p in parts]:
            found = saved["found"][q["id"]] = assistant.retrieve(query)
        for part, retrieved in zip(parts, found, strict=True):
            retrieved.query = part  # parsed by the current code; retrieval kept
            evidence = Evidence(retrieved.passages, retrieved.bodies, answerer.tagger)
            ranked = answerer.rank(part, evidence, retrieved)
            if not ranked:
                continue
            articles = list(dict.fromkeys(p.article_id for p in retrieved.passages))
            rows.append(PartRows(
                qid=q["id"], answerable=bool(q.get("docs")),
                features=np.array([feature_vector(c) for c in ranked]),
                labels=np.array([int(bool(q.get("docs")) and is_positive(c.text, q, c.speaker.name if c.speaker else None))
                                 for c in ranked]),
                agreement=np.array([1.0 / (1 + articles.index(c.article.article_id)) for c in ranked]),
            ))
    if cache:
        saved["tags"] = dict(answerer.tagger._cache)
        cache.write_bytes(pickle.dumps(saved))
    return rows


def fit_sentence(parts: list[PartRows], c: float) -> LinearModel:
    """The sentence model, fitted on the candidates of answerable parts (unweighted: it ranks)."""
    chosen = [p for p in parts if p.answerable]
    x = np.vstack([p.features for p in chosen])
    y = np.concatenate([p.labels for p in chosen])
    return fit_logistic(x, y, FEATURES, c, balanced=False)


def part_answer_rows(parts: list[PartRows], sentence: LinearModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Answer-model inputs per part (from the best candidate under `sentence`), labels
    (answerable), whether that best candidate holds the answer, and whether it lacks a value
    of the asked kind (then the answerer abstains whatever the model says)."""
    xs, ys, hits, lacks = [], [], [], []
    for p in parts:
        probs = sentence.probabilities(p.features)
        order = np.argsort(-probs)
        best, second = order[0], (order[1] if len(order) > 1 else None)
        features = dict(zip(FEATURES, p.features[best], strict=True))
        values = answer_features(features, float(probs[best]), float(probs[second]) if second is not None else 0.0,
                                 float(p.agreement[best]))
        xs.append([values[n] for n in ANSWER_FEATURES])
        ys.append(int(p.answerable))
        hits.append(int(p.labels[best]))
        lacks.append(lacks_asked_value(features))
    return np.array(xs), np.array(ys), np.array(hits), np.array(lacks, dtype=bool)


def cross_validate(parts: list[PartRows], folds: int, c: float) -> dict[str, np.ndarray]:
    """Out-of-fold answer probabilities and hits, folds grouped by question."""
    qids = sorted({p.qid for p in parts})
    fold_of = {q: i % folds for i, q in enumerate(qids)}
    probs, labels, hits, qid_rows, lacks = [], [], [], [], []
    for fold in range(folds):
        train = [p for p in parts if fold_of[p.qid] != fold]
        test = [p for p in parts if fold_of[p.qid] == fold]
        if not test:
            continue
        sentence = fit_sentence(train, c)
        xtr, ytr, _, _ = part_answer_rows(train, sentence)
        answer = fit_logistic(xtr, ytr, ANSWER_FEATURES, c, balanced=False)
        xte, yte, hte, lacking = part_answer_rows(test, sentence)
        probs.append(np.where(lacking, 0.0, answer.probabilities(xte)))
        labels.append(yte)
        hits.append(hte)
        lacks.append(lacking)
        qid_rows += [p.qid for p in test]
    return {"p": np.concatenate(probs), "y": np.concatenate(labels), "hit": np.concatenate(hits), "qid": np.array(qid_rows),
            "lacks": np.concatenate(lacks)}


def choose_threshold(cv: dict[str, np.ndarray], max_abstain_answerable: float) -> float:
    """The highest threshold keeping abstention on answerable parts at or under the limit."""
    answerable = np.sort(cv["p"][cv["y"] == 1])
    if not len(answerable):
        return 0.5
    k = int(np.floor(max_abstain_answerable * len(answerable)))
    return float(answerable[k]) - 1e-6 if k < len(answerable) else 0.5


def reliability_plot(cv: dict[str, np.ndarray], path: Path, bins: int = 8) -> list[tuple[float, float, int]]:
    """Mean predicted probability vs observed share of answerable parts, per bin; a PNG. Parts
    whose best sentence lacks a value of the asked kind are left out: the model does not
    decide those."""
    cv = {key: values[~cv["lacks"]] for key, values in cv.items()}
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = np.linspace(0, 1, bins + 1)
    table = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (cv["p"] >= lo) & (cv["p"] < hi if hi < 1 else cv["p"] <= hi)
        if mask.any():
            table.append((float(cv["p"][mask].mean()), float(cv["y"][mask].mean()), int(mask.sum())))
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    ax.plot([t[0] for t in table], [t[1] for t in table], "o-", label="answer model (out-of-fold)")
    for x, y, n in table:
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=8)
    ax.set_xlabel("predicted P(answerable)")
    ax.set_ylabel("observed share answerable")
    ax.set_title("Answer model reliability (out-of-fold)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--questions", nargs="+", type=Path, default=[SHARED / "dev.jsonl", SHARED / "dev_hard.jsonl", TRAIN])
    parser.add_argument("--fit-on", default="", help="comma-separated id prefixes to fit on (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "assistant" / "answer_model.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "calibration.png")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of both models")
    parser.add_argument("--max-abstain-answerable", type=float, default=0.08)
    parser.add_argument("--cache", type=Path, help="keep retrieval results, entities and word-piece vectors in this file")
    args = parser.parse_args()

    questions = [json.loads(line) for path in args.questions for line in path.read_text().splitlines() if line.strip()]
    prefixes = [p for p in args.fit_on.split(",") if p]
    fit = [q for q in questions if not prefixes or any(q["id"].startswith(p) for p in prefixes)]
    parts = collect(Assistant(data_dir=args.data_dir), questions, args.cache)
    fit_ids = {q["id"] for q in fit}
    fit_parts = [p for p in parts if p.qid in fit_ids]

    cv = cross_validate(fit_parts, args.folds, args.c)
    threshold = choose_threshold(cv, args.max_abstain_answerable)
    answered = cv["p"] >= threshold
    print(f"fitted on {len(fit_ids)} questions ({len(fit_parts)} parts); cross-validated, threshold {threshold:.3f}:")
    print(f"  best sentence holds the answer (answerable parts): {cv['hit'][cv['y'] == 1].mean():.3f}")
    print(f"  abstain on answerable parts: {(~answered[cv['y'] == 1]).mean():.3f}")
    print(f"  abstain on unanswerable parts: {(~answered[cv['y'] == 0]).mean():.3f}")
    lacking = cv["lacks"]
    print(f"  of which no value of the asked kind: {int(lacking.sum())} parts ({int((lacking & (cv['y'] == 1)).sum())} answerable, "
          f"{int((lacking & (cv['y'] == 1) & (cv['hit'] == 1)).sum())} of them answered right otherwise)")
    table = reliability_plot(cv, args.plot)
    for p, y, n in table:
        print(f"  reliability: predicted {p:.2f} observed {y:.2f} (n={n})")

    sentence = fit_sentence(fit_parts, args.c)
    x, y, _, _ = part_answer_rows(fit_parts, sentence)
    answer = fit_logistic(x, y, ANSWER_FEATURES, args.c, balanced=False)
    notes = {
        "fitted_on": sorted(fit_ids)[0][:1] + "..: " + ",".join(prefixes or ["all"]),
        "questions": len(fit_ids), "parts": len(fit_parts), "c": args.c,
        "cv_abstain_answerable": round(float((~answered[cv["y"] == 1]).mean()), 3),
        "cv_abstain_unanswerable": round(float((~answered[cv["y"] == 0]).mean()), 3),
    }
    AnswerModel(sentence, answer, round(threshold, 4), notes).save(args.out)
    print(f"wrote {args.out} and {args.plot}")


if __name__ == "__main__":
    main()
