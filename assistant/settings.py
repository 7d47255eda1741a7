"""One settings tree for Newsdesk: environment (NEWSDESK_*, nested with __), CLI flags and
keyword arguments all fill the same model."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.timewords import TimeWordSettings
from index import ChunkConfig, EmbeddingConfig, LoaderConfig
from index.config import FetchConfig, NearDuplicateConfig, RayConfig, WatchConfig


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

    max_sentences: int = Field(3, ge=1, le=5, description="sentences in an extractive answer")
    abstain_below: float = Field(
        0.635, description="abstain when the best sentence scores below this (calibrated on "
        "the dev set, see docs/BENCHMARKS.md)"
    )
    max_missing_idf: float = Field(
        9.0, description="abstain when a question word this rare (IDF; 9 = in no indexed chunk "
        "of a ~7k-chunk archive) is absent from the best article"
    )
    extra_sentence_ratio: float = Field(
        0.85, ge=0, le=1, description="a further sentence must score this share of the best"
    )
    candidates: int = Field(14, ge=1, description="sentences re-scored with embeddings")
    max_question_chars: int = Field(2000, ge=10, description="longer questions are refused")


class GenerationSettings(BaseModel):
    """LLM answers (NEWSDESK_LLM picks the backend): connection, sampling and the citation check."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = Field(
        None, description="server URL for openai: (else OPENAI_BASE_URL) or ollama: (else OLLAMA_HOST)"
    )
    api_key: SecretStr | None = Field(None, description="key for openai: (else OPENAI_API_KEY)")
    timeout: float = Field(60.0, gt=0, description="seconds to wait for the model server")
    max_retries: int = Field(1, ge=0, description="retries of a failed request to the server")
    max_tokens: int = Field(384, ge=16, description="longest reply, in model tokens")
    temperature: float = Field(0.0, ge=0, le=2, description="sampling temperature (0 = greedy)")
    context_window: int = Field(4096, ge=128, description="llamacpp: context size (n_ctx) in tokens")
    threads: int | None = Field(None, ge=1, description="llamacpp: CPU threads (default: llama.cpp's choice)")
    support_threshold: float = Field(
        0.5, ge=0, le=1, description="a sentence whose best support in its cited passages scores "
        "below this is flagged unsupported (see the README, Using a language model)"
    )


class UploadLimits(BaseModel):
    """Limits on uploads through the web page."""

    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(25.0, gt=0, description="largest uploaded file (a zip counts as one file)")
    max_files: int = Field(200, ge=1, description="files per upload")
    max_zip_entries: int = Field(5000, ge=1, description="files inside one zip")
    max_unzipped_mb: float = Field(500.0, gt=0, description="total uncompressed size of one zip")
    max_zip_ratio: float = Field(200.0, gt=1, description="uncompressed/compressed size above which a zip is a bomb")


class Settings(BaseSettings):
    """All of Newsdesk's settings."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(Path(".newsdesk"), description="where the index lives")
    chroma_url: str | None = Field(
        None, description="a Chroma server (e.g. http://127.0.0.1:8000) instead of embedded"
    )
    catalog_url: str | None = Field(
        None, description="a PostgreSQL catalog (postgresql://user:password@host:5432/db) "
        "instead of <data dir>/catalog.sqlite; with chroma_url too, nothing is kept on local disk"
    )
    chroma_collection: str | None = Field(
        None, description="share this Chroma collection deliberately between indexes (default: "
        "a collection of the index's own, named from its id); set when the index is created"
    )
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    chunking: ChunkConfig = Field(default_factory=ChunkConfig)
    loading: LoaderConfig = Field(default_factory=LoaderConfig)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    upload: UploadLimits = Field(default_factory=UploadLimits)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    near_duplicates: NearDuplicateConfig = Field(default_factory=NearDuplicateConfig)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    ray: RayConfig = Field(default_factory=RayConfig)
    time: TimeWordSettings = Field(default_factory=TimeWordSettings)
    llm: str | None = Field(
        None, description="answer with a language model: openai:MODEL, ollama:MODEL or "
        "llamacpp:/path/model.gguf (default: extractive, no model)"
    )
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    prompts_dir: Path | None = Field(
        None, description="folder with your own answer.md / condense.md (default: the bundled ones)"
    )

    def fingerprint(self) -> str:
        """Short hash of the settings that shape answers (for reproducible results)."""
        shaping = self.model_dump(include={"embedding", "chunking", "retrieval", "answer"})
        return hashlib.sha1(repr(sorted(shaping.items())).encode()).hexdigest()[:10]
