"""Prompt templates as plain files (`answer.md`, `condense.md`), with a tiny loader that
checks their placeholders when they are loaded. Imports nothing of ours.

A file is a Python format string (`{name}` placeholders, `{{`/`}}` for literal braces).
A line holding only `---` splits it into a system message (above) and a user message
(below); without it the whole file is the user message.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR_ENV = "NEWSDESK_PROMPTS_DIR"  # fills the setting prompts_dir; named in messages
BUNDLED_DIR = Path(__file__).resolve().parent
SEPARATOR = "---"


class PromptError(ValueError):
    """A prompt file that is missing, unparsable, or whose placeholders do not match."""


@dataclass(frozen=True)
class Prompt:
    """A loaded, validated template."""

    name: str
    path: Path
    system: str | None
    user: str

    def messages(self) -> list[tuple[str, str]]:
        """(role, template) pairs, e.g. for ChatPromptTemplate.from_messages."""
        return ([("system", self.system)] if self.system else []) + [("human", self.user)]


def placeholders(template: str) -> set[str]:
    """Names of the `{placeholders}` of a format string; raises PromptError if it is malformed."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError as error:
        raise PromptError(f"malformed template ({error}); write literal braces as {{{{ and }}}}") from error


def prompt_path(name: str, directory: str | Path | None = None) -> Path:
    """The file for prompt `name`: in directory (the setting prompts_dir, env
    NEWSDESK_PROMPTS_DIR) when it holds one, else the bundled copy."""
    chosen = directory
    if chosen:
        candidate = Path(chosen).expanduser() / f"{name}.md"
        if candidate.is_file():
            return candidate
        if not Path(chosen).expanduser().is_dir():
            raise PromptError(f"prompts directory {chosen} does not exist ({PROMPTS_DIR_ENV})")
    return BUNDLED_DIR / f"{name}.md"


def load_prompt(name: str, required: Iterable[str], directory: str | Path | None = None) -> Prompt:
    """Load prompt `name` and check it uses exactly the placeholders the code fills.

    A required placeholder that is missing would leave the model without that input, and an
    unknown one could never be filled: both are errors now, not at the first question.
    """
    path = prompt_path(name, directory)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PromptError(f"cannot read prompt {path}: {error}") from error
    lines = text.splitlines()
    if SEPARATOR in (line.strip() for line in lines):
        cut = next(i for i, line in enumerate(lines) if line.strip() == SEPARATOR)
        system, user = "\n".join(lines[:cut]).strip(), "\n".join(lines[cut + 1 :]).strip()
    else:
        system, user = None, text.strip()
    found = placeholders(system or "") | placeholders(user)
    wanted = set(required)
    if missing := sorted(wanted - found):
        raise PromptError(f"prompt {path} lacks the placeholder(s) {', '.join('{' + m + '}' for m in missing)}")
    if unknown := sorted(found - wanted):
        raise PromptError(
            f"prompt {path} uses unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
            f"available: {', '.join('{' + w + '}' for w in sorted(wanted))} (write literal braces as {{{{ }}}})"
        )
    if not user:
        raise PromptError(f"prompt {path} has no user message")
    return Prompt(name=name, path=path, system=system or None, user=user)


__all__ = ["BUNDLED_DIR", "PROMPTS_DIR_ENV", "Prompt", "PromptError", "load_prompt", "placeholders", "prompt_path"]
