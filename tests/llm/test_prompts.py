"""prompts/: the bundled templates, placeholder validation at load, NEWSDESK_PROMPTS_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, ConfigError, Settings
from assistant.generative.chain import ANSWER_FIELDS, CONDENSE_FIELDS, load_prompts
from prompts import BUNDLED_DIR, PROMPTS_DIR_ENV, PromptError, load_prompt, placeholders


def test_bundled_prompts_use_exactly_the_placeholders_the_code_fills() -> None:
    answer, condense = load_prompts()
    assert answer.path == BUNDLED_DIR / "answer.md"
    assert placeholders(answer.system or "") == {"abstention"}
    assert placeholders(answer.user) == {"passages", "question"}
    assert "square brackets" in answer.user  # the [n] rule comes last, next to the question
    assert [role for role, _ in condense.messages()] == ["system", "human"]
    assert placeholders(condense.user) == set(CONDENSE_FIELDS)


def test_a_missing_placeholder_is_an_error_at_load(tmp_path: Path) -> None:
    (tmp_path / "answer.md").write_text("Answer from the passages.\n---\n{passages}\n", encoding="utf-8")
    with pytest.raises(PromptError, match=r"lacks the placeholder\(s\) \{abstention\}, \{question\}"):
        load_prompt("answer", ANSWER_FIELDS, tmp_path)


def test_an_unknown_placeholder_is_an_error_at_load(tmp_path: Path) -> None:
    (tmp_path / "condense.md").write_text("{history}\n{question}\n{mood}\n", encoding="utf-8")
    with pytest.raises(PromptError, match=r"unknown placeholder\(s\) \{mood\}"):
        load_prompt("condense", CONDENSE_FIELDS, tmp_path)


def test_unbalanced_braces_are_an_error_that_says_how_to_escape(tmp_path: Path) -> None:
    (tmp_path / "condense.md").write_text("{history} {question} and a stray { brace", encoding="utf-8")
    with pytest.raises(PromptError, match="literal braces"):
        load_prompt("condense", CONDENSE_FIELDS, tmp_path)


def test_prompts_dir_from_the_environment_with_bundled_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "answer.md").write_text(
        "Only the passages. Otherwise say: {abstention}\n---\n{passages}\n\nQ: {question}\n", encoding="utf-8"
    )
    monkeypatch.setenv(PROMPTS_DIR_ENV, str(tmp_path))  # the setting prompts_dir
    answer, condense = load_prompts(Settings().prompts_dir)
    assert answer.path == tmp_path / "answer.md"
    assert answer.user == "{passages}\n\nQ: {question}"
    assert condense.path == BUNDLED_DIR / "condense.md"  # not copied: the bundled one


def test_a_prompts_dir_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="does not exist"):
        load_prompt("answer", ANSWER_FIELDS, tmp_path / "nowhere")


def test_the_assistant_validates_prompts_when_it_is_built(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "answer.md").write_text("{passages} {question}", encoding="utf-8")
    with pytest.raises(ConfigError, match="abstention"):
        Assistant(data_dir=tmp_path / "data", llm="ollama:any", prompts_dir=tmp_path / "prompts")
    # extractive mode never reads the prompts
    assert Assistant(data_dir=tmp_path / "data", prompts_dir=tmp_path / "prompts").llm is None
