"""The web app in a real browser: Debian's Chromium, driven by Playwright, over uvicorn.

Screenshots of each page land in ``tests/artifacts/``. Skips with a clear message where
``/usr/bin/chromium`` is absent (``scripts/system-deps`` installs it; CI has it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import webstore
from detente.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.slow
PROBLEMS: list[str] = []  # CSP violations and requests leaving the app, checked after each test


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = webstore.build(tmp_path_factory.mktemp("browser") / "web.db")
    port = _free_port()
    config = uvicorn.Config(create_app(path, allowed_hosts=["127.0.0.1"]), host="127.0.0.1",
                            port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start under uvicorn within 60 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (scripts/system-deps) "
                    "to run the browser tests")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.on("console", lambda msg: PROBLEMS.append(msg.text) if msg.type == "error" else None)
    tab.on("request", lambda req: None if req.url.startswith((base_url, "data:"))
           else PROBLEMS.append(f"request to {req.url}"))
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        browser.close()
        playwright.stop()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def _clean() -> None:
    problems = list(PROBLEMS)
    PROBLEMS.clear()
    assert not problems, problems


def test_home_search_story_and_actor(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert "The week of 2022-01-24" in page.inner_text("h1")
    assert page.locator("ol.alerts li.escalation").count() >= 1
    _shot(page, "home")
    page.fill("header input[name=q]", "Putin")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=Putin")
    page.locator("mark.hit").first.wait_for()
    _shot(page, "search")
    page.click("text=Hopes for de-escalation over Ukraine grow as Macron, Putin talk")
    page.wait_for_url("**/article/*")
    assert page.locator(".body mark.event").count() == 2
    assert page.locator(".body mark.quote").count() == 1
    assert "Emmanuel Macron" in page.locator(".body mark.quote").first.get_attribute("title")
    assert page.locator(".body mark.event").first.is_visible()
    _shot(page, "story")
    page.locator('.body mark.entity a[href="/actor/RUS"]').first.click()
    page.wait_for_url("**/actor/RUS")
    assert page.inner_text("h1").startswith("RUS")
    _shot(page, "actor")
    _clean()


def test_dyad_chart_is_drawn_and_a_column_opens_its_evidence(page: Any, base_url: str) -> None:
    page.goto(base_url + "/dyad/RUS/UKR")
    bars = page.locator("svg.chart rect.conflict")
    assert bars.count() >= 10
    box = page.locator("svg.chart").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 150
    assert page.locator("svg.chart polygon.alert.escalation").count() == 1
    _shot(page, "dyad")
    page.locator("svg.chart a.column", has=page.locator("polygon.alert")).click()
    page.wait_for_url("**period=2022-W04*")
    assert "Evidence for 2022-W04" in page.inner_text("#evidence h2")
    assert page.locator("#evidence li").count() >= 10
    _shot(page, "dyad-evidence")
    _clean()


def test_day_with_previous_and_next_and_the_digest(page: Any, base_url: str) -> None:
    page.goto(base_url + f"/day/{webstore.CALL_DAY}")
    assert "Macron, Putin talk" in page.inner_text("main")
    _shot(page, "day")
    page.click("a[rel=next]")
    page.wait_for_url(lambda url: "/day/" in url and url.rsplit("/", 1)[1] > webstore.CALL_DAY)
    page.click("a[rel=prev]")
    page.wait_for_url(f"**/day/{webstore.CALL_DAY}")
    page.goto(base_url + f"/digest/{webstore.CALL_WEEK}")
    assert "Weekly digest 2022-W04" in page.inner_text("h1")
    assert page.locator("#alerts li.escalation").count() >= 1
    _shot(page, "digest")
    _clean()
