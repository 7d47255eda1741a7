"""A real HTTP server on 127.0.0.1 for the feed tests: fixture pages and feeds (RSS 2.0, Atom)
written here, ETag / Last-Modified handling, and the bad cases (404, non-HTML, no main text,
malformed feed, redirect loop, slow endpoint, flaky 5xx, robots.txt). Never the internet."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import socket


@dataclass(frozen=True)
class Story:
    """A fictional news story (written for these tests; no corpus text)."""

    slug: str
    title: str
    published: str  # YYYY-MM-DD
    paragraphs: tuple[str, ...]
    outlet: str = "Harbour Gazette"


STORIES = [
    Story("lighthouse", "Varnmouth lighthouse keeper retires after forty years", "2005-03-03", (
        "Edda Lunn, the last keeper of the Varnmouth lighthouse, retired on Thursday after forty years in the tower.",
        "The harbour board said the light would now be run from a control room in Tolborough, sixty miles away.",
        "Ms Lunn said she would miss the winter storms most of all, and that she had logged more than nine hundred of them.",
        "A farewell supper for the keeper is planned at the Anchor Inn on Saturday evening.",
    )),
    Story("ferry", "Ferry fares to the Skerry Isles rise by a fifth", "2005-03-15", (
        "Return fares on the ferry between Varnmouth and the Skerry Isles will rise by twenty per cent from April.",
        "The operator, Northsound Lines, blamed the price of diesel, which it said had doubled since last spring.",
        "Island councillor Piet Armand called the increase a tax on living offshore and asked the ministry to step in.",
        "Northsound Lines carried 312,000 passengers last year, its annual report shows.",
    )),
    Story("orchard", "Cider orchard wins national apple prize", "2005-04-02", (
        "A family orchard near Tolborough has won the national apple prize for its russet variety, the Bramwell Gold.",
        "Judges praised the apple's nutty flavour and said it kept its crunch for months in cold storage.",
        "Owner Marta Bramwell said the orchard would plant another two thousand trees over the next three years.",
        "The prize comes with a grant of 15,000 crowns for research into frost-resistant rootstock.",
    )),
    Story("bridge", "Storm closes the Varnmouth swing bridge", "2005-04-20", (
        "The Varnmouth swing bridge was closed to traffic on Wednesday after gales damaged its turning motor.",
        "Engineers from the county council said repairs would take at least a fortnight and cost about 80,000 crowns.",
        "Drivers face a detour of eleven miles through Hollin Cross while the bridge is shut.",
        "Shopkeepers on the quay said trade had already fallen by half since the closure.",
    )),
]

# The same wire story as 'ferry', republished by another outlet with a new headline and light
# edits: a near-duplicate that must be stored once and shown as "also reported by".
WIRE_COPY = Story("ferry-wire", "Skerry Isles ferry fares to climb 20%", "2005-03-15", (
    "Return fares on the ferry between Varnmouth and the Skerry Isles will rise by twenty per cent from April.",
    "The operator, Northsound Lines, blamed the price of diesel, which it said had doubled since last spring.",
    "Island councillor Piet Armand called the increase a tax on living offshore and asked the ministry to step in.",
    "Northsound Lines carried 312,000 passengers last year, according to its annual report.",
), outlet="Coastal Wire")


def page_html(story: Story) -> str:
    """A news page with a menu, the article and a footer (what trafilatura must cut through)."""
    body = "".join(f"<p>{escape(p)}</p>\n" for p in story.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(story.title)} | {escape(story.outlet)}</title>
<meta property="og:title" content="{escape(story.title)}">
<meta property="og:site_name" content="{escape(story.outlet)}">
<meta name="author" content="Staff reporter">
<meta property="article:published_time" content="{story.published}T09:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>{escape(story.title)}</h1>
<time datetime="{story.published}">{story.published}</time>
{body}</article>
<footer><p>Follow us on social media. Copyright {escape(story.outlet)}.</p></footer>
</body></html>"""


