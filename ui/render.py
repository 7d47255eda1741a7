"""Pure HTML rendering for the web page: every piece of article text is escaped here.

Nothing in this module trusts its input: titles, bodies, quotes, filenames and URLs all
come from indexed files or uploads and are escaped with html.escape (quotes included).
Cited sentences are highlighted by their offsets in the article body, never by searching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from assistant import ABSTENTION, Answer, ArticleView, Citation, IndexReport, Passage, Stats

_MARKER = re.compile(r"\[(\d{1,3})\]")


def esc(text: object) -> str:
    """HTML-escape any value (quotes too, so the result is safe inside attributes)."""
    return escape("" if text is None else str(text), quote=True)


@dataclass(frozen=True)
class Span:
    """A highlighted stretch of text: [start, end) offsets and the citation number."""

    start: int
    end: int
    n: int


def highlight(text: str, spans: Iterable[Span], offset: int = 0) -> str:
    """Escape `text` and wrap each span in <mark>; span offsets are relative to the
    document `text` was cut from, starting at `offset` (e.g. a passage at body[120:480]).

    Spans are clipped to the text; overlapping spans are merged into the earlier one.
    """
    parts: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        start = max(span.start - offset, cursor)
        end = min(span.end - offset, len(text))
        if end <= start:
            continue
        parts.append(esc(text[cursor:start]))
        parts.append(f'<mark class="nd-hl" data-n="{span.n}">{esc(text[start:end])}</mark>')
        cursor = end
    parts.append(esc(text[cursor:]))
    return "".join(parts)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (no javascript: or data: links)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def markers_html(text: str, turn: int) -> str:
    """Escape answer text and turn each [n] into a clickable marker for that turn."""
    return _MARKER.sub(
        lambda m: f'<button type="button" class="nd-cite" data-turn="{turn}" data-n="{m.group(1)}" '
        f'title="show source {m.group(1)}">[{m.group(1)}]</button>',
        esc(text),
    )


def meta_line(ref: Citation | Passage | ArticleView) -> str:
    """'outlet · date · topic' as escaped HTML."""
    bits = [ref.outlet, ref.published.isoformat() if ref.published else None, ref.topic]
    return " · ".join(f"<span>{esc(b)}</span>" for b in bits if b)


def link_html(ref: Citation | Passage | ArticleView) -> str:
    """A link to the article's URL (http/https only), or its path as text."""
    url = safe_url(ref.url)
    if url:
        return f'<a class="nd-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow">{esc(url)}</a>'
    return f'<span class="nd-path">{esc(ref.source)}</span>'


def also_html(ref: Citation) -> str:
    """'Also reported by …' for a story stored once but found in several sources."""
    others = list(dict.fromkeys(getattr(ref, "also_reported_by", []) or []))
    if not others:
        return ""
    return f'<div class="nd-also">also reported by {", ".join(esc(o) for o in others[:8])}</div>'


# --- chat ------------------------------------------------------------------------------

@dataclass
class Turn:
    """One question and its answer (None while the answer is being produced)."""

    question: str
    answer: Answer | None = None
    partial: str = ""
    error: str | None = None
    filters: dict[str, object] = field(default_factory=dict)


def copy_text(answer: Answer) -> str:
    """What the copy button puts on the clipboard: the answer, then its sources."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        where = ", ".join(x for x in (c.outlet, c.published.isoformat() if c.published else None) if x)
        lines.append(f"[{c.n}] {c.title}" + (f" ({where})" if where else "") + f" {c.url or c.source}")
    return "\n".join(lines)


def filters_line(filters: dict[str, object]) -> str:
    """The filters a question was asked with, e.g. 'outlet: BBC · since 2005-01-01'."""
    shown = [f"{name} {value}" for name, value in filters.items() if value not in (None, "")]
    return " · ".join(esc(s) for s in shown)


def turn_html(turn: Turn, number: int) -> str:
    """A user bubble and the assistant's reply (streaming, final, abstained or error)."""
    parts = [f'<div class="nd-msg nd-user"><div class="nd-bubble">{esc(turn.question)}</div></div>']
    answer = turn.answer
    if turn.error:
        body = f'<div class="nd-bubble nd-error" role="alert">{esc(turn.error)}</div>'
    elif answer is None:
        text = markers_html(turn.partial, number) if turn.partial else '<span class="nd-typing">Searching the articles…</span>'
        body = f'<div class="nd-bubble nd-pending">{text}</div>'
    else:
        kind, label = answer_state(answer)
        text = markers_html(answer.text, number) if answer.citations else esc(answer.text)
        text = text.replace("\n\n", "<br><br>")
        notes = []
        if answer.standalone_question:
            notes.append(f"searched as: {esc(answer.standalone_question)}")
        if turn.filters:
            notes.append(f"filters: {filters_line(turn.filters)}")
        if getattr(answer, "fallback", None):
            notes.append(f"the language model failed ({esc(answer.fallback)}): extractive answer")
        unsupported = [c for c in getattr(answer, "sentences", []) if not c.supported]
        if unsupported:
            flagged = "; ".join(f"“{esc(c.text)}”" + (f" ({esc(c.reason)})" if c.reason else "") for c in unsupported)
            notes.append(f'<span class="nd-unsupported">not supported by its source: {flagged}</span>')
        if "total" in answer.timings:
            notes.append(f"{answer.timings['total'] * 1000:.0f} ms")
        foot = (
            f'<div class="nd-foot"><span class="nd-notes">{" · ".join(notes)}</span>'
            f'<button type="button" class="nd-copy" data-copy="{esc(copy_text(answer))}" '
            'title="copy the answer and its sources">Copy</button></div>'
        )
        body = f'<div class="nd-bubble {kind}" data-turn="{number}">{label}<div class="nd-answer-text">{text}</div>{foot}</div>'
    parts.append(f'<div class="nd-msg nd-bot">{body}</div>')
    return "".join(parts)


