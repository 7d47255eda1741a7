"""The `newsdesk` command line: index, ask, chat, eval, stats, remove (+ serve from ui/)."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.api import Assistant
from assistant.errors import USER_ERRORS
from assistant.settings import Settings
from assistant.types import Answer

app = typer.Typer(
    name="newsdesk", no_args_is_help=True, add_completion=False,
    help="Ask questions about a news archive; every answer cites the exact sentences.",
)


def describe(path: str) -> str:
    """Help text of a settings field, e.g. describe('retrieval.k') (CLI flags come from Settings)."""
    model: Any = Settings
    *parents, name = path.split(".")
    for parent in parents:
        model = model.model_fields[parent].annotation
    return model.model_fields[name].description or ""


DataDir = Annotated[Path | None, typer.Option("--data-dir", help=describe("data_dir") + " [env NEWSDESK_DATA_DIR]")]
ChromaUrl = Annotated[str | None, typer.Option("--chroma-url", help=describe("chroma_url") + " [env NEWSDESK_CHROMA_URL]")]
CatalogUrl = Annotated[str | None, typer.Option("--catalog-url", help=describe("catalog_url") + " [env NEWSDESK_CATALOG_URL]")]
Outlet = Annotated[str | None, typer.Option("--outlet", help="only articles from this outlet")]
Topic = Annotated[str | None, typer.Option("--topic", help="only articles of this topic (folder name)")]
Since = Annotated[str | None, typer.Option("--since", help="only articles published on or after (YYYY-MM-DD)")]
Until = Annotated[str | None, typer.Option("--until", help="only articles published on or before (YYYY-MM-DD)")]
K = Annotated[int | None, typer.Option("--k", help=describe("retrieval.k"))]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="log what happens")]
Llm = Annotated[str | None, typer.Option("--llm", help=describe("llm") + " [env NEWSDESK_LLM]")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", help=describe("generation.base_url"))]
ApiKey = Annotated[str | None, typer.Option("--api-key", help=describe("generation.api_key"))]


def open_assistant(
    data_dir: Path | None, chroma_url: str | None, verbose: bool = False,
    llm: str | None = None, base_url: str | None = None, api_key: str | None = None,
    catalog_url: str | None = None, **settings: Any,
) -> Assistant:
    """An Assistant from the environment's settings, with the flags given (None: not given).

    settings: further overrides by field name (e.g. auth=...), validated like the rest."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # each failed reconnect attempt; the one-line error says it all
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    overrides: dict[str, Any] = {"data_dir": data_dir, "chroma_url": chroma_url, "catalog_url": catalog_url, **settings}
    overrides["generation"] = {k: v for k, v in (("base_url", base_url), ("api_key", api_key)) if v}
    return Assistant(llm=llm, **{k: v for k, v in overrides.items() if v is not None and v != {}})


