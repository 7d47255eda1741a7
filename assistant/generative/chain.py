"""The LCEL chain of LLM mode: condense the follow-up -> hybrid retriever -> answer prompt ->
chat model -> streamed text -> citation check.

Input: {"question": str, "history": [(question, answer), ...] or chat messages}.
Output: a dict that grows key by key: "standalone", "passages", "reply" (streamed token by
token) and finally "answer" (the checked Answer). So `chain.stream(...)` yields
{"reply": token} chunks while the model writes, then {"answer": Answer}.

A question with parts ("How much did Titan and Monsanto each pay?") lists them in the prompt,
and the Answer records one PartAnswer per part (assistant/generative/reply_parts.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda, RunnablePassthrough

from assistant.answerers.base import Retrieved
from assistant.errors import ConfigError
from assistant.followup import History
from assistant.generative.check import Embed, check_reply
from assistant.generative.reply_parts import PartSpec, reply_parts
from assistant.query import Query, parse_question
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


def prompt_question(query: Query) -> str:
    """The question as the answer prompt shows it: a question with parts lists them, so the
    model answers every one."""
    if not query.is_multi_part:
        return query.text
    listed = " ".join(f"({n}) {part.text}" for n, part in enumerate(query.parts, start=1))
    return f"{query.text}\nAnswer each part in its own sentence: {listed}"


def merged_passages(found: Sequence[Retrieved]) -> list[Passage]:
    """The passages of every part, once each, numbered in order of first appearance."""
    seen: dict[tuple[str, int], Passage] = {}
    for part in found:
        for passage in part.passages:
            seen.setdefault((passage.article_id, passage.start), passage)
    return [p.model_copy(update={"rank": n}) for n, p in enumerate(seen.values(), start=1)]


def part_specs(found: Sequence[Retrieved]) -> list[PartSpec]:
    """Each part's question and the [n] its passages have among merged_passages(found)."""
    numbers: dict[tuple[str, int], int] = {}
    for part in found:
        for passage in part.passages:
            numbers.setdefault((passage.article_id, passage.start), len(numbers) + 1)
    return [
        PartSpec(part.query.text, frozenset(numbers[(p.article_id, p.start)] for p in part.passages))
        for part in found
    ]


def checked_answer(
    reply: str, passages: Sequence[Passage], question: str, standalone: str, embed: Embed, threshold: float,
    model_name: str, parts: Sequence[PartSpec] = (),
) -> Answer:
    """The model's reply, checked sentence by sentence against the passages, as an Answer.

    parts: the question's parts with the passages retrieved for each (default: one part, the
    standalone question, with every passage); Answer.parts lists them when there are two or more.
    """
    result = check_reply(reply, passages, embed, threshold, standalone)
    parts = list(parts) or [PartSpec(standalone, frozenset(range(1, len(passages) + 1)))]
    replied = reply_parts(parts, result)
    return Answer(
        question=question, text=result.text, abstained=replied.abstained, reason=replied.reason,
        citations=replied.citations, parts=replied.parts if len(parts) > 1 else [], contested=replied.contested,
        passages=list(passages), mode="llm", model=model_name,
        standalone_question=standalone if standalone != question else None,
        sentences=result.sentences, removed_markers=result.removed_markers,
    )


class LlmAnswerer:
    """LLM mode behind the answerer interface: the answer prompt with the numbered passages of
    every part, the model's reply streamed token by token, then the citation check."""

    mode = "llm"

    def __init__(self, model: BaseChatModel, prompts: tuple[Prompt, Prompt], embed: Embed, threshold: float, model_name: str) -> None:
        self.embed = embed
        self.threshold = threshold
        self.model_name = model_name
        answer_prompt = ChatPromptTemplate.from_messages(prompts[0].messages()).partial(abstention=ABSTENTION)
        self.reply = (answer_prompt | model | StrOutputParser()).with_config(run_name="answer")

    def stream(self, query: Query, found: Sequence[Retrieved], question: str | None = None) -> Iterator[str | Answer]:
        """Yield the model's tokens, then the checked Answer. question: the question as the user
        asked it, when `query` is its standalone rewrite."""
        passages = merged_passages(found)
        parts = part_specs(found) if len(found) > 1 else []
        pieces: list[str] = []
        if passages:
            for token in self.reply.stream({"passages": format_passages(passages), "question": prompt_question(query)}):
                if token:  # llama.cpp opens its stream with an empty chunk
                    pieces.append(token)
                    yield token
        else:
            pieces.append(ABSTENTION)
            yield ABSTENTION
        yield checked_answer("".join(pieces), passages, question or query.text, query.text, self.embed, self.threshold,
                             self.model_name, parts)


def build_chain(
    model: BaseChatModel, retriever: BaseRetriever | Runnable, prompts: tuple[Prompt, Prompt],
    embed: Embed, threshold: float, model_name: str,
) -> Runnable:
    """The whole LLM-mode pipeline as one Runnable (see the module docstring).

    retriever: a standalone question -> Passages (or NewsdeskRetriever Documents) Runnable.
    The standalone question is parsed ("query" in the output) for its parts: the prompt lists
    them and the Answer records them; which passage was found for which part is not known
    here, so every passage counts for every part.
    """
    answer_prompt = ChatPromptTemplate.from_messages(prompts[0].messages()).partial(abstention=ABSTENTION)
    text = model | StrOutputParser()
    standalone = RunnablePassthrough.assign(
        standalone=condense_runnable(model, prompts[1]).with_config(run_name="condense")
    ) | RunnableLambda(lambda x: {**x, "standalone": clean_condensed(x["standalone"], x["question"])})
    retrieve = RunnablePassthrough.assign(
        query=lambda x: parse_question(x["standalone"]),
        passages=(lambda x: x["standalone"]) | retriever | RunnableLambda(to_passages),
    )
    generate = RunnableBranch(
        (lambda x: not x["passages"], lambda x: ABSTENTION),
        RunnableLambda(lambda x: {"passages": format_passages(x["passages"]), "question": prompt_question(x["query"])})
        | answer_prompt | text,
    )

    def check(x: dict[str, Any]) -> Answer:
        every = frozenset(range(1, len(x["passages"]) + 1))
        parts = [PartSpec(part.text, every) for part in x["query"].parts]
        return checked_answer(x["reply"], x["passages"], x["question"], x["standalone"], embed, threshold, model_name, parts)

    return (
        standalone
        | retrieve
        | RunnablePassthrough.assign(reply=generate.with_config(run_name="answer"))
        | RunnablePassthrough.assign(answer=RunnableLambda(check).with_config(run_name="citation_check"))
    ).with_config(run_name="newsdesk")


def condense_runnable(model: BaseChatModel, prompt: Prompt) -> Runnable:
    """{"question", "history"} -> the standalone question ('' without history)."""
    condense_prompt = ChatPromptTemplate.from_messages(prompt.messages())
    return RunnableBranch(
        (
            lambda x: bool(x.get("history")),
            RunnableLambda(lambda x: {"history": format_history(x["history"]), "question": x["question"]})
            | condense_prompt | model | StrOutputParser(),
        ),
        lambda x: "",
    )
