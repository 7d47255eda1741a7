"""The page in a real browser (headless Debian chromium through Playwright): ask, read the
cited sentence in its source, follow up, filter, upload, stay safe, log in."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from ui_support import AUTH, FIXTURES, Server

pytestmark = [pytest.mark.browser, pytest.mark.integration]

XSS_FLAGS = ["__xss_title", "__xss_title_img", "__xss_body", "__xss_script", "__xss_md", "__xss_tpl", "__xss_link"]


def open_page(page: Any, server: Server) -> None:
    page.goto(server.url)
    page.wait_for_selector("#nd-question textarea")
    page.wait_for_selector(".nd-status")  # the load event filled the header


def ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, wait for its answer; return the answer bubble."""
    before = page.locator(".nd-bot .nd-bubble[data-turn]").count()
    page.fill("#nd-question textarea", question)
    page.press("#nd-question textarea", "Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.nd-bot .nd-bubble[data-turn]').length > n", arg=before)
    turn = page.locator(".nd-bot .nd-bubble[data-turn]").last.get_attribute("data-turn")
    page.wait_for_selector(f'.nd-turn-sources[data-turn="{turn}"]', state="attached")
    return page.locator(f'.nd-bot .nd-bubble[data-turn="{turn}"]')


def visible_sources(page: Any) -> Any:
    return page.locator(".nd-turn-sources:not([hidden])")


def test_answer_cites_and_highlights_its_source(page: Any, server: Server) -> None:
    open_page(page, server)
    assert "5 articles" in page.inner_text("#nd-status")
    answer = ask(page, "Who ordered the Portvale harbour bridge closed?")
    text = answer.locator(".nd-answer-text").inner_text()
    assert text.startswith("Mayor Elena Ruiz ordered the Portvale harbour bridge closed on Monday")
    marker = answer.locator(".nd-cite").first
    assert marker.inner_text() == "[1]"

    card = visible_sources(page).locator('.nd-card[data-n="1"]')
    assert "Portvale closes its harbour bridge" in card.locator(".nd-title").inner_text()
    assert "Harbour Gazette" in card.locator(".nd-meta").inner_text()
    assert card.locator("a.nd-link").get_attribute("href") == "https://gazette.example/portvale-bridge"
    assert card.locator(".nd-excerpt mark.nd-hl").inner_text() == (
        "Mayor Elena Ruiz ordered the Portvale harbour bridge closed on Monday after engineers found "
        "cracks in two of its steel girders.")
    assert card.locator(".nd-article").is_hidden()

    marker.click()  # the marker opens the full article with the cited sentence highlighted
    page.wait_for_selector('.nd-card.nd-selected[data-n="1"] .nd-article:not([hidden])')
    article = card.locator(".nd-article")
    assert "Shop owners near the terminal" in article.inner_text()
    assert article.locator('mark.nd-hl[data-n="1"]').inner_text().startswith("Mayor Elena Ruiz ordered")

    answer.locator(".nd-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Mayor Elena Ruiz ordered")
    assert "[1] Portvale closes its harbour bridge" in copied

    follow_up = ask(page, "And what did the chief engineer say?")
    assert "metal fatigue" in follow_up.locator(".nd-answer-text").inner_text()
    assert "searched as" in follow_up.locator(".nd-notes").inner_text()
    titles = visible_sources(page).locator(".nd-card .nd-title").all_inner_texts()
    assert titles and all("Portvale closes its harbour bridge" in t for t in titles)
    assert page.locator(".nd-turn-sources").count() == 2

    answer.locator(".nd-cite").first.click()  # an older marker brings back that answer's sources
    page.wait_for_selector('.nd-turn-sources[data-turn="1"]:not([hidden]) .nd-card.nd-selected')
    assert page.locator('.nd-turn-sources[data-turn="2"]').is_hidden()


