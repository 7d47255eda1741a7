"""The LCEL chain of LLM mode: condense the follow-up -> hybrid retriever -> answer prompt ->
chat model -> streamed text -> citation check.

Input: {"question": str, "history": [(question, answer), ...] or chat messages}.
Output: a dict that grows key by key: "standalone", "passages", "reply" (streamed token by
token) and finally "answer" (the checked Answer). So `chain.stream(...)` yields
{"reply": token} chunks while the model writes, then {"answer": Answer}.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda, RunnablePassthrough

from assistant.errors import ConfigError
from assistant.followup import History
from assistant.generative.check import Embed, check_reply
from assistant.types import ABSTENTION, Answer, Passage
from prompts import Prompt, PromptError, load_prompt

ANSWER_FIELDS = ("passages", "question", "abstention")
"""Placeholders prompts/answer.md must use: the code fills exactly these."""
CONDENSE_FIELDS = ("history", "question")
"""Placeholders prompts/condense.md must use."""


def load_prompts(directory: str | Path | None = None) -> tuple[Prompt, Prompt]:
    """The answer and condense prompts, validated (ConfigError naming the file if one is wrong)."""
    try:
        return load_prompt("answer", ANSWER_FIELDS, directory), load_prompt("condense", CONDENSE_FIELDS, directory)
    except PromptError as error:
        raise ConfigError(str(error)) from error


def format_passages(passages: Sequence[Passage]) -> str:
    """Numbered passages with title, outlet and date, as the answer prompt shows them."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        where = ", ".join(x for x in (p.outlet, p.published.isoformat() if p.published else None) if x)
        blocks.append(f"[{n}] {p.title}" + (f" ({where})" if where else "") + f"\n{p.text.strip()}")
    return "\n\n".join(blocks)


def format_history(history: History, max_turns: int = 6) -> str:
    """The last turns of a conversation as 'User: ...' / 'Assistant: ...' lines."""
    lines: list[str] = []
    for turn in history:
        if isinstance(turn, dict):
            role = "User" if turn.get("role") == "user" else "Assistant"
            lines.append(f"{role}: {turn.get('content', '')}")
        elif turn:
            lines += [f"User: {turn[0]}", f"Assistant: {turn[1]}"] if len(turn) > 1 else [f"User: {turn[0]}"]
    return "\n".join(lines[-2 * max_turns :])


def clean_condensed(reply: str, question: str) -> str:
    """The model's standalone question, or the original one if the reply is no question."""
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    line = re.sub(r"^(standalone question|question)\s*:\s*", "", lines[0], flags=re.I) if lines else ""
    line = line.strip().strip('"“”\'').strip()
    return line if 3 <= len(line) <= 3 * len(question) + 200 and not line.endswith(":") else question


def to_passages(found: Sequence[Passage | Document]) -> list[Passage]:
    """Passages from a retriever's output (NewsdeskRetriever's Documents carry a Passage
    in their metadata)."""
    return [d if isinstance(d, Passage) else Passage(text=d.page_content, **d.metadata) for d in found]


def build_chain(
    model: BaseChatModel, retriever: BaseRetriever | Runnable, prompts: tuple[Prompt, Prompt],
    embed: Embed, threshold: float, model_name: str,
) -> Runnable:
    """The whole LLM-mode pipeline as one Runnable (see the module docstring).

    retriever: a query -> Passages (or NewsdeskRetriever Documents) Runnable.
    """
    answer_prompt = ChatPromptTemplate.from_messages(prompts[0].messages()).partial(abstention=ABSTENTION)
    condense_prompt = ChatPromptTemplate.from_messages(prompts[1].messages())
    text = model | StrOutputParser()

    condense = RunnableBranch(
        (
            lambda x: bool(x.get("history")),
            RunnableLambda(lambda x: {"history": format_history(x["history"]), "question": x["question"]})
            | condense_prompt | text,
        ),
        lambda x: "",
    )
    standalone = RunnablePassthrough.assign(
        standalone=condense.with_config(run_name="condense")
    ) | RunnableLambda(lambda x: {**x, "standalone": clean_condensed(x["standalone"], x["question"])})
    retrieve = RunnablePassthrough.assign(
        passages=(lambda x: x["standalone"]) | retriever | RunnableLambda(to_passages)
    )
    generate = RunnableBranch(
        (lambda x: not x["passages"], lambda x: ABSTENTION),
        RunnableLambda(lambda x: {"passages": format_passages(x["passages"]), "question": x["standalone"]})
        | answer_prompt | text,
    )

    def check(x: dict[str, Any]) -> Answer:
        result = check_reply(x["reply"], x["passages"], embed, threshold, x["standalone"])
        return Answer(
            question=x["question"], text=result.text, abstained=result.abstained,
            citations=result.citations, passages=x["passages"], mode="llm", model=model_name,
            standalone_question=x["standalone"] if x["standalone"] != x["question"] else None,
            sentences=result.sentences, removed_markers=result.removed_markers,
        )

    return (
        standalone
        | retrieve
        | RunnablePassthrough.assign(reply=generate.with_config(run_name="answer"))
        | RunnablePassthrough.assign(answer=RunnableLambda(check).with_config(run_name="citation_check"))
    ).with_config(run_name="newsdesk")
