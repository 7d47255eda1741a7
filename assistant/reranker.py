"""An optional cross-encoder that re-scores candidate sentences against the question
(`answer.reranker`: a sentence-transformers CrossEncoder name or local path). Off by default:
Newsdesk ships none and downloads nothing; a user with one gets its judgement blended into
the sentence ranking."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from assistant.errors import ConfigError


class Reranker:
    """A CrossEncoder loaded on first use; scores are relevance probabilities (0..1)."""

    def __init__(self, name_or_path: str) -> None:
        self.name_or_path = name_or_path
        self._model: Any = None
        self._lock = threading.Lock()  # one forward pass at a time: tokenizers are not thread-safe

    def scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        """Relevance of each sentence to the question, 0..1."""
        if not sentences:
            return []
        with self._lock:
            model = self._load()
            values = model.predict([(question, s) for s in sentences], show_progress_bar=False)
        return [float(min(1.0, max(0.0, v))) for v in values]

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import CrossEncoder

            try:
                self._model = CrossEncoder(self.name_or_path, num_labels=1, device="cpu")
            except (OSError, ValueError) as error:
                raise ConfigError(
                    f"answer.reranker={self.name_or_path!r} could not be loaded ({error}); give a local "
                    "CrossEncoder folder or a model name available offline, or unset NEWSDESK_ANSWER__RERANKER"
                ) from error
        return self._model
