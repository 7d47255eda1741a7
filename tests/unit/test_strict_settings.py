"""Strict settings: unknown names and out-of-range values are ConfigErrors naming the setting,
whether they come from keyword arguments, sections given as dicts, or the environment; the
login and the prompts folder are settings too; one error root for both layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, ConfigError, Settings
from assistant.settings import build_settings


def test_a_misspelt_setting_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match=r"^invalid settings: unknown setting 'retreival' \(did you mean 'retrieval'\?\)$"):
        Assistant(retreival=1)
    with pytest.raises(ConfigError, match=r"unknown setting 'retrieval.kk' \(did you mean 'k'\?\)"):
        Assistant(retrieval={"kk": 3})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retrieval": {"k": 500}}, "retrieval.k=500: Input should be less than or equal to 50"),
        ({"retrieval": {"k": 0}}, "retrieval.k=0: Input should be greater than or equal to 1"),
        ({"chunking": {"max_tokens": "many"}}, "chunking.max_tokens='many': Input should be a valid integer"),
        ({"answer": {"max_sentences": 9}}, "answer.max_sentences=9: Input should be less than or equal to 5"),
    ],
)
def test_out_of_range_overrides_are_validated(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match="^invalid settings: " + message.replace("(", r"\(")):
        Assistant(**overrides)
    with pytest.raises(ConfigError, match=message):  # on top of given settings too
        Assistant(settings=Settings(), **overrides)


def test_a_section_given_as_a_dict_merges_into_the_base_settings() -> None:
    base = Settings(retrieval={"dense_k": 90, "k": 4})
    settings = build_settings(base, retrieval={"k": 3}, data_dir="/tmp/news")
    assert (settings.retrieval.k, settings.retrieval.dense_k) == (3, 90)
    assert settings.data_dir == Path("/tmp/news")
    assert base.retrieval.k == 4  # the base is not changed


def test_bad_environment_values_are_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_RETRIEVAL__K", "500")
    with pytest.raises(ConfigError, match=r"^invalid settings: retrieval.k='500': Input should be less than or equal to 50$"):
        Assistant()


def test_login_is_a_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().credentials() is None
    monkeypatch.setenv("NEWSDESK_AUTH", "editor:s3cr:et")
    settings = Settings()
    assert settings.credentials() == ("editor", "s3cr:et")  # the password may hold ':'
    assert "s3cr" not in repr(settings) and "s3cr" not in settings.model_dump_json()
    monkeypatch.setenv("NEWSDESK_AUTH", "editor-without-password")
    with pytest.raises(ConfigError) as refused:
        build_settings()
    assert str(refused.value) == "invalid settings: auth: Value error, expected user:password"


def test_prompts_dir_is_a_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDESK_PROMPTS_DIR", str(tmp_path))
    assert Settings().prompts_dir == tmp_path


def test_one_error_root_for_both_layers() -> None:
    import assistant
    from index.errors import IndexingError as WritePathError

    root = assistant.AssistantError
    for name in ("IndexBusyError", "IndexingError", "IndexMismatchError", "ModelNotFoundError",
                 "StoreUnavailableError", "InvalidQuestionError", "ConfigError"):
        assert issubclass(getattr(assistant, name), root), name
    assert assistant.IndexingError is WritePathError  # re-exported, not a copy
    assert issubclass(root, Exception) and not issubclass(root, ValueError)
