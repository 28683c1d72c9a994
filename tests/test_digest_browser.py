"""The HTML digest in a real browser: Debian's headless Chromium, driven by Playwright.

Playwright's own browser download cannot work offline, so the system's ``/usr/bin/chromium``
is launched by path. The page is opened from a file with every network request refused and
recorded: a self-contained digest makes none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from detente.analysis import synthetic as syn
from detente.analysis.digest import digest, week_of
from detente.analysis.digest_render import render
from detente.model import Actor, Article, Entity, Quote, Result, Speaker
from detente.store import open as open_db
from ingest_helpers import event

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = ('<script>document.title="pwned"</script>'
           '<img src="https://evil.example/x.png" onerror="document.body.dataset.pwned=1">')

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(apt-get install chromium; `make test` installs it)"),
]


def hostile_story(day: date) -> Result:
    """A story whose title and quote carry markup, quoted by an office-holder."""
    sentence = "Hostile forces shelled a page title."
    said = f"{HOSTILE} we will never accept this"
    body = f"{sentence} Roe said “{said}”. " + " ".join(f"hostile{i}" for i in range(80))
    start = body.index(said)
    return Result(
        id="hostile", article=Article(title=HOSTILE, publisher="Evil", url="https://evil.example/story",
                                      published=day, body=body),
        entities=[Entity("Jane Roe", "PERSON", 0, 8, Actor("Jane Roe", "USA", "GOV"))],
        quotes=[Quote(said, start, start + len(said), "direct", "said",
                      Speaker("Roe", 0, 3, "Jane Roe", "USA", "GOV"))],
        events=[dataclasses.replace(event("ASSAULT", "XXX", "YYY", day.isoformat(), sentence),
                                    end=len(sentence))],
    )


@pytest.fixture(scope="module")
def digest_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated stream with an escalation burst, one hostile story, and its digest."""
    folder = tmp_path_factory.mktemp("browser")
    stream = syn.Stream(weeks=16, pairs=(syn.Pair("RUS", "UKR", 5, 0.7), syn.Pair("FRA", "DEU", 4, 0.1)),
                        filler=50, bursts=(syn.Burst("RUS", "UKR", 14, "escalation"),), seed=7)
    monday = stream.start + timedelta(weeks=14)
    with open_db(folder / "stream.db") as db:
        syn.write_bulk(db.conn, stream)
        db.add(hostile_story(monday + timedelta(days=2)))
        found = digest(db, week_of(monday).label)
    assert found.alerts, "the burst should be the week's alert"
    path = folder / "digest.html"
    path.write_text(render(found, "html"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


def test_the_digest_renders_offline_with_its_chart_and_evidence(browser: Any, digest_file: Path) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    requested: list[str] = []

    def refuse(route: Any) -> None:
        requested.append(route.request.url)
        route.abort()

    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else refuse(route))
    page.goto(digest_file.as_uri())
    chart = page.locator("#chart svg").bounding_box()
    assert chart and chart["width"] > 100 and chart["height"] > 100
    assert page.locator("#chart svg rect").count() > 4  # background, bars, legend keys
    alert = page.locator(".alert").first
    assert alert.is_visible()
    assert "Escalation: RUS → UKR" in alert.locator("h3").inner_text()
    evidence = alert.locator("ul.evidence li").first
    assert evidence.is_visible() and "RUS " in evidence.inner_text()
    assert evidence.locator("a").first.get_attribute("href").startswith("https://")
    # The hostile title is shown as text and never ran.
    assert page.title().startswith("detente weekly digest")
    assert page.evaluate("document.body.dataset.pwned") is None
    quotes = page.locator("#quotes ~ blockquote").first
    assert quotes.is_visible() and f"{HOSTILE} we will never accept this" in quotes.inner_text()
    assert quotes.locator("a").inner_text() == HOSTILE  # the story's title, as text
    assert page.locator("blockquote img, blockquote script").count() == 0
    assert requested == []  # nothing outside the file was even asked for
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "digest.png"), full_page=True)
    page.close()


def test_a_narrow_screen_still_shows_the_whole_chart(browser: Any, digest_file: Path) -> None:
    page = browser.new_page(viewport={"width": 420, "height": 800})
    page.goto(digest_file.as_uri())
    box = page.locator("#chart svg").bounding_box()
    assert box and box["height"] > 0 and 0 < box["x"] + box["width"] <= 420  # scaled, not cut
    assert date.fromisoformat(page.locator(".meta").first.inner_text()[:10])  # the week's first day
    page.close()