def answer_state(answer: Answer) -> tuple[str, str]:
    """The bubble's CSS class and label: answered, contested, not stated (the articles are
    about the subject but lack the fact: the cited sentences are only related), or not found."""
    if answer.reason == "not_stated":
        return "nd-not-stated", ('<div class="nd-state-label nd-not-stated-label">Not stated in the articles'
                                 " — the cited sentences are related, not the answer</div>")
    if answer.abstained:
        reason = "Not found in the indexed articles" if answer.text == ABSTENTION else "No answer"
        return "nd-abstained", f'<div class="nd-abstain-label">{reason}</div>'
    if answer.contested:
        return "nd-contested", ('<div class="nd-state-label nd-contested-label">Accounts differ'
                                " — each claim is given with who makes it</div>")
    if any(p.abstained for p in answer.parts):
        missing = sum(p.abstained for p in answer.parts)
        return "nd-partial", f'<div class="nd-state-label">{missing} of {len(answer.parts)} parts not stated in the articles</div>'
    return "nd-answered", ""


def chat_html(turns: Sequence[Turn], empty_index: bool = False) -> str:
    """The whole conversation; a welcome (or first-run) screen when there is none yet."""
    if not turns:
        return welcome_html(empty_index)
    return '<div class="nd-chat">' + "".join(turn_html(t, i) for i, t in enumerate(turns, 1)) + "</div>"


def welcome_html(empty_index: bool) -> str:
    """First screen: how to add articles when the index is empty, else what to ask."""
    if empty_index:
        return (
            '<div class="nd-welcome nd-first-run"><h2>No articles indexed yet</h2>'
            "<p>Add articles before asking questions:</p><ol>"
            "<li>open the <b>Library</b> tab and upload files (.txt .md .html .json .jsonl .pdf, or a .zip of them), or</li>"
            "<li>index a folder from a terminal: <code>newsdesk index path/to/articles/</code> "
            "(with the same <code>--data-dir</code> as this server), then reload this page.</li></ol></div>"
        )
    return (
        '<div class="nd-welcome"><h2>Ask about the news archive</h2>'
        "<p>Every sentence of an answer cites the article it comes from: click a "
        "<span class=\"nd-cite-sample\">[1]</span> marker to read the sentence in its article. "
        "Follow-up questions use the conversation so far.</p></div>"
    )


# --- sources ---------------------------------------------------------------------------

def _passage_for(citation: Citation, passages: Sequence[Passage]) -> Passage | None:
    for p in passages:
        if p.rank == citation.passage_rank and p.article_id == citation.article_id:
            return p
    return None


def source_card(citation: Citation, answer: Answer, article: ArticleView | None) -> str:
    """A numbered card: title, meta, link, the passage with the cited sentence highlighted,
    and (hidden until the card or a marker is clicked) the full article with every
    sentence of the answer that comes from it highlighted."""
    passage = _passage_for(citation, answer.passages)
    here = Span(citation.start, citation.end, citation.n)
    if passage and passage.start <= citation.start and citation.end <= passage.end:
        excerpt = highlight(passage.text, [here], offset=passage.start)
    else:
        excerpt = highlight(citation.quote, [Span(0, len(citation.quote), citation.n)])
    full = ""
    if article is not None:
        spans = [Span(c.start, c.end, c.n) for c in answer.citations if c.article_id == citation.article_id]
        full = (
            f'<div class="nd-article" hidden><div class="nd-article-title">{esc(article.title)}</div>'
            f'<div class="nd-article-body">{highlight(article.body, spans)}</div></div>'
        )
    role = {"related": '<span class="nd-role nd-role-related">related, not the answer</span>',
            "context": '<span class="nd-role">context</span>'}.get(citation.role, "")
    return (
        f'<article class="nd-card nd-card-{citation.role}" data-n="{citation.n}">'
        f'<div class="nd-card-head" role="button" tabindex="0" title="open the full article">'
        f'<span class="nd-num">{citation.n}</span><span class="nd-title">{esc(citation.title)}</span>{role}</div>'
        f'<div class="nd-meta">{meta_line(citation)}</div><div class="nd-where">{link_html(citation)}</div>'
        f"{also_html(citation)}"
        f'<div class="nd-excerpt">{excerpt}</div>'
        f'<button type="button" class="nd-open" data-n="{citation.n}">Read the full article</button>{full}</article>'
    )


