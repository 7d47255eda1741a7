"""One settings tree for Newsdesk: environment (NEWSDESK_*, nested with __), CLI flags and
keyword arguments all fill the same model."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index import ChunkConfig, EmbeddingConfig, LoaderConfig


class RetrievalSettings(BaseModel):
    """Hybrid search: dense (Chroma) + BM25 (FTS5), fused by reciprocal rank."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(6, ge=1, le=50, description="passages handed to the answerer")
    dense_k: int = Field(40, ge=1, le=500, description="candidates from the vector search")
    bm25_k: int = Field(40, ge=1, le=500, description="candidates from the keyword search")
    rrf_k: int = Field(60, ge=1, description="RRF constant: score = sum 1 / (rrf_k + rank)")
    max_chunks_per_article: int = Field(2, ge=1, le=20, description="cap per article in the top k")


class AnswerSettings(BaseModel):
    """Extractive answering: sentence scoring, selection and abstention."""

    model_config = ConfigDict(extra="forbid")

    max_sentences: int = Field(2, ge=1, le=5, description="sentences in an extractive answer")
    abstain_below: float = Field(
        0.40, description="abstain when the best sentence scores below this (calibrated on "
        "the dev set, see docs/BENCHMARKS.md)"
    )
    max_missing_idf: float = Field(
        6.0, description="abstain when a question word this rare (IDF) is absent from the evidence"
    )
    extra_sentence_ratio: float = Field(
        0.85, ge=0, le=1, description="a further sentence must score this share of the best"
    )
    candidates: int = Field(14, ge=1, description="sentences re-scored with embeddings")
    max_question_chars: int = Field(2000, ge=10, description="longer questions are refused")


class Settings(BaseSettings):
    """All of Newsdesk's settings."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(Path(".newsdesk"), description="where the index lives")
    chroma_url: str | None = Field(
        None, description="a Chroma server (e.g. http://127.0.0.1:8000) instead of embedded"
    )
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    chunking: ChunkConfig = Field(default_factory=ChunkConfig)
    loading: LoaderConfig = Field(default_factory=LoaderConfig)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)

    def fingerprint(self) -> str:
        """Short hash of the settings that shape answers (for reproducible results)."""
        shaping = self.model_dump(include={"embedding", "chunking", "retrieval", "answer"})
        return hashlib.sha1(repr(sorted(shaping.items())).encode()).hexdigest()[:10]