def test_abstention_filters_and_clear(page: Any, server: Server) -> None:
    open_page(page, server)
    answer = ask(page, "What is the capital of Mongolia?")
    assert "nd-abstained" in answer.get_attribute("class")
    assert answer.locator(".nd-abstain-label").text_content() == "Not found in the indexed articles"
    assert "I couldn't find that in the indexed articles." in answer.inner_text()
    assert page.locator(".nd-error").count() == 0

    page.click("#nd-filters button, #nd-filters .label-wrap")
    page.locator("#nd-outlet input").click()
    page.get_by_role("option", name="Northern Science Weekly").click()
    filtered = ask(page, "Who ordered the Portvale harbour bridge closed?")
    assert "outlet Northern Science Weekly" in filtered.locator(".nd-notes").inner_text()
    outlets = visible_sources(page).locator(".nd-card .nd-meta").all_inner_texts()
    assert all("Harbour Gazette" not in o for o in outlets)
    page.click("#nd-clear")
    page.wait_for_selector(".nd-welcome")
    assert page.locator(".nd-turn-sources").count() == 0


def test_phone_width_layout(page: Any, server: Server) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server)
    answer = ask(page, "How much ice did the Kell glacier lose?")
    assert "fifth of its ice" in answer.inner_text()
    answer.locator(".nd-cite").first.click()
    page.wait_for_selector(".nd-card.nd-selected .nd-article:not([hidden])")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px at phone width"
    box = page.locator("#nd-send").bounding_box()
    assert box and box["x"] + box["width"] <= 390


def test_article_markup_is_shown_as_text_never_run(page: Any, server: Server) -> None:
    open_page(page, server)
    answer = ask(page, "What did Councillor Dara Quill call the fee rise?")
    assert "<script>window.__xss_script=1</script>" in answer.inner_text()
    card = visible_sources(page).locator(".nd-card").first
    card.locator(".nd-card-head").click()
    page.wait_for_selector(".nd-card.nd-selected .nd-article:not([hidden])")
    assert '<img src=x onerror="window.__xss_title_img=1">' in card.locator(".nd-title").inner_text()
    assert "Mischief <b>Times</b>" in card.locator(".nd-meta").inner_text()
    assert card.locator("a").count() == 0  # a javascript: URL is shown as the path, not a link
    page.click("button[role=tab]:has-text('Library')")
    page.fill("#nd-search textarea, #nd-search input", "Council vote")
    page.wait_for_function("document.querySelector('#nd-table').innerText.includes('Council vote on <script>')")
    page.wait_for_timeout(300)
    flags = page.evaluate(f"{XSS_FLAGS}.filter(name => window[name] !== undefined)")
    assert flags == []
    injected = page.evaluate(
        "Array.from(document.querySelectorAll('script, img, b, a'))"
        ".filter(e => (e.outerHTML || '').includes('__xss') || (e.tagName === 'IMG' && e.getAttribute('src') === 'x')"
        " || (e.tagName === 'B' && e.textContent === 'Times')).length")
    assert injected == 0


