"""Load test of the scaled deployment: 2 `newsdesk serve` replicas on one PostgreSQL catalog
and one `chroma run`, 16 concurrent clients asking through gradio_client for 2 minutes while a
feed round of 200 new articles (a local feed server; every page fetched) indexes into the same
stores. Prints requests/s, latency p50/p95, errors, and whether every article is there after.

    python bench/load.py --vectors-from PATH/catalog.sqlite     # base archive: 400 BBC articles
    python bench/load.py --clients 16 --seconds 120 --limit 400

Everything runs on 127.0.0.1 and stops by itself; fictional feed articles (bench/feed_round.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "feeds")]

from feed_round import stories  # noqa: E402
from newsserver import NewsServer, Route, page_html, rss  # noqa: E402
from pgcluster import PostgresCluster, postgres_bin  # noqa: E402
from scale import ReusedVectors, answerable_here, build_archive, pick_files  # noqa: E402
from support import BIN, ChromaServer, free_port, serving  # noqa: E402

from assistant.evaluate import load_questions, percentile  # noqa: E402


def base_index(env: dict[str, str], archive: Path, vectors_from: Path | None) -> int:
    """Index the base archive into the shared stores (in this process); its article count."""
    from assistant import Assistant
    from index.config import EmbeddingConfig
    from index.embedding import SentenceTransformerEmbedder

    os.environ.update({k: v for k, v in env.items() if k.startswith("NEWSDESK_")})
    real = SentenceTransformerEmbedder(EmbeddingConfig())
    embedder: Any = ReusedVectors(vectors_from, real) if vectors_from else real
    assistant = Assistant(embedder=embedder)
    report = assistant.index([archive])
    print(f"[load] base archive: {report.summary()}", file=sys.stderr, flush=True)
    return assistant.stats().articles


def ask_loop(url: str, questions: list[str], until: float, results: list[tuple[float, str | None]], lock: threading.Lock) -> None:
    """One client: ask the questions in turn until the deadline; (seconds, error) per request."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    n = 0
    while time.monotonic() < until:
        started = time.perf_counter()
        error = None
        try:
            answer = client.predict(questions[n % len(questions)], api_name="/ask")
            if not answer.get("text"):
                error = "empty answer"
        except Exception as failure:  # noqa: BLE001 - every failure counts as an error
            error = f"{type(failure).__name__}: {failure}"[:200]
        with lock:
            results.append((time.perf_counter() - started, error))
        n += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--limit", type=int, default=400, help="BBC articles in the base archive (dev gold first)")
    parser.add_argument("--vectors-from", type=Path, help="an embedding cache to reuse for the base archive (see bench/scale.py)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--entries", type=int, default=200, help="new articles in the feed round")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise SystemExit("needs PostgreSQL's binaries (apt-get install postgresql)")
    work = Path(tempfile.mkdtemp(prefix="newsdesk-load-"))
    with ExitStack() as stack:
        cluster = PostgresCluster(bin_dir).start()
        stack.callback(cluster.remove)
        chroma = ChromaServer(work / "chroma").start()
        stack.callback(chroma.stop)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "GRADIO_"))}
        env.update(NEWSDESK_CATALOG_URL=cluster.create_database("load"), NEWSDESK_CHROMA_URL=chroma.url,
                   HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", NO_PROXY="127.0.0.1,localhost",
                   PYTHONPATH=str(ROOT), ANONYMIZED_TELEMETRY="False")
        files = pick_files(args.corpus, args.questions, args.limit)
        build_archive(args.corpus, work / "archive", 1, files)
        questions = [q.question for q in load_questions(answerable_here(args.questions, args.corpus, files, work / "q.jsonl"))]
        before = base_index(env, work / "archive", args.vectors_from)

        replicas = []
        for name in "ab":
            port = free_port()
            command = [str(BIN / "newsdesk"), "serve", "--port", str(port), "--data-dir", str(work / name)]
            stack.enter_context(serving(command, f"http://127.0.0.1:{port}/", work / f"replica-{name}.log", 300, env))
            replicas.append(f"http://127.0.0.1:{port}/")
        server = NewsServer().start()
        stack.callback(server.stop)
        items = stories(args.entries)
        for story in items:
            server.routes[f"/news/{story.slug}.html"] = Route(page_html(story), etag=True)
        server.routes["/robots.txt"] = Route("User-agent: *\nAllow: /\n", content_type="text/plain")
        server.routes["/rss.xml"] = Route(rss([(s, server.url(f"/news/{s.slug}.html")) for s in items]), content_type="application/rss+xml")

        print(f"[load] {args.clients} clients on {replicas} for {args.seconds:.0f} s, feed round of {args.entries}", file=sys.stderr, flush=True)
        results: list[tuple[float, str | None]] = []
        lock = threading.Lock()
        started = time.monotonic()
        until = started + args.seconds
        feed = subprocess.Popen([str(BIN / "newsdesk"), "index", "--feed", server.url("/rss.xml")], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        clients = [threading.Thread(target=ask_loop, args=(replicas[n % 2], questions, until, results, lock)) for n in range(args.clients)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        elapsed = time.monotonic() - started
        feed_output, _ = feed.communicate(timeout=1800)
        feed_seconds = time.monotonic() - started
        import psycopg

        with psycopg.connect(env["NEWSDESK_CATALOG_URL"]) as conn:
            after = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]  # type: ignore[index]
            from_feed = conn.execute("SELECT COUNT(*) FROM articles WHERE source LIKE %s", (server.url("/news/") + "%",)).fetchone()[0]  # type: ignore[index]
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    errors = [e for _, e in results if e]
    figures = {
        "clients": args.clients, "seconds": round(elapsed, 1), "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 2), "p50_ms": round(percentile(latencies, 0.5)),
        "p95_ms": round(percentile(latencies, 0.95)), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
        "feed_round": feed_output.strip().splitlines()[-1] if feed_output.strip() else "", "feed_exit": feed.returncode,
        "feed_round_s": round(feed_seconds, 1), "articles_before": before, "articles_after": after,
        "feed_articles_indexed": from_feed, "lost_articles": before + args.entries - after,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0 if not errors and figures["lost_articles"] == 0 and from_feed == args.entries and feed.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
