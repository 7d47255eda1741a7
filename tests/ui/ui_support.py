"""Helpers of the web UI tests: start/stop `newsdesk serve` on a free port, index through
the page's API. (A module of its own so that test files import it by a unique name.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from support import free_port

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
ARTICLES = FIXTURES / "articles"
OUTPUT = HERE.parent.parent / "test-output"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
AUTH = ("editor", "correct-horse-7")
STARTUP_SECONDS = 120


@dataclass
class Server:
    """A running `newsdesk serve` subprocess."""

    url: str
    data_dir: Path
    process: subprocess.Popen
    log: Path
    auth: tuple[str, str] | None = None
    reports: dict[str, Any] = field(default_factory=dict)

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")


def start_server(
    data_dir: Path, log: Path, auth: tuple[str, str] | None = None, extra_args: tuple[str, ...] = (),
    settings: dict[str, str] | None = None,
) -> Server:
    """Start `newsdesk serve` on a free port and wait until it answers HTTP. settings: extra
    NEWSDESK_* environment variables."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "GRADIO_"))}
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", NO_PROXY="127.0.0.1,localhost")
    env.update(settings or {})
    if auth:
        env["NEWSDESK_AUTH"] = ":".join(auth)
    command = [
        str(Path(sys.executable).with_name("newsdesk")), "serve", "--port", str(port), "--data-dir", str(data_dir),
        *extra_args,
    ]
    handle = log.open("w")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
    server = Server(f"http://127.0.0.1:{port}/", data_dir, process, log, auth)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"newsdesk serve exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(server.url, timeout=2).status_code in (200, 401):
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"newsdesk serve did not start in {STARTUP_SECONDS}s:\n{server.output()}")


def stop_server(server: Server) -> None:
    """Stop the subprocess (politely first)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def index_through_api(server: Server) -> None:
    """Upload the fixture articles, one topic folder at a time, through the /index endpoint."""
    from gradio_client import Client, handle_file

    client = Client(server.url, auth=server.auth, verbose=False, download_files=False)
    for folder in sorted(p for p in ARTICLES.iterdir() if p.is_dir()):
        files = [handle_file(str(p)) for p in sorted(folder.iterdir())]
        _, report = client.predict(files, folder.name, api_name="/index")
        server.reports[folder.name] = report
    client.close()
