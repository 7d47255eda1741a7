"""Keep the archive fresh: re-index folders when their files change and feeds on a schedule,
one report line per round, and stop cleanly (the article at hand is finished, nothing is left
half-written) when asked to: Ctrl-C / SIGTERM set the stop event."""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import FrameType

from index.errors import IndexBusyError
from index.fetch import is_url
from index.indexer import Indexer
from index.loaders import discover

log = logging.getLogger(__name__)

Snapshot = dict[str, tuple[int, int]]


def snapshot(target: str) -> Snapshot:
    """(mtime_ns, size) of every file under a folder (or of one file); empty if missing."""
    root = Path(target).expanduser()
    paths = list(discover(root)) if root.is_dir() else [root] if root.is_file() else []
    found: Snapshot = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Set stop on SIGINT/SIGTERM (main thread only); returns a function restoring the handlers."""
    def handler(signum: int, frame: FrameType | None) -> None:
        log.warning("%s: finishing the article at hand, then stopping", signal.Signals(signum).name)
        stop.set()
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return restore


class Watcher:
    """Rounds of indexing over folders (when changed) and URLs/feeds (every `every_s`)."""

    def __init__(
        self, indexer: Indexer, targets: Sequence[str], every_s: float, poll_s: float = 2.0,
        echo: Callable[[str], None] = print, stop: threading.Event | None = None,
    ) -> None:
        self.indexer = indexer
        self.urls = [t for t in targets if is_url(t)]
        self.folders = [str(Path(t).expanduser().resolve()) for t in targets if not is_url(t)]
        self.every_s = every_s
        self.poll_s = poll_s
        self.echo = echo
        self.stop = stop or threading.Event()
        self.rounds = 0
        self._snapshots: dict[str, Snapshot] = {}
        self._next_feed_round = 0.0

    def run(self, max_rounds: int | None = None) -> int:
        """Loop until stopped (or max_rounds rounds with work done); returns the rounds run."""
        while not self.stop.is_set():
            if self.round_if_due() and max_rounds is not None and self.rounds >= max_rounds:
                break
            self.stop.wait(self.poll_s)
        return self.rounds

    def round_if_due(self) -> bool:
        """Run one round if a folder changed or the feeds are due; True if a round ran."""
        changed = []
        for folder in self.folders:
            current = snapshot(folder)
            if self._snapshots.get(folder) != current:
                changed.append(folder)
                self._snapshots[folder] = current
        urls = self.urls if time.monotonic() >= self._next_feed_round else []
        if urls:
            self._next_feed_round = time.monotonic() + self.every_s
        if not (changed or urls):
            return False
        self.rounds += 1
        what = ", ".join([f"{len(changed)} folder(s)"] * bool(changed) + [f"{len(urls)} feed(s)/URL(s)"] * bool(urls))
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        try:
            report = self.indexer.index(changed + urls, stop=self.stop)
        except IndexBusyError as error:
            self.echo(f"{stamp} round {self.rounds} ({what}): not run, {error}")
            for folder in changed:  # look again next poll
                self._snapshots.pop(folder, None)
            self._next_feed_round = 0.0 if urls else self._next_feed_round
            return True
        ending = "; stopped" if self.stop.is_set() else ""
        self.echo(f"{stamp} round {self.rounds} ({what}): {report.summary()}{ending}")
        for skipped in report.skipped:
            log.info("  skipped %s: %s", skipped.source, skipped.reason)
        return True


def parse_every(text: str) -> float:
    """Seconds of a period like '15m', '1h', '90s', '2h30m' or a bare number of seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", text)
    if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
        raise ValueError(f"{text!r} is not a period: use e.g. 90s, 15m, 1h, 2h30m")
    return sum(float(n) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[u] for n, u in parts)
