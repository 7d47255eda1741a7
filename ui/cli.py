"""`newsdesk serve`: the web page. Import-light: gradio loads only when the command runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import (
    ApiKey,
    BaseUrl,
    CatalogUrl,
    ChromaUrl,
    DataDir,
    Llm,
    Verbose,
    open_assistant,
)

Host = Annotated[str, typer.Option("--host", help="interface to bind; 0.0.0.0 exposes the page to the network")]
Port = Annotated[int, typer.Option("--port", help="TCP port")]
Auth = Annotated[str | None, typer.Option(
    "--auth", envvar="NEWSDESK_AUTH", show_envvar=True,
    help="require a login, as user:password (page and API)",
)]
RootPath = Annotated[str | None, typer.Option(
    "--root-path", help="URL prefix when served behind a reverse proxy, e.g. /newsdesk",
)]


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:password' -> (user, password); the password may contain ':'."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise typer.BadParameter("expected user:password", param_hint="--auth / NEWSDESK_AUTH")
    return user, password


def serve(
    data_dir: DataDir = None, chroma_url: ChromaUrl = None, catalog_url: CatalogUrl = None,
    host: Host = "127.0.0.1", port: Port = 7860, auth: Auth = None, root_path: RootPath = None,
    llm: Llm = None, base_url: BaseUrl = None, api_key: ApiKey = None, verbose: Verbose = False,
) -> None:
    """Start the web page: chat with cited sources, uploads, library (Ctrl-C to stop)."""
    credentials = parse_auth(auth)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.app import build_app, launch_options

    assistant = open_assistant(
        data_dir, chroma_url, verbose, llm=llm, base_url=base_url, api_key=api_key, catalog_url=catalog_url
    )
    typer.echo("loading the model and opening the index...", err=True)
    assistant.warm_up()
    limits = assistant.settings.upload
    demo = build_app(assistant, limits)
    demo.queue(default_concurrency_limit=4)
    if assistant.settings.catalog_url and assistant.settings.chroma_url:
        typer.echo("catalog on PostgreSQL, vectors on a Chroma server: nothing is kept on local disk "
                   "(uploads pass through a temporary folder)", err=True)
    else:
        typer.echo(f"data dir {Path(assistant.settings.data_dir).resolve()}", err=True)
    demo.launch(
        server_name=host, server_port=port, auth=credentials, root_path=root_path,
        max_file_size=f"{int(limits.max_file_mb * 1_000_000)}b", show_error=True,
        footer_links=["api"], enable_monitoring=False, run_history=False, mcp_server=False,
        ssr_mode=False, share=False, inbrowser=False, quiet=not verbose,
        auth_message="Newsdesk: log in to ask about the archive." if credentials else None,
        **launch_options(),
    )