@app.command()
def index(
    paths: Annotated[list[str] | None, typer.Argument(help="files, folders and page URLs (http/https) of articles")] = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="an RSS/Atom feed URL to index (repeatable)")] = None,
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None,
    rebuild: Annotated[bool, typer.Option(help="delete this data directory's index first")] = False,
    ray: Annotated[str | None, typer.Option(
        "--ray", metavar="ADDRESS",
        help="parse, chunk and embed on Ray (the [ray] extra): local (start Ray on this machine "
        "for the run), auto (the cluster this node joined), HOST:PORT, or ray://HOST:PORT (Ray Client)",
    )] = None,
    ray_workers: Annotated[int | None, typer.Option("--ray-workers", min=1, help=describe("ray.workers"))] = None,
    verbose: Verbose = False,
) -> None:
    """Index files, folders, URLs and feeds; re-running syncs them (new, changed, removed, unchanged)."""
    from contextlib import nullcontext

    from tqdm import tqdm

    paths, feed = paths or [], feed or []
    if ray is not None:  # before anything opens
        check_ray_address(ray)
    if not paths and not feed:
        raise typer.BadParameter("give files, folders or URLs to index, or --feed URL")
    assistant = open_assistant(data_dir, chroma_url, verbose, catalog_url=catalog_url)
    compute = ray_compute(assistant, ray, ray_workers) if ray is not None else None
    with compute or nullcontext(), tqdm(total=0, unit="file", desc="indexing", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int, current: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(Path(current).name[-40:], refresh=False)
            bar.refresh()
        report = assistant.index(paths, progress=progress, rebuild=rebuild, feeds=feed, compute=compute)
    typer.echo(report.summary())
    for skipped in report.skipped:
        typer.echo(f"  skipped {skipped.source}: {skipped.reason}")
    if verbose:
        for dup in report.duplicates:
            typer.echo(f"  duplicate {dup.source} = {dup.duplicate_of}")


def check_ray_address(address: str) -> None:
    """A usage error unless address is one `--ray` takes."""
    from index.distributed import check_address

    try:
        check_address(address)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--ray") from error


def ray_compute(assistant: Assistant, address: str, workers: int | None) -> Any:
    """The RayCompute of `index --ray ADDRESS` (index.distributed), with the assistant's settings."""
    from index.distributed import RayCompute

    s = assistant.settings
    config = s.ray.model_copy(update={"workers": workers}) if workers else s.ray
    return RayCompute(address, config, s.embedding, s.chunking, s.loading)


@app.command()
def watch(
    targets: Annotated[list[str], typer.Argument(help="folders, files, feed or page URLs to keep indexed")],
    every: Annotated[str, typer.Option("--every", help="how often feeds/URLs are read, e.g. 90s, 15m, 1h")] = "15m",
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None, verbose: Verbose = False,
) -> None:
    """Keep re-indexing: folders when files change, feeds every --every; one line per round.

    Ctrl-C or SIGTERM finishes the article at hand, writes it, and exits.
    """
    import threading

    from index.watch import Watcher, parse_every, stop_on_signals

    try:
        every_s = parse_every(every)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--every") from error
    assistant = open_assistant(data_dir, chroma_url, verbose, catalog_url=catalog_url)
    stop = threading.Event()
    restore = stop_on_signals(stop)
    try:
        watcher = Watcher(
            assistant.indexer(), targets, every_s, assistant.settings.watch.poll_s,
            echo=lambda line: typer.echo(line), stop=stop,
        )
        typer.echo(f"watching {len(watcher.folders)} folder(s) and {len(watcher.urls)} URL(s); Ctrl-C to stop")
        watcher.run()
    finally:
        restore()
    typer.echo(f"stopped after {watcher.rounds} round(s)")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question")],
    json_output: Annotated[bool, typer.Option("--json", help="print the whole Answer as JSON")] = False,
    k: K = None, outlet: Outlet = None, topic: Topic = None, since: Since = None, until: Until = None,
    llm: Llm = None, base_url: BaseUrl = None, api_key: ApiKey = None,
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None, verbose: Verbose = False,
) -> None:
    """Answer a question from the indexed articles, with numbered sources."""
    assistant = open_assistant(data_dir, chroma_url, verbose, llm, base_url, api_key, catalog_url)
    filters: dict[str, Any] = {"outlet": outlet, "topic": topic, "since": since, "until": until}
    if json_output or not assistant.llm:
        answer = assistant.ask(question, k=k, **filters)
        typer.echo(answer.model_dump_json(indent=2) if json_output else format_answer(answer))
    else:
        echo_stream(assistant.stream(question, k=k, **filters))


@app.command()
def chat(
    k: K = None, outlet: Outlet = None, topic: Topic = None, since: Since = None, until: Until = None,
    llm: Llm = None, base_url: BaseUrl = None, api_key: ApiKey = None,
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None, verbose: Verbose = False,
) -> None:
    """Ask questions one after another; follow-ups use the conversation so far."""
    assistant = open_assistant(data_dir, chroma_url, verbose, llm, base_url, api_key, catalog_url).warm_up()
    history: list[tuple[str, str]] = []
    typer.echo("Ask about the indexed articles (empty line or Ctrl-D to quit).")
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            filters: dict[str, Any] = {"outlet": outlet, "topic": topic, "since": since, "until": until}
            if assistant.llm:
                answer = echo_stream(assistant.stream(question, history, k=k, **filters))
            else:
                answer = assistant.ask(question, history, k=k, **filters)
                typer.echo(format_answer(answer))
        except USER_ERRORS as error:
            typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
            continue
        history.append((question, answer.text))


@app.command("eval")
def evaluate_command(
    questions: Annotated[Path, typer.Argument(help="JSONL questions (the format of dev.jsonl)", exists=True, dir_okay=False)],
    json_output: Annotated[bool, typer.Option("--json", help="print figures and per-question results as JSON")] = False,
    misses: Annotated[bool, typer.Option("--misses", help="also print each missed question with what was answered")] = False,
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None, verbose: Verbose = False,
) -> None:
    """Measure hit@5, MRR@10, answer accuracy (all parts of two-story questions), abstention,
    answer length and latency on a question file, overall and per question type."""
    from assistant.evaluate import evaluate, load_questions, report_json

    assistant = open_assistant(data_dir, chroma_url, verbose, catalog_url=catalog_url)
    def show(result: Any) -> None:
        if verbose:
            mark = "ok " if result.correct or (not result.answerable and result.abstained) else "-- "
            typer.echo(f"{mark}{result.id} rank={result.gold_rank} {result.question[:70]}", err=True)
    report = evaluate(assistant, load_questions(questions), on_result=show)
    typer.echo(report_json(report) if json_output else report.table())
    if misses and not json_output:
        typer.echo("\nMissed\n\n" + (report.misses() or "none"))


