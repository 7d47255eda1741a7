"""Backend strings -> LangChain chat models; guarded imports; model errors as messages."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import openai
import pytest
from pydantic import SecretStr

from assistant import Assistant, ConfigError
from assistant.generative.backends import chat_model, describe_error, parse_backend
from assistant.settings import GenerationSettings


def test_parse_backend() -> None:
    assert parse_backend("openai:gpt-4o-mini") == ("openai", "gpt-4o-mini")
    assert parse_backend("ollama:llama3.2:3b") == ("ollama", "llama3.2:3b")  # tags keep their colon
    assert parse_backend("llamacpp:/models/x.gguf") == ("llamacpp", "/models/x.gguf")


@pytest.mark.parametrize("spec", ["gpt-4o", "anthropic:claude", "openai:", "llamacpp"])
def test_an_unknown_backend_is_refused_when_the_assistant_is_built(spec: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="openai:MODEL.*ollama:MODEL.*llamacpp:"):
        Assistant(data_dir=tmp_path, llm=spec)


def test_openai_without_key_or_server_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY.*OPENAI_BASE_URL"):
        chat_model("openai:gpt-4o-mini", GenerationSettings())


def test_openai_reads_the_environment_and_explicit_settings_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = chat_model("openai:local", GenerationSettings(timeout=7, max_tokens=99))
    assert (model.model_name, model.openai_api_base, model.request_timeout, model.max_tokens) == (
        "local", "http://127.0.0.1:8080/v1", 7, 99)
    explicit = GenerationSettings(base_url="http://10.0.0.1:9/v1", api_key=SecretStr("sk-test"))
    model = chat_model("openai:local", explicit)
    assert model.openai_api_base == "http://10.0.0.1:9/v1"
    assert model.openai_api_key.get_secret_value() == "sk-test"


def test_ollama_uses_ollama_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:11434")
    model = chat_model("ollama:llama3.2", GenerationSettings(max_tokens=50))
    assert (model.model, model.base_url, model.num_predict) == ("llama3.2", "http://127.0.0.1:11434", 50)


def test_llamacpp_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no model file at"):
        chat_model(f"llamacpp:{tmp_path / 'missing.gguf'}", GenerationSettings())


@pytest.mark.parametrize(("backend", "module", "package"), [
    ("ollama", "langchain_ollama", "langchain-ollama"),
    ("openai", "langchain_openai", "langchain-openai"),
    ("llamacpp", "llama_cpp", "llama-cpp-python"),
])
def test_a_missing_package_is_named_with_the_extra(
    backend: str, module: str, package: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import now fails as if not installed
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model_file = tmp_path / "model.gguf"
    model_file.write_bytes(b"GGUF")
    target = model_file if backend == "llamacpp" else "some-model"
    with pytest.raises(ConfigError, match=rf"{package}.*newsdesk\[llm\]"):
        chat_model(f"{backend}:{target}", GenerationSettings())


REQUEST = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")


@pytest.mark.parametrize(("error", "says"), [
    (openai.APIConnectionError(request=REQUEST), "cannot reach the model server"),
    (ConnectionError("Failed to connect to Ollama."), "cannot reach the model server"),
    (openai.APITimeoutError(request=REQUEST), "did not answer in time"),
    (openai.NotFoundError("The model `nope` does not exist", response=httpx.Response(404, request=REQUEST), body=None),
     "does not know this model"),
    (ValueError("Requested tokens (3000) exceed context window of 2048"), "context window"),
    (openai.BadRequestError("This model's maximum context length is 4096 tokens", response=httpx.Response(400, request=REQUEST), body=None),
     "context window"),
    (RuntimeError("boom"), "the model failed: RuntimeError: boom"),
])
def test_model_errors_become_one_line_messages(error: Exception, says: str) -> None:
    assert says in describe_error(error)
