"""A coder's session in headless Chromium (Debian's package, driven by Playwright; no browser is
ever downloaded): log in, open the worklist and a note, see the evidence highlighted, accept,
reject with a reason, add a missed code by selecting text, complete the note, export.
Screenshots of every step go to build/screenshots/."""
from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (.ci/run does it)")
    return path


@pytest.fixture
def server(tmp_path, corpus):
    """The app served by uvicorn on a free loopback port, on an SQLite queue with the corpus."""
    import uvicorn

    from extractor.review import auth
    from extractor.review.db import open_database
    from extractor.review.loading import load_results
    from extractor.review.web import create_app

    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    engine, factory = open_database(url)
    load_results(factory, corpus["results"], [corpus["notes"]], "tester", "sample batch")
    with factory() as session:
        auth.add_user(session, "cody", "correct horse battery", "coder")
        auth.add_user(session, "ada", "correct horse battery", "admin")
    engine.dispose()
    app = create_app(url)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
    app.state.engine.dispose()


def _log_in(page, base: str, username: str, shot: str | None = None) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery")
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _select_text(page, phrase: str) -> None:
    """Select a phrase of the note text the way a mouse drag does (a DOM selection)."""
    page.evaluate("""phrase => {
        const walker = document.createTreeWalker(document.getElementById('note-text'), NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const at = walker.currentNode.data.indexOf(phrase);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(walker.currentNode, at);
            range.setEnd(walker.currentNode, at + phrase.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return;
        }
        throw new Error('phrase not in the note');
    }""", phrase)


def test_a_coder_reviews_a_note_in_chromium(server, corpus):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 960})
        _log_in(page, server, "cody", "review-01-login.png")
        expect(page.locator(".count.new b")).to_have_text("8")
        page.screenshot(path=str(SHOTS / "review-02-worklist.png"))

        page.click("text=sample_05")
        items = page.locator("article.item")
        expect(items).to_have_count(len(corpus["records"]["sample_05"]["suggestions"]))
        expect(items.first).to_have_class(re.compile(r"\bselected\b"))
        first_id = items.first.get_attribute("data-item")
        active = page.locator(f'#note-text [data-keys~="i{first_id}"].active')
        expect(active.first).to_be_visible()
        page.screenshot(path=str(SHOTS / "review-03-note-evidence.png"))

        third = items.nth(2)  # selecting a code line lights up its evidence
        third.click()
        third_id = third.get_attribute("data-item")
        expect(page.locator(f'#note-text [data-keys~="i{third_id}"].active').first).to_be_visible()
        expect(page.locator(f'#note-text [data-keys~="i{first_id}"].active')).to_have_count(0)
        page.screenshot(path=str(SHOTS / "review-04-evidence-selected.png"))

        items.first.locator("button.accept").click()
        expect(page.locator(f"#item-{first_id} .decision")).to_have_text("accepted by cody")
        page.screenshot(path=str(SHOTS / "review-05-accepted.png"))

        second = page.locator("article.item").nth(1)
        second_id = second.get_attribute("data-item")
        second.locator("select.reason").select_option("wrong_level")
        second.locator("button.reject").click()
        expect(page.locator(f"#item-{second_id} .decision")).to_have_text("rejected: Wrong level by cody")
        page.screenshot(path=str(SHOTS / "review-06-rejected.png"))

        submit = page.locator("#submit-open")
        expect(submit).to_be_disabled()
        for _ in range(page.locator("article.item.undecided").count()):  # the keyboard path: "a" accepts
            remaining = page.locator("article.item.undecided").count()
            page.wait_for_selector("#note-page[data-ready]")
            page.keyboard.press("a")
            expect(page.locator("article.item.undecided")).to_have_count(remaining - 1)

        page.wait_for_selector("#note-page[data-ready]")
        _select_text(page, "Irrigation")
        expect(page.locator("#selection-text")).to_have_text("Irrigation")
        page.select_option("#add-code", "20937")
        page.click("#add-button")
        added = page.locator('article.item[data-origin="added"]')
        expect(added).to_have_count(1)
        expect(added.locator(".evidence a")).to_have_text("Irrigation")
        page.screenshot(path=str(SHOTS / "review-07-missed-code-added.png"))

        expect(submit).to_be_enabled()
        submit.click()
        expect(page.locator("#submit-dialog")).to_be_visible()
        expect(page.locator("#submit-dialog")).to_contain_text("20937")
        page.screenshot(path=str(SHOTS / "review-08-submit-summary.png"))
        page.click("#submit-confirm")
        expect(page.locator(".note-head .status")).to_have_text("completed")
        page.screenshot(path=str(SHOTS / "review-09-completed.png"))

        page.click("button.link")  # log out; the admin exports
        _log_in(page, server, "ada")
        page.goto(f"{server}/stats")
        page.screenshot(path=str(SHOTS / "review-10-statistics.png"))
        with page.expect_download() as download:
            page.click("#export-csv")
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert "sample_05" in exported and "20937" in exported and "wrong_level" in exported
        browser.close()
    assert len(list(SHOTS.glob("review-*.png"))) >= 10
