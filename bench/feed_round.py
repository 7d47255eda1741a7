"""A feed round of 200 entries against a local server (127.0.0.1): time, requests made, chunks
embedded; then the same feed unchanged (ETag -> 304) and unchanged without ETag support.

    python bench/feed_round.py [--entries 200] [--data-dir /tmp/feed-bench]

The figures go in the README ("Keeping the archive fresh"). Fictional generated articles; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "feeds"))

from newsserver import NewsServer, Route, Story, page_html, rss  # noqa: E402

from assistant import Assistant  # noqa: E402
from index.config import FetchConfig  # noqa: E402

TOWNS = ["Aldwick", "Brenmoor", "Carrow", "Dunhallow", "Eskby", "Fennick", "Glenmarsh", "Harrowby",
         "Ivel", "Jarrow Bay", "Kessock", "Lanwick", "Morrow", "Nethercott", "Oxley"]
THINGS = ["library", "bakery", "ferry", "bridge", "orchard", "school", "brewery", "harbour",
          "museum", "market", "quarry", "mill", "choir", "lighthouse", "rail halt"]
EVENTS = ["reopens", "closes", "wins a prize", "is sold", "floods", "gets a grant", "celebrates"]


def stories(count: int) -> list[Story]:
    """count distinct fictional stories (each window of words names its own town and thing)."""
    made = []
    for n, (town, thing, event) in enumerate(itertools.product(TOWNS, THINGS, EVENTS)):
        if n == count:
            break
        made.append(Story(f"s{n}", f"{town} {thing} {event}", f"2005-{n % 12 + 1:02d}-{n % 27 + 1:02d}", (
            f"The {thing} in {town} {event}, story {n} of the bench feed reported on day {n % 27 + 1}.",
            f"{town} council said the {thing} had served {n * 13 + 40} people a week in {2004 - n % 30}.",
            f"Residents of {town} met {n % 9 + 2} times to discuss the {thing} before it {event}.",
            f"A spokesperson for the {town} {thing} thanked {n % 50 + 10} volunteers by name.",
        )))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="feed-bench-"))
    shutil.rmtree(data_dir, ignore_errors=True)

    server = NewsServer().start()
    items = stories(args.entries)
    for story in items:
        server.routes[f"/news/{story.slug}.html"] = Route(page_html(story), etag=True)
    server.routes["/robots.txt"] = Route("User-agent: *\nAllow: /\n", content_type="text/plain")
    feed_xml = rss([(s, server.url(f"/news/{s.slug}.html")) for s in items])
    server.routes["/rss.xml"] = Route(feed_xml, content_type="application/rss+xml", etag=True)
    feed = server.url("/rss.xml")

    # the local news server is on 127.0.0.1: fetching it needs the opt-in
    local = FetchConfig(allow_private_networks=True)
    assistant = Assistant(data_dir=data_dir, fetch=local).warm_up()  # model load is not part of a round
    print(f"feed of {len(items)} entries (summaries only: every page is fetched), data dir {data_dir}")
    rounds = [("first round", None), ("unchanged, ETag 304", None), ("unchanged, no ETag", False)]
    for name, etag in rounds:
        if etag is False:
            server.routes["/rss.xml"] = Route(feed_xml, content_type="application/rss+xml", etag=False)
        before = server.count()
        started = time.perf_counter()
        report = assistant.index([], feeds=[feed])
        seconds = time.perf_counter() - started
        pages = server.count(lambda r: r.path.startswith("/news/")) if name == "first round" else None
        print(f"{name:22s} {seconds:6.2f}s  requests {server.count() - before:4d}  added {len(report.added):4d}  "
              f"unchanged {len(report.unchanged):4d}  chunks embedded {report.chunks_embedded:4d}  "
              f"skipped {len(report.skipped)}" + (f"  (pages {pages})" if pages is not None else ""))
    server.stop()


if __name__ == "__main__":
    main()
