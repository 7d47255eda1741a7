"""One settings tree for Newsdesk: environment (NEWSDESK_*, nested with __), CLI flags and
keyword arguments all fill the same model."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.timewords import TimeWordSettings
from index import ChunkConfig, EmbeddingConfig, LoaderConfig
from index.config import FetchConfig, NearDuplicateConfig, RayConfig, WatchConfig


class RetrievalSettings(BaseModel):
    """Hybrid search: dense (Chroma) + BM25 (FTS5), fused by reciprocal rank."""

    model_config = ConfigDict(extra="forbid")

    k: int = Field(6, ge=1, le=50, description="passages handed to the answerer")
    dense_k: int = Field(40, ge=1, le=500, description="candidates from the vector search")
    bm25_k: int = Field(40, ge=1, le=500, description="candidates from the keyword search")
    rrf_k: int = Field(60, ge=1, description="RRF constant: score = sum weight / (rrf_k + rank)")
    keyword_weight: float = Field(
        0.1, ge=0, le=4, description="weight of the keyword ranking in the fusion (dense: 1); at 0.1 it breaks "
        "ties and brings in what the vector search missed (best MRR@10 and hit@5 on both dev sets)"
    )
    max_chunks_per_article: int = Field(2, ge=1, le=20, description="cap per article in the top k")


class AnswerSettings(BaseModel):
    """Extractive answering: sentence choice, the "not stated" state and contested claims.
    Whether to answer at all is decided by the calibrated answer model (assistant/answer_model.json)."""

    model_config = ConfigDict(extra="forbid")

    max_sentences: int = Field(3, ge=1, le=5, description="most answer sentences cited for one part")
    candidates: int = Field(12, ge=1, le=200, description="sentences per part scored with embeddings and entities")
    extra_sentence_ratios: tuple[float, ...] = Field(
        (0.5, 0.7), description="the runner-up sentences are cited too, in order, while each one's probability is at "
        "least this share of the best's (the model cannot tell them apart); at most max_sentences in all"
    )
    max_related: int = Field(2, ge=0, le=5, description="related sentences shown when the articles do not state the answer")
    related_min_coverage: float = Field(
        0.35, ge=0, le=1, description="share of the question's words (IDF-weighted) the best sentence and its "
        "context must cover for the answer to be 'not stated' (related sentences shown) rather than 'not found'"
    )
    contested_ratio: float = Field(
        0.5, ge=0, le=1, description="a claim attributed to another party is shown beside the best when it scores "
        "this share of the best"
    )
    model_file: Path | None = Field(
        None, description="the answer model (sentence ranking and calibrated abstention) as JSON; default: the "
        "bundled one, fitted on the development questions (write your own with bench/calibrate.py)"
    )
    entities: bool = Field(True, description="tag candidate sentences with spaCy's named entities (else regular expressions only)")
    reranker: str | None = Field(
        None, description="a sentence-transformers CrossEncoder name or local path that re-scores candidate sentences "
        "(off by default; none ships with Newsdesk)"
    )
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
        env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="forbid"
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
    auth: SecretStr | None = Field(
        None, description="require a login on the web page and its API, as user:password"
    )

    @field_validator("auth")
    @classmethod
    def _user_and_password(cls, value: SecretStr | None) -> SecretStr | None:
        """'user:password', both non-empty (the password may contain ':')."""
        if value is not None:
            user, sep, password = value.get_secret_value().partition(":")
            if not (user and sep and password):
                raise ValueError("expected user:password")
        return value

    def credentials(self) -> tuple[str, str] | None:
        """The login of the web page as (user, password), or None without auth."""
        if self.auth is None:
            return None
        user, _, password = self.auth.get_secret_value().partition(":")
        return user, password

    def fingerprint(self) -> str:
        """Short hash of the settings that shape answers (for reproducible results)."""
        shaping = self.model_dump(include={"embedding", "chunking", "retrieval", "answer"})
        return hashlib.sha1(repr(sorted(shaping.items())).encode()).hexdigest()[:10]


def build_settings(base: Settings | None = None, **overrides: Any) -> Settings:
    """Settings from the environment (or base) with overrides applied, all validated.

    Overrides are keyword arguments named like the fields; a section may be given as a model
    or as a dict of some of its fields (merged into the base section), e.g.
    build_settings(retrieval={"k": 3}). An unknown name or a value out of range raises
    ConfigError naming the setting (model_copy(update=...) would skip that validation).
    """
    try:
        if base is None:
            return Settings(**overrides)
        if not overrides:
            return base
        return Settings.model_validate(_merged(base.model_dump(), overrides))
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    """A pydantic ValidationError as one line naming each setting, e.g.
    "invalid settings: retrieval.k=500: Input should be less than or equal to 50"."""
    parts = []
    for problem in error.errors(include_url=False):
        loc = [str(p) for p in problem["loc"]]
        name = ".".join(loc) or "settings"
        if problem["type"] == "extra_forbidden":
            close = difflib.get_close_matches(loc[-1], _field_names(loc[:-1]), n=1)
            parts.append(f"unknown setting {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        elif loc and loc[-1] in _SECRET_FIELDS:
            parts.append(f"{name}: {problem['msg']}")  # never echo a password or key
        else:
            shown = repr(problem["input"])
            parts.append(f"{name}={shown[:60] + '...' if len(shown) > 60 else shown}: {problem['msg']}")
    return "invalid settings: " + "; ".join(parts)


_SECRET_FIELDS = {"auth", "api_key"}


def _field_names(path: list[str]) -> list[str]:
    """Names of the fields of the settings section at path (e.g. ['retrieval'])."""
    model: Any = Settings
    for name in path:
        field = model.model_fields.get(name) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = field.annotation
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """base updated with overrides; a dict (or model) override of a section merges into it."""
    result = dict(base)
    for name, value in overrides.items():
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            value = _merged(result[name], value)
        result[name] = value
    return result
