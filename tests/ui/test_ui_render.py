"""Rendering helpers: everything escaped, quotes highlighted by their offsets."""

from __future__ import annotations

from datetime import date

from assistant import ABSTENTION, Answer, ArticleView, Citation, IndexReport, Passage
from ui.render import (
    Span,
    Turn,
    chat_html,
    esc,
    highlight,
    markers_html,
    report_html,
    safe_url,
    sources_html,
)

BODY = "First sentence here. The <b>second</b> one & more.\n\nThird sentence: 2 < 3."


def citation(n: int, start: int, end: int, **fields: object) -> Citation:
    base = dict(article_id="a1", source="/data/a.txt", title="T", n=n, quote=BODY[start:end], start=start,
                end=end, passage_rank=1)
    return Citation(**{**base, **fields})


def test_escape_covers_markup_and_quotes() -> None:
    assert esc('<img src=x onerror="alert(1)">') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert esc("it's") == "it&#x27;s"
    assert esc(None) == ""


def test_highlight_by_offsets_escapes_inside_and_outside() -> None:
    start = BODY.index("The <b>")
    end = BODY.index("more.") + len("more.")
    html = highlight(BODY, [Span(start, end, 2)])
    assert html == (
        'First sentence here. <mark class="nd-hl" data-n="2">The &lt;b&gt;second&lt;/b&gt; one &amp; more.</mark>'
        "\n\nThird sentence: 2 &lt; 3."
    )


def test_highlight_does_not_search_text() -> None:
    body = "Repeat. Repeat."
    html = highlight(body, [Span(8, 15, 1)])  # the second "Repeat.", not the first
    assert html == 'Repeat. <mark class="nd-hl" data-n="1">Repeat.</mark>'


def test_highlight_offset_overlap_and_clipping() -> None:
    passage_start = 21
    passage = BODY[passage_start:]
    html = highlight(passage, [Span(0, 25, 1), Span(21, 24, 2), Span(50, 60, 3), Span(500, 600, 4)], offset=passage_start)
    assert html.startswith('<mark class="nd-hl" data-n="1">The </mark>&lt;b&gt;')  # clipped to the passage
    assert html.count("<mark") == 2 and 'data-n="2"' not in html  # 2 inside 1; 4 outside
    assert highlight("abc", []) == "abc"


def test_markers_become_buttons_only_for_numbers() -> None:
    html = markers_html("A <script>x</script> [click](javascript:y) claim. [1] [12]", turn=3)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "[click](javascript:y)" in html
    assert html.count('class="nd-cite"') == 2
    assert 'data-turn="3" data-n="12"' in html


def test_safe_url_allows_only_http() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url(" javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url(None) is None


def test_chat_html_escapes_questions_and_shows_abstention() -> None:
    answered = Answer(question="q", text=ABSTENTION, abstained=True)
    html = chat_html([Turn(question="<img src=x onerror=alert(1)>", answer=answered)])
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "nd-abstained" in html and "Not found in the indexed articles" in html
    assert "No articles indexed yet" in chat_html([], empty_index=True)


def test_sources_cards_highlight_every_cited_sentence_of_the_article() -> None:
    first = citation(1, 0, 20, title="<script>t</script>", outlet="O<b>", published=date(2024, 1, 2),
                     url="javascript:alert(1)")
    second = citation(2, BODY.index("Third"), len(BODY))
    passage = Passage(article_id="a1", source="/data/a.txt", title="T", rank=1, text=BODY[:50], start=0, end=50,
                      score=0.1)
    other = Passage(article_id="b", source="/data/<b>.txt", title="Other <i>", rank=2, text="x <y>", start=0, end=5,
                    score=0.05)
    answer = Answer(question="q?", text="First sentence here. [1] Third. [2]", abstained=False,
                    citations=[first, second], passages=[passage, other])
    view = ArticleView(article_id="a1", source="/data/a.txt", title="<script>t</script>", body=BODY)
    html = sources_html([(1, answer)], {"a1": view})
    assert "<script>" not in html and "&lt;script&gt;t&lt;/script&gt;" in html
    assert "javascript:" not in html.split('class="nd-where"')[1].split("</div>")[0].split("href")[0]
    assert 'href="javascript' not in html
    article = html.split('class="nd-article-body">')[1].split("</div>")[0]
    assert article.count("<mark") == 2  # both citations of this article, by offset
    assert "1 more retrieved passage, not cited" in html and "Other &lt;i&gt;" in html


def test_report_lists_refused_and_skipped_with_user_names() -> None:
    report = IndexReport(added=["/d/uploads/t/ab12cd34-a.txt"])
    html = report_html(report, {"/d/uploads/t/ab12cd34-a.txt": "a <1>.txt"}, [("../x.exe", "unsupported file type")])
    assert "added a &lt;1&gt;.txt" in html
    assert "skipped ../x.exe: unsupported file type" in html
    assert "<b>1</b> skipped" in html


def test_llm_notes_and_duplicates_are_escaped() -> None:
    answer = Answer(question="q", text="Claim. [1]", abstained=False, fallback="<b>timeout</b>",
                    citations=[citation(1, 0, 20, also_reported_by=["Other <i>Post</i>"])])
    html = chat_html([Turn(question="q", answer=answer)]) + sources_html([(1, answer)], {})
    assert "&lt;b&gt;timeout&lt;/b&gt;" in html and "<b>timeout" not in html
    assert "also reported by Other &lt;i&gt;Post&lt;/i&gt;" in html
