"""Chat models from a backend string: `openai:MODEL`, `ollama:MODEL`, `llamacpp:/path.gguf`.

Each backend's LangChain package is imported only when that backend is used, and a missing
one is named in the error. Model errors are turned into one-line messages by describe_error.
"""

from __future__ import annotations

import os
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from assistant.errors import ConfigError
from assistant.settings import GenerationSettings

BACKENDS = {
    "openai": "an OpenAI-compatible server (OpenAI, vLLM, llama.cpp server, LM Studio): openai:MODEL",
    "ollama": "an Ollama server: ollama:MODEL",
    "llamacpp": "a local GGUF file run in-process by llama-cpp-python: llamacpp:/path/model.gguf",
}
EXTRA = "pip install 'newsdesk[llm]'"


def parse_backend(spec: str) -> tuple[str, str]:
    """Split 'kind:target' and check the kind, e.g. 'ollama:llama3.2' -> ('ollama', 'llama3.2')."""
    kind, sep, target = spec.strip().partition(":")
    if not sep or not target.strip() or kind not in BACKENDS:
        choices = "; ".join(BACKENDS.values())
        raise ConfigError(f"llm={spec!r} is not a backend I know. Use {choices}")
    return kind, target.strip()


def chat_model(spec: str, settings: GenerationSettings) -> BaseChatModel:
    """Build the chat model for a backend string (loads the model for llamacpp:)."""
    kind, target = parse_backend(spec)
    return {"openai": _openai, "ollama": _ollama, "llamacpp": _llamacpp}[kind](target, settings)


def _openai(model: str, settings: GenerationSettings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as error:
        raise ConfigError(f"the openai: backend needs langchain-openai: {EXTRA}") from error
    base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or None
    key = settings.api_key.get_secret_value() if settings.api_key else os.environ.get("OPENAI_API_KEY")
    if not key and not base_url:
        raise ConfigError(
            "the openai: backend needs a key: set OPENAI_API_KEY (or --api-key); for a local "
            "server set OPENAI_BASE_URL (or --base-url), e.g. http://127.0.0.1:8080/v1"
        )
    return ChatOpenAI(
        model=model, base_url=base_url, api_key=key or "not-needed", timeout=settings.timeout,
        max_retries=settings.max_retries, max_tokens=settings.max_tokens,
        temperature=settings.temperature, stream_usage=False,
    )


def _ollama(model: str, settings: GenerationSettings) -> BaseChatModel:
    try:
        from langchain_ollama import ChatOllama
    except ImportError as error:
        raise ConfigError(f"the ollama: backend needs langchain-ollama: {EXTRA}") from error
    return ChatOllama(
        model=model, base_url=settings.base_url or os.environ.get("OLLAMA_HOST") or None,
        num_predict=settings.max_tokens, temperature=settings.temperature,
        client_kwargs={"timeout": settings.timeout},
    )


def _llamacpp(path: str, settings: GenerationSettings) -> BaseChatModel:
    model_path = Path(path).expanduser()
    if not model_path.is_file():
        raise ConfigError(f"llamacpp: no model file at {model_path} (give the path of a .gguf file)")
    try:
        import llama_cpp  # noqa: F401 - ChatLlamaCpp needs it; name it if it is missing
        from langchain_community.chat_models import ChatLlamaCpp
    except ImportError as error:
        raise ConfigError(
            f"the llamacpp: backend needs llama-cpp-python and langchain-community: {EXTRA}"
        ) from error
    try:
        return ChatLlamaCpp(
            model_path=str(model_path), n_ctx=settings.context_window, n_threads=settings.threads,
            max_tokens=settings.max_tokens, temperature=settings.temperature, seed=0,
            streaming=True, verbose=False,
        )
    except ValueError as error:
        raise ConfigError(f"llamacpp: could not load {model_path}: {error}") from error


def describe_error(error: BaseException) -> str:
    """A one-line, actionable description of a failed model call."""
    name = type(error).__name__
    text = str(error).strip().splitlines()[0] if str(error).strip() else name
    lowered = text.lower()
    if isinstance(error, ConfigError):
        return str(error)
    if "context" in lowered and any(w in lowered for w in ("length", "window", "exceed", "too long", "maximum")):
        return f"the question and passages do not fit the model's context window ({text})"
    if "timeout" in name.lower() or "timed out" in lowered:
        return f"the model server did not answer in time ({text}); raise NEWSDESK_GENERATION__TIMEOUT"
    if "connect" in name.lower() or "connection" in lowered or isinstance(error, ConnectionError):
        return f"cannot reach the model server ({text}); is it running, and is the URL right?"
    if "notfound" in name.lower() or "not found" in lowered or "404" in text:
        return f"the model server does not know this model ({text})"
    if "authentication" in name.lower() or "401" in text:
        return f"the model server refused the key ({text}); check OPENAI_API_KEY"
    return f"the model failed: {name}: {text}"