def other_passages_html(answer: Answer) -> str:
    """Passages that were retrieved but not cited, collapsed."""
    cited = {(c.article_id, c.passage_rank) for c in answer.citations}
    rest = [p for p in answer.passages if (p.article_id, p.rank) not in cited]
    if not rest:
        return ""
    items = "".join(
        f'<li class="nd-passage"><div class="nd-title">{esc(p.title)}</div><div class="nd-meta">{meta_line(p)}</div>'
        f'<div class="nd-excerpt">{esc(p.text)}</div></li>'
        for p in rest
    )
    return (
        f'<details class="nd-others"><summary>{len(rest)} more retrieved passage{"s" if len(rest) != 1 else ""}, '
        f"not cited</summary><ol>{items}</ol></details>"
    )


def turn_sources_html(answer: Answer, number: int, articles: dict[str, ArticleView], visible: bool) -> str:
    """The source cards of one answer (only the latest answer's are visible at first)."""
    if answer.citations:
        cards = "".join(source_card(c, answer, articles.get(c.article_id)) for c in answer.citations)
    elif answer.abstained and answer.text != ABSTENTION and not answer.passages:
        cards = f'<p class="nd-empty">{esc(answer.text)}</p>'
    else:
        cards = '<p class="nd-empty">No sentence answers this question, so nothing is cited.</p>'
    hidden = "" if visible else " hidden"
    return (
        f'<section class="nd-turn-sources" data-turn="{number}"{hidden}>'
        f'<div class="nd-sources-for">Sources for: <q>{esc(answer.question)}</q></div>'
        f"{cards}{other_passages_html(answer)}</section>"
    )


def sources_html(answers: Sequence[tuple[int, Answer]], articles: dict[str, ArticleView]) -> str:
    """Source panels of the given (turn number, answer) pairs; the last one is shown."""
    if not answers:
        return '<div class="nd-sources-empty">Sources of the answer appear here, with the cited sentences highlighted.</div>'
    last = answers[-1][0]
    return "".join(turn_sources_html(a, n, articles, n == last) for n, a in answers)


# --- library ---------------------------------------------------------------------------

def report_html(
    report: IndexReport, names: dict[str, str] | None = None, refused: Sequence[tuple[str, str]] = ()
) -> str:
    """What an indexing run did, with reasons for skipped files. `names` maps stored
    paths back to the names the user uploaded; `refused` are (name, reason) of uploads
    that never reached the indexer."""
    names = names or {}

    def show(source: str) -> str:
        return esc(names.get(source.split("#", 1)[0], source))

    counts = [
        ("added", len(report.added)), ("updated", len(report.updated)), ("removed", len(report.removed)),
        ("unchanged", len(report.unchanged)), ("duplicates", len(report.duplicates)), ("skipped", len(report.skipped) + len(refused)),
    ]
    chips = "".join(f'<span class="nd-chip nd-{name}"><b>{n}</b> {name}</span>' for name, n in counts)
    rows = [f"<li>added {show(s)}</li>" for s in report.added[:50]]
    rows += [f"<li>updated {show(s)}</li>" for s in report.updated[:50]]
    rows += [f"<li>duplicate: {show(d.source)} = {show(d.duplicate_of)}</li>" for d in report.duplicates[:50]]
    skipped = [(s.source, s.reason) for s in report.skipped] + list(refused)
    rows += [f'<li class="nd-skip">skipped {show(source)}: {esc(reason)}</li>' for source, reason in skipped[:100]]
    details = f"<ul>{''.join(rows)}</ul>" if rows else ""
    return (
        f'<div class="nd-report"><div class="nd-chips">{chips}</div>'
        f'<div class="nd-report-time">{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s</div>{details}</div>'
    )


def stats_html(stats: Stats) -> str:
    """Counts of the index: articles, duplicates, chunks; per outlet and topic."""
    def chips(counts: dict[str, int]) -> str:
        return "".join(f'<span class="nd-chip">{esc(name)} <b>{n}</b></span>' for name, n in counts.items()) or "<i>none</i>"
    span = f" · published {esc(stats.first_published)} – {esc(stats.last_published)}" if stats.first_published else ""
    return (
        f'<div class="nd-stats"><div><b>{stats.articles}</b> articles · {stats.aliases} duplicates remembered · '
        f"{stats.chunks} chunks{span}</div>"
        f'<div class="nd-counts"><span class="nd-label">Outlets</span>{chips(stats.by_outlet)}</div>'
        f'<div class="nd-counts"><span class="nd-label">Topics</span>{chips(stats.by_topic)}</div></div>'
    )


def status_line(stats: Stats) -> str:
    """Short header line: what the index holds."""
    if stats.articles == 0:
        return '<span class="nd-status nd-status-empty">empty index</span>'
    def count(n: int, noun: str) -> str:
        return f"{n:,} {noun}{'' if n == 1 else 's'}"
    return (f'<span class="nd-status">{count(stats.articles, "article")} · {count(len(stats.by_outlet), "outlet")} · '
            f'{count(len(stats.by_topic), "topic")}</span>')
