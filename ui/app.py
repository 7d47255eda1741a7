"""The Gradio page: chat on the left, sources on the right, a Library tab for uploads.

A thin layer over assistant.Assistant: every handler calls one Assistant method and renders
the result with ui.render (which escapes all article text).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import Answer, ArticleView, Assistant, IndexReport
from assistant.errors import USER_ERRORS
from ui import render
from ui.render import Turn
from ui.uploads import (
    UPLOAD_SUFFIXES,
    UPLOADS_FOLDER,
    UploadLimits,
    UploadRefused,
    forget_upload,
    store_uploads,
)

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "assets"
MAX_TURNS_WITH_SOURCES = 12  # older answers keep their text; their source cards are dropped
TABLE_HEADERS = ["Title", "Outlet", "Topic", "Published", "Source"]
FEED_HEADERS = ["Feed", "Title", "Last round (UTC)", "Report"]
PRIVATE = "private"


class Page:
    """Handlers of the page, bound to one Assistant."""

    def __init__(self, assistant: Assistant, limits: UploadLimits) -> None:
        self.assistant = assistant
        self.limits = limits
        self.default_k = assistant.settings.retrieval.k

    # --- asking -------------------------------------------------------------------------
    def respond(
        self, question: str, turns: list[Turn], outlet: str | None, topic: str | None,
        since: str | None, until: str | None, k: float | None, mode: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat, then show its sources."""
        question = (question or "").strip()
        if not question:
            yield gr.skip(), turns, gr.skip(), gr.skip()
            return
        filters = {"outlet": outlet or None, "topic": topic or None, "since": (since or "").strip() or None,
                   "until": (until or "").strip() or None}
        shown = {name: value for name, value in filters.items() if value}
        if k and int(k) != self.default_k:
            shown["sources"] = int(k)
        history = [(t.question, t.answer.text) for t in turns if t.answer is not None and not t.answer.abstained]
        turn = Turn(question=question, filters=shown)
        turns = [*turns, turn]
        yield "", turns, render.chat_html(turns), gr.skip()
        try:
            for item in self.assistant.stream(question, history, k=int(k) if k else None, mode=mode or None,
                                              **filters):
                if isinstance(item, Answer):
                    turn.answer = item  # replaces the streamed reply: markers are checked by now
                else:
                    turn.partial += item
                    yield "", turns, render.chat_html(turns), gr.skip()
        except USER_ERRORS as error:
            turn.error = str(error)
            yield "", turns, render.chat_html(turns), gr.skip()
            return
        yield "", turns, render.chat_html(turns), self.sources(turns)

    def sources(self, turns: list[Turn]) -> str:
        """Source panels of the recent answers (full articles of the cited ones included)."""
        answered = [(i, t.answer) for i, t in enumerate(turns, 1) if t.answer is not None]
        answered = answered[-MAX_TURNS_WITH_SOURCES:]
        articles: dict[str, ArticleView] = {}
        for _, answer in answered:
            for citation in answer.citations:
                if citation.article_id not in articles:
                    view = self.assistant.article(citation.article_id)
                    if view is not None:
                        articles[citation.article_id] = view
        return render.sources_html(answered, articles)

    def clear(self) -> tuple[list[Turn], str, str]:
        """An empty conversation."""
        return [], render.chat_html([], self.empty()), render.sources_html([], {})

    def empty(self) -> bool:
        """True when nothing is indexed yet."""
        return self.assistant.stats().articles == 0

    def ask_api(
        self, question: str, history: list[list[str]] | None = None, outlet: str | None = None,
        topic: str | None = None, since: str | None = None, until: str | None = None, k: int | None = None,
        mode: str | None = None,
    ) -> dict:
        """Answer a question from the indexed articles. Returns the Answer as JSON: text,
        abstained, citations (n, title, outlet, url, quote, start, end: offsets of the quote
        in the article body), passages, timings. history: [[question, answer], ...].
        mode: "extractive" or "llm" (when the server runs with --llm)."""
        pairs = [(str(h[0]), str(h[1])) for h in history or [] if len(h) >= 2]
        try:
            answer = self.assistant.ask(question, pairs, k=k or None, mode=mode or None, outlet=outlet,
                                        topic=topic, since=since, until=until)
        except USER_ERRORS as error:
            raise gr.Error(str(error)) from error
        return answer.model_dump(mode="json")

    # --- library ------------------------------------------------------------------------
    def upload(self, files: list[str] | None, topic: str | None, progress: gr.Progress = gr.Progress()) -> tuple[str, dict]:
        """Store uploaded files under generated names in the data directory, index them."""
        if not files:
            return '<div class="nd-report nd-muted">Choose files to upload first.</div>', {}
        pairs = [(Path(f).name, Path(f)) for f in files]
        settings = self.assistant.settings
        if settings.catalog_url and settings.chroma_url:  # a replica keeps nothing: the catalog holds the text
            with tempfile.TemporaryDirectory(prefix="newsdesk-upload-") as scratch:
                return self._store_and_index(pairs, Path(scratch), topic, progress)
        return self._store_and_index(pairs, self.assistant.settings.data_dir, topic, progress)

    def _store_and_index(self, pairs: list[tuple[str, Path]], root: Path, topic: str | None,
                         progress: gr.Progress) -> tuple[str, dict]:
        try:
            stored = store_uploads(pairs, root, topic, self.limits)
        except UploadRefused as refused:
            return f'<div class="nd-report nd-error" role="alert">Upload refused: {render.esc(refused)}</div>', {}
        report = self._index(stored.paths, progress) if stored.paths else IndexReport()
        if isinstance(report, str):
            return report, {}
        summary = report.model_dump(mode="json")
        summary["refused"] = [{"source": name, "reason": reason} for name, reason in stored.refused]
        return render.report_html(report, stored.names, stored.refused), summary

    def index_url(self, url: str | None, progress: gr.Progress = gr.Progress()) -> str:
        """Fetch and index a web page, or every new entry of an RSS/Atom feed."""
        url = (url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            return '<div class="nd-report nd-muted">Give a page or feed address starting with http:// or https://.</div>'
        report = self._index([url], progress)
        return report if isinstance(report, str) else render.report_html(report)

    def feeds(self) -> list[list[str]]:
        """Rows of the feeds table: address, title, last round, its report."""
        return [[f.url, f.title or "", (f.last_round_at or "")[:16].replace("T", " "), f.last_summary or ""]
                for f in self.assistant.feeds()]

    def reindex(self, folder: str | None, progress: gr.Progress = gr.Progress()) -> str:
        """Sync a folder the index already knows (new, changed, vanished files)."""
        if not folder or folder not in self.known_folders():
            return '<div class="nd-report nd-muted">Choose a folder the index already knows.</div>'
        report = self._index([Path(folder)], progress)
        return report if isinstance(report, str) else render.report_html(report)

    def _index(self, paths: list[Path] | list[str], progress: gr.Progress) -> IndexReport | str:
        progress(0, desc="starting")

        def step(done: int, total: int, current: str) -> None:
            progress((done, total), desc=f"indexing {Path(current).name}", unit="files")
        try:
            return self.assistant.index([str(p) for p in paths], progress=step)
        except USER_ERRORS as error:
            return f'<div class="nd-report nd-error" role="alert">{render.esc(error)}</div>'

    def known_folders(self) -> list[str]:
        """Folders holding indexed files (what 'Re-index' may sync)."""
        folders = {str(Path(a.source).parent) for a in self.assistant.articles() if "://" not in a.source}
        return sorted(f for f in folders if Path(f).is_dir())

    def table(self, query: str | None = None) -> tuple[list[list[str]], list[str]]:
        """Rows of the library table (filtered by a case-insensitive search) and their ids."""
        needle = (query or "").strip().lower()
        rows, ids = [], []
        for a in self.assistant.articles():
            row = [a.title, a.outlet or "", a.topic or "", a.published.isoformat() if a.published else "",
                   a.url or a.source]
            if not needle or any(needle in cell.lower() for cell in row):
                rows.append(row)
                ids.append(a.article_id)
        return rows, ids

    def select_row(self, rows: list[list[str]], ids: list[str], event: gr.SelectData) -> tuple[str, Any]:
        """Remember the clicked article for deletion."""
        try:
            title, article_id = rows[event.index[0]][0], ids[event.index[0]]
        except (IndexError, TypeError):
            return "", gr.update(interactive=False, value="Delete selected article")
        return article_id, gr.update(interactive=True, value=f"Delete “{title[:60]}”")

    def delete(self, article_id: str) -> str:
        """Remove the selected article from the index."""
        if not article_id:
            return '<div class="nd-report nd-muted">Click a row of the table first.</div>'
        view = self.assistant.article(article_id)
        try:
            report = self.assistant.remove(article_id)
        except USER_ERRORS as error:
            return f'<div class="nd-report nd-error" role="alert">{render.esc(error)}</div>'
        if view is not None:  # an uploaded copy goes too, so a re-index does not bring it back
            forget_upload(Path(view.source), self.assistant.settings.data_dir)
        return render.report_html(report)

    def refresh(self, query: str | None, turns: list[Turn]) -> tuple[Any, ...]:
        """Everything that depends on what the index holds."""
        stats = self.assistant.stats()
        outlets = [("All outlets", "")] + [(name, name) for name in stats.by_outlet]
        topics = [("All topics", "")] + [(name, name) for name in stats.by_topic]
        chat = gr.skip() if turns else render.chat_html([], stats.articles == 0)
        return (
            render.status_line(stats), render.stats_html(stats), *self.table(query),
            gr.update(choices=outlets), gr.update(choices=topics),
            gr.update(choices=self.known_folders()), chat,
            "", gr.update(interactive=False, value="Delete selected article"), self.feeds(),
        )


def build_app(assistant: Assistant, limits: UploadLimits | None = None) -> gr.Blocks:
    """The Blocks page over an Assistant."""
    page = Page(assistant, limits or assistant.settings.upload)
    default_k = assistant.settings.retrieval.k
    backend, _, model = (assistant.llm or "").partition(":")
    model_name = Path(model).name if backend == "llamacpp" else model or backend  # no local paths shown
    with gr.Blocks(title="Newsdesk", fill_width=True, analytics_enabled=False) as demo:
        turns = gr.State([])
        selected = gr.State("")
        table_ids = gr.State([])
        with gr.Row(elem_id="nd-header"):
            gr.HTML('<h1 class="nd-brand">Newsdesk <small>answers that cite the sentence they come from</small></h1>',
                    js_on_load=None)
            status = gr.HTML("", elem_id="nd-status", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=340, elem_id="nd-left"):
                        chat = gr.HTML(render.chat_html([]), elem_id="nd-chat", js_on_load=None)
                        with gr.Row(elem_id="nd-ask-row"):
                            question = gr.Textbox(
                                placeholder="Ask about the articles…", show_label=False, lines=1, max_lines=4, scale=5,
                                min_width=150,
                                elem_id="nd-question", autofocus=True, submit_btn=False,
                            )
                            send = gr.Button("Ask", variant="primary", scale=0, min_width=64, elem_id="nd-send")
                            clear = gr.Button("Clear", scale=0, min_width=64, elem_id="nd-clear")
                        with gr.Accordion("Filters (apply to the next question)", open=False, elem_id="nd-filters"):
                            with gr.Row():
                                outlet = gr.Dropdown([("All outlets", "")], value="", label="Outlet", min_width=140,
                                                     elem_id="nd-outlet")
                                topic = gr.Dropdown([("All topics", "")], value="", label="Topic", min_width=140,
                                                    elem_id="nd-topic")
                            with gr.Row():
                                since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", min_width=140,
                                                   elem_id="nd-since")
                                until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", min_width=140,
                                                   elem_id="nd-until")
                                k = gr.Slider(1, 20, value=default_k, step=1, label="Sources", min_width=140,
                                              elem_id="nd-k")
                        mode = gr.Radio(
                            [("Extractive (quotes only)", "extractive"), (f"Language model ({model_name})", "llm")],
                            value="llm" if assistant.llm else "extractive", label="Answer with",
                            visible=bool(assistant.llm), elem_id="nd-mode",
                        )
                    with gr.Column(scale=2, min_width=320, elem_id="nd-right"):
                        sources = gr.HTML(render.sources_html([], {}), elem_id="nd-sources", js_on_load=None)
            with gr.Tab("Library", id="library"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=320):
                        gr.Markdown("### Add articles")
                        files = gr.File(
                            file_count="multiple", file_types=sorted(UPLOAD_SUFFIXES), type="filepath",
                            label="Articles (.txt .md .html .json .jsonl .pdf, or a .zip of them)",
                            elem_id="nd-upload", height=150,
                        )
                        upload_topic = gr.Textbox(UPLOADS_FOLDER, label="Topic of these articles (folder name)",
                                                  elem_id="nd-upload-topic")
                        index_button = gr.Button("Index uploaded files", variant="primary", elem_id="nd-index")
                        report = gr.HTML("", label="report", elem_id="nd-report", js_on_load=None)
                        report_json = gr.JSON(visible=False, label="report_json")
                        with gr.Row(elem_id="nd-url-row"):
                            url = gr.Textbox(placeholder="https://… a news page or an RSS/Atom feed", scale=4,
                                             label="Add from the web", min_width=200, elem_id="nd-url")
                            url_button = gr.Button("Fetch and index", scale=1, min_width=120, elem_id="nd-fetch")
                        feeds = gr.Dataframe(headers=FEED_HEADERS, datatype="str", type="array", interactive=False,
                                             wrap=True, max_height=200, label="Feeds read so far (last round)",
                                             elem_id="nd-feeds", visible=True)
                        with gr.Accordion("Re-index a folder the index already knows", open=False):
                            folder = gr.Dropdown([], label="Folder", elem_id="nd-folder")
                            reindex_button = gr.Button("Re-index folder", elem_id="nd-reindex")
                    with gr.Column(scale=3, min_width=320):
                        gr.Markdown("### Indexed articles")
                        library_stats = gr.HTML("", elem_id="nd-library-stats", js_on_load=None)
                        search = gr.Textbox(placeholder="Search titles, outlets, topics, sources", show_label=False,
                                            elem_id="nd-search")
                        table = gr.Dataframe(headers=TABLE_HEADERS, datatype="str", type="array", interactive=False,
                                             wrap=True, max_height=420, elem_id="nd-table",
                                             column_widths=["36%", "14%", "11%", "13%", "26%"])
                        delete_button = gr.Button("Delete selected article", variant="stop", interactive=False,
                                                  elem_id="nd-delete")

        refresh_outputs = [status, library_stats, table, table_ids, outlet, topic, folder, chat, selected, delete_button,
                           feeds]
        ask_inputs = [question, turns, outlet, topic, since, until, k, mode]
        ask_outputs = [question, turns, chat, sources]
        for trigger in (question.submit, send.click):
            trigger(page.respond, ask_inputs, ask_outputs, api_visibility=PRIVATE, concurrency_limit=4,
                    concurrency_id="ask", show_progress="hidden")
        clear.click(page.clear, None, [turns, chat, sources], api_visibility=PRIVATE, queue=False)
        gr.api(page.ask_api, api_name="ask", concurrency_limit=4, concurrency_id="ask")

        index_button.click(
            page.upload, [files, upload_topic], [report, report_json], api_name="index", concurrency_limit=1,
            concurrency_id="index", show_progress_on=[report],
        ).then(lambda: None, None, files, api_visibility=PRIVATE).then(
            page.refresh, [search, turns], refresh_outputs, api_visibility=PRIVATE)
        for trigger in (url.submit, url_button.click):
            trigger(page.index_url, url, report, api_visibility=PRIVATE, concurrency_limit=1, concurrency_id="index",
                    show_progress_on=[report]).then(page.refresh, [search, turns], refresh_outputs,
                                                    api_visibility=PRIVATE)
        reindex_button.click(page.reindex, folder, report, api_visibility=PRIVATE, concurrency_limit=1,
                             concurrency_id="index").then(page.refresh, [search, turns], refresh_outputs,
                                                          api_visibility=PRIVATE)
        search.change(page.table, search, [table, table_ids], api_visibility=PRIVATE, show_progress="hidden")
        table.select(page.select_row, [table, table_ids], [selected, delete_button], api_visibility=PRIVATE)
        delete_button.click(page.delete, selected, report, api_visibility=PRIVATE, concurrency_id="index").then(
            page.refresh, [search, turns], refresh_outputs, api_visibility=PRIVATE)
        demo.load(page.refresh, [search, turns], refresh_outputs, api_visibility=PRIVATE)
    return demo


def launch_options() -> dict[str, Any]:
    """Page assets for Blocks.launch(): theme, CSS and the click handler script."""
    theme = gr.themes.Default(
        primary_hue="blue", neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )
    return {
        "theme": theme,
        "css_paths": [ASSETS / "newsdesk.css"],
        "js": (ASSETS / "newsdesk.js").read_text(encoding="utf-8"),
    }
