"""Constants and helpers of the LLM-mode tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ARTICLES = Path(__file__).resolve().parent / "articles"
BRIDGE_QUESTION = "How much did the Lindqvist Bridge cost?"


class FailingServer:
    """An HTTP server on 127.0.0.1 answering every request with a fixed failure."""

    def __init__(self, status: int, body: dict[str, Any] | None = None, delay: float = 0.0) -> None:
        outer = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                outer.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                payload = json.dumps(body or {}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