def test_login_first_run_upload_ask_delete(page: Any, fresh_auth_server: Server) -> None:
    auth_server = fresh_auth_server
    def log_in(password: str) -> None:
        page.wait_for_selector("input[type=password]")
        page.fill("input[type=text]", AUTH[0])
        page.fill("input[type=password]", password)
        page.keyboard.press("Enter")

    page.goto(auth_server.url)
    log_in("wrong-password")
    page.wait_for_selector("text=Incorrect Credentials")
    assert page.locator("#nd-question").count() == 0
    log_in(AUTH[1])
    page.wait_for_selector(".nd-first-run")
    assert "No articles indexed yet" in page.inner_text(".nd-first-run")
    assert "newsdesk index" in page.inner_text(".nd-first-run")

    page.click("button[role=tab]:has-text('Library')")
    page.set_input_files("#nd-upload input[type=file]", [str(FIXTURES / "upload" / "lighthouse-keeper.txt")])
    page.wait_for_function("document.querySelector('#nd-upload').innerText.includes('lighthouse-keeper.txt')")
    page.click("#nd-index")
    page.wait_for_selector("#nd-report .nd-chips")
    report = page.inner_text("#nd-report")
    assert re.search(r"1\s+added", report), report
    page.wait_for_function("document.querySelector('#nd-table').innerText.includes('Skerrow lighthouse')")

    page.click("button[role=tab]:has-text('Ask')")
    page.wait_for_selector(".nd-welcome:not(.nd-first-run)")
    answer = ask(page, "Who was the last keeper of the Skerrow lighthouse?")
    assert "Morag Finlay" in answer.locator(".nd-answer-text").inner_text()
    source = visible_sources(page).locator(".nd-card").first.locator(".nd-where").inner_text()
    assert re.search(r"/uploads/uploads/[0-9a-f]{8}-lighthouse-keeper\.txt$", source), source
    assert Path(source).parent.parent.parent == auth_server.data_dir.resolve()

    page.click("button[role=tab]:has-text('Library')")
    page.locator("#nd-table [role=gridcell]", has_text="Skerrow lighthouse").first.click()
    page.wait_for_selector("#nd-delete:not([disabled])")
    page.click("#nd-delete")
    page.wait_for_function("!document.querySelector('#nd-table').innerText.includes('Skerrow lighthouse')")
    assert not Path(source).exists()


def synthetic_zip(path: Path, count: int) -> Path:
    """A zip of `count` small made-up articles (enough work to keep the indexer busy)."""
    towns = ["Alder", "Brisk", "Cobble", "Dunmore", "Elver", "Fenwick", "Garth", "Holm"]
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(count):
            town = f"{towns[i % len(towns)]}ford-{i}"
            sentences = [f"The {town} market reopened on day {i} after a long winter closure."] + [
                f"Trader number {j} in {town} sold {i * j % 97} crates of apples and {j + i % 13} sacks of flour."
                for j in range(12)
            ]
            archive.writestr(f"market/{town}.txt", f"Market news from {town}\n\n" + "\n\n".join(sentences))
    return path


def test_asking_works_while_an_upload_is_indexing(page: Any, auth_server: Server, tmp_path: Path) -> None:
    archive = synthetic_zip(tmp_path / "markets.zip", 200)
    page.goto(auth_server.url)
    page.wait_for_selector("input[type=password]")
    page.fill("input[type=text]", AUTH[0])
    page.fill("input[type=password]", AUTH[1])
    page.keyboard.press("Enter")
    page.wait_for_selector(".nd-status")

    page.click("button[role=tab]:has-text('Library')")
    page.set_input_files("#nd-upload input[type=file]", [str(archive)])
    # the upload widget lists the file once the server has received it (slow on a busy machine)
    page.wait_for_function("document.querySelector('#nd-upload').innerText.includes('markets.zip')", timeout=120_000)
    page.click("#nd-index")
    page.wait_for_function("document.querySelector('#nd-report').innerText.includes('indexing')")
    page.click("button[role=tab]:has-text('Ask')")
    answer = ask(page, "What is the capital of Mongolia?")  # in no article of any test
    still_indexing = page.evaluate("document.querySelector('#nd-report .nd-chips') === null")
    assert still_indexing, "the upload finished before the answer: the test proves nothing"
    assert answer.get_attribute("class") == "nd-bubble nd-abstained"  # an answer, not an error or a hang

    page.click("button[role=tab]:has-text('Library')")
    page.wait_for_selector("#nd-report .nd-chips", timeout=120_000)
    assert re.search(r"200\s+added", page.inner_text("#nd-report"))
    page.click("button[role=tab]:has-text('Ask')")
    answer = ask(page, "When did the Cobbleford-2 market reopen?")
    # the uploaded articles are answered from; which of the 25 near-identical "Cobbleford-N"
    # stories comes first is the ranking's call (numbers inside names weigh little: README, Quality)
    assert re.search(r"The Cobbleford-\d+ market reopened on day \d+ after a long winter closure\.", answer.inner_text())
