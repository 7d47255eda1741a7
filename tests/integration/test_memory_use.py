"""Memory an index run no longer needs goes back: oneDNN's kernel cache is capped when the
model loads (unless the user set it), and freed heap pages are returned after a run that
embedded something."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from support import MakeAssistant, copy_articles

import index.indexer
from index.config import EmbeddingConfig
from index.embedding import KERNEL_CACHE, SentenceTransformerEmbedder

pytestmark = pytest.mark.integration


def test_the_kernel_cache_is_capped_once_the_model_is_loaded(embedder: Any) -> None:
    assert os.environ.get("ONEDNN_PRIMITIVE_CACHE_CAPACITY") == KERNEL_CACHE


def test_a_kernel_cache_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")
    model = SentenceTransformerEmbedder(EmbeddingConfig()).model
    assert model.max_seq_length == 256
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "64"


def test_freed_memory_is_released_after_a_run_that_embedded(
    tmp_path: Path, make_assistant: MakeAssistant, monkeypatch: pytest.MonkeyPatch,
) -> None:
    releases: list[int] = []
    monkeypatch.setattr(index.indexer, "release_free_memory", lambda: releases.append(1) or True)
    corpus = copy_articles(tmp_path / "articles")
    desk = make_assistant(tmp_path / "data")
    first = desk.index([corpus])
    assert first.chunks_embedded > 0
    assert releases == [1]
    again = desk.index([corpus])  # unchanged: nothing embedded, nothing to give back
    assert again.chunks_embedded == 0
    assert releases == [1]
