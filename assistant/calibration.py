"""The answer model: two small logistic models fitted on the development question sets.

- the sentence model gives P(this sentence answers the question | its features), to rank the
  candidates of a part;
- the answer model gives P(the archive answers the question | the best sentence's features and
  how it stands out), calibrated by cross-validation: below `threshold` Newsdesk says the
  answer is not in the articles (or not stated in the articles about the subject) instead of
  answering.

The weights live in assistant/answer_model.json, written by `python bench/calibrate.py`
(see docs/BENCHMARKS.md for how they were fitted and checked).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = Path(__file__).with_name("answer_model.json")

ANSWER_FEATURES = (
    "p_best", "margin", "weakest", "names", "names_art", "entity_missing", "filler", "value_soft", "ctx", "art_lex",
    "years", "hedged", "ordinal_clash", "verb_cov", "mod_cov", "propn_cov", "noun_cov", "year_clash",
    "value_noun",
)
"""Features of a whole (part) answer, in the order of the answer model's weights."""


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression: P = sigmoid(weights . x + bias), x in `names` order."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: Mapping[str, float]) -> float:
        """P for a mapping of feature values (missing features count as 0)."""
        z = self.bias + sum(w * values.get(n, 0.0) for n, w in zip(self.names, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P for each row of a feature matrix in `names` order."""
        z = rows @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, object]:
        """The model as plain data."""
        return {"names": list(self.names), "weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        """A model from plain data (see to_json)."""
        names = tuple(str(n) for n in data["names"])
        weights = tuple(float(w) for w in data["weights"])
        if len(names) != len(weights):
            raise ValueError("answer model: names and weights differ in length")
        return cls(names, weights, float(data["bias"]))


@dataclass(frozen=True)
class AnswerModel:
    """The sentence ranker, the answerability model and the abstention threshold."""

    sentence: LinearModel
    answer: LinearModel
    threshold: float = 0.5
    notes: dict[str, object] = field(default_factory=dict)

    def save(self, path: Path = MODEL_FILE) -> None:
        """Write the model as JSON."""
        data = {"sentence": self.sentence.to_json(), "answer": self.answer.to_json(),
                "threshold": self.threshold, "notes": self.notes}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load_answer_model(path: Path = MODEL_FILE) -> AnswerModel:
    """The bundled answer model (or another written by bench/calibrate.py)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return AnswerModel(
        LinearModel.from_json(data["sentence"]), LinearModel.from_json(data["answer"]),
        float(data["threshold"]), dict(data.get("notes", {})),
    )


def answer_features(best: Mapping[str, float], p_best: float, p_second: float, agreement: float) -> dict[str, float]:
    """The answer model's inputs: the best sentence's features, its probability, its margin
    over the runner-up, and how far retrieval agrees (1 / rank of its article among passages)."""
    values = {name: best.get(name, 0.0) for name in ANSWER_FEATURES}
    values.update(p_best=p_best, margin=max(0.0, p_best - p_second), agreement=agreement)
    return values


def lacks_asked_value(features: Mapping[str, float]) -> bool:
    """The question asks for a figure, date, person, organisation or place and the sentence
    (with the one after it) holds none: it cannot be the answer, however close it is."""
    return bool(features.get("typed")) and not features.get("filler") and not features.get("filler_next")


def fit_logistic(
    rows: Sequence[Sequence[float]] | np.ndarray, labels: Sequence[int] | np.ndarray, names: Sequence[str],
    c: float = 1.0, balanced: bool = True,
) -> LinearModel:
    """Fit a logistic regression (scikit-learn, L2; classes weighted equally when balanced);
    used by bench/calibrate.py."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced" if balanced else None, max_iter=3000)
    model.fit(np.asarray(rows, dtype=np.float64), np.asarray(labels))
    return LinearModel(tuple(names), tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))