def rss(items: list[tuple[Story, str]], full: bool = False, title: str = "Harbour Gazette") -> str:
    """RSS 2.0 with a summary per item (or the full text in content:encoded)."""
    entries = []
    for story, link in items:
        date = format_datetime(datetime.fromisoformat(story.published).replace(hour=9, tzinfo=UTC))
        content = ""
        if full:
            html = "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
            content = f"<content:encoded><![CDATA[{html}]]></content:encoded>"
        entries.append(
            f"<item><title>{escape(story.title)}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{date}</pubDate><description>{escape(story.paragraphs[0][:80])}</description>{content}</item>"
        )
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
            f"<description>news</description>{''.join(entries)}</channel></rss>")


def atom(items: list[tuple[Story, str]], title: str = "Coastal Wire") -> str:
    """Atom with the full text of each entry as HTML content."""
    entries = []
    for story, link in items:
        html = escape("".join(f"<p>{p}</p>" for p in story.paragraphs))
        entries.append(
            f"<entry><title>{escape(story.title)}</title><link href=\"{link}\"/><id>{link}</id>"
            f"<updated>{story.published}T09:00:00Z</updated><author><name>Wire desk</name></author>"
            f"<content type=\"html\">{html}</content></entry>"
        )
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test:feed</id><updated>2005-04-20T09:00:00Z</updated>"
            f"{''.join(entries)}</feed>")


@dataclass
class Route:
    """What the server answers on a path."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    etag: bool = False  # answer If-None-Match with 304
    fail_first: int = 0  # answer 503 this many times first


@dataclass
class Request:
    """A request the server received."""

    path: str
    headers: dict[str, str]


class NewsServer:
    """ThreadingHTTPServer in a thread; routes can change between rounds."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The full URL of a path."""
        return self.base + path

    def start(self) -> NewsServer:
        """Serve in the background."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Shut down."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, predicate: Callable[[Request], bool] = lambda r: True) -> int:
        """Requests received that match predicate."""
        with self._lock:
            return sum(1 for r in self.requests if predicate(r))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        with self._lock:
            self.requests.append(Request(path, {k.lower(): v for k, v in handler.headers.items()}))
            route = self.routes.get(path)
        if route is None:
            self._send(handler, 404, b"<html><body>not here</body></html>", "text/html")
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        with self._lock:
            failed = self._failures.get(path, 0)
            if failed < route.fail_first:
                self._failures[path] = failed + 1
                self._send(handler, 503, b"busy", "text/plain")
                return
        body = route.body.encode() if isinstance(route.body, str) else route.body
        headers = dict(route.headers)
        if route.etag:
            tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if handler.headers.get("If-None-Match") == tag:
                self._send(handler, 304, b"", None, headers)
                return
        self._send(handler, route.status, body, route.content_type, headers)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None) -> None:
        try:
            handler.send_response(status)
            if content_type:
                handler.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if body:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: a dead link."""
    with socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.html"


def standard_routes(server: NewsServer) -> None:
    """The fixture site: pages, feeds and the bad cases."""
    r = server.routes
    for story in STORIES + [WIRE_COPY]:
        r[f"/news/{story.slug}.html"] = Route(page_html(story), etag=True)
    r["/robots.txt"] = Route("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    r["/private/secret.html"] = Route(page_html(STORIES[0]))
    r["/rss.xml"] = Route(rss([(s, server.url(f"/news/{s.slug}.html")) for s in STORIES]),
                          content_type="application/rss+xml", etag=True)
    r["/atom.xml"] = Route(atom([(WIRE_COPY, server.url("/news/ferry-wire.html"))]),
                           content_type="application/atom+xml", etag=True)
    r["/broken.xml"] = Route('<?xml version="1.0"?>\n<rss><channel><title>Broken<<</ti',
                             content_type="application/rss+xml")
    r["/report.pdf"] = Route(b"%PDF-1.4 not really", content_type="application/pdf")
    r["/empty.html"] = Route("<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>")
    r["/loop-a"] = Route(status=302, headers={"Location": "/loop-b"})
    r["/loop-b"] = Route(status=302, headers={"Location": "/loop-a"})
    r["/slow.html"] = Route(page_html(STORIES[1]), delay_s=2.0)
    r["/flaky.html"] = Route(page_html(STORIES[2]), fail_first=2)
    r["/down.html"] = Route(page_html(STORIES[2]), fail_first=99)
    r["/huge.html"] = Route("<html><body>" + "<p>word </p>" * 20000 + "</body></html>")