@app.command()
def stats(data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None, json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the index holds: articles, duplicates, chunks, per outlet and topic."""
    result = open_assistant(data_dir, chroma_url, catalog_url=catalog_url).stats()
    if json_output:
        typer.echo(result.model_dump_json(indent=2))
        return
    typer.echo(f"{result.articles} articles ({result.aliases} duplicates remembered), {result.chunks} chunks, "
               f"{result.vectors} vectors, model {result.model}\ndata dir {result.data_dir}")
    if result.warning:
        typer.secho(f"warning: {result.warning}", fg=typer.colors.YELLOW, err=True)
    if result.first_published:
        typer.echo(f"published {result.first_published} .. {result.last_published}")
    for title, counts in (("topics", result.by_topic), ("outlets", result.by_outlet)):
        typer.echo(f"{title}: " + ", ".join(f"{name} {n}" for name, n in counts.items()))


@app.command()
def remove(
    keys: Annotated[list[str], typer.Argument(help="source paths/URLs, article ids, or folders")],
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None,
) -> None:
    """Remove articles from the index."""
    report = open_assistant(data_dir, chroma_url, catalog_url=catalog_url).remove(keys)
    typer.echo(f"removed {len(report.removed)}")
    for skipped in report.skipped:
        typer.echo(f"  {skipped.source}: {skipped.reason}")


def echo_stream(items: Iterator[str | Answer]) -> Answer:
    """Print an answer token by token, then what the citation check found and the sources."""
    streamed = False
    for item in items:
        if isinstance(item, str):
            typer.echo(item, nl=False)
            sys.stdout.flush()
            streamed = True
            continue
        if streamed:
            typer.echo()
        if item.fallback:  # the model failed: say why, then show the extractive answer whole
            typer.secho(f"note: {item.fallback}", fg=typer.colors.YELLOW, err=True)
        typer.echo(format_answer(item, with_text=not streamed or bool(item.fallback)))
        return item
    raise RuntimeError("the answer stream ended without an Answer")


def format_answer(answer: Answer, with_text: bool = True) -> str:
    """The answer, the sentences the citation check flagged, then the numbered sources with
    the quoted sentences."""
    lines = [answer.text] if with_text else []
    for flagged in answer.unsupported:
        lines.append(typer.style(f"  ! unsupported: {flagged.text} ({flagged.reason})", fg=typer.colors.RED))
    if answer.removed_markers:
        lines.append(f"  (removed citation markers naming no passage: {', '.join(f'[{n}]' for n in answer.removed_markers)})")
    if answer.citations:
        lines += ["", "Sources"]
    for c in answer.citations:
        where = " · ".join(x for x in (c.outlet, c.published.isoformat() if c.published else None, c.topic) if x)
        role = {"related": " (related, not the answer)", "context": " (context)"}.get(c.role, "")
        role += " (citation attached by the check)" if c.attached else ""
        lines.append(f"[{c.n}] {c.title}" + (f" — {where}" if where else "") + role)
        lines.append(f"    {c.url or c.source}")
        if c.also_reported_by:
            lines.append(f"    also reported by {', '.join(c.also_reported_by)}")
        lines.append(f'    "{c.quote}"')
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _register_plugins() -> None:
    """Commands other packages of ours contribute (e.g. `serve` from ui/) via entry points."""
    for entry in entry_points(group="newsdesk.commands"):
        try:
            app.command(entry.name)(entry.load())
        except ImportError as error:  # e.g. the UI extra is not installed
            logging.getLogger(__name__).debug("command %s unavailable: %s", entry.name, error)


def quiet_libraries() -> None:
    """Keep transformers' load bars and advisory warnings off a person's terminal."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "0")
    warnings.filterwarnings("ignore", category=FutureWarning)


def main() -> None:
    """Entry point: user errors become one-line messages, not tracebacks."""
    quiet_libraries()
    _register_plugins()
    try:
        app()  # standalone: typer reports usage errors and exits by itself
    except USER_ERRORS as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        sys.exit(1)
