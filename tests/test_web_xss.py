"""News pages are hostile input: no page of the web app may render their text as markup."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

import detente
import webstore
from detente.model import (
    Actor,
    Article,
    Caption,
    Entity,
    Event,
    EventActor,
    Quote,
    Result,
    Speaker,
    Timex,
    Trigger,
)
from detente.web import create_app
from detente.web.security import CSP

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
EVIL = f'{SCRIPT}{IMG}<b onmouseover="alert(2)">bold</b><a href="javascript:alert(3)">link</a>'
CODE = 'X"><script>alert(4)</script>'


def hostile_result() -> Result:
    """A page whose every field carries script, event handlers and markup."""
    body = f"Before {EVIL} the minister said {EVIL} and {SCRIPT} Russia attacked."
    quote_at = body.index("the minister said") + len("the minister said ")
    quote_end = quote_at + len(EVIL)
    minister = body.index("the minister")
    russia = body.index("Russia")
    sentence_start = body.index(SCRIPT + " Russia")
    bad_actor = Actor(f"Name {EVIL}", CODE, f"GOV{SCRIPT}")
    return Result(
        id="hostile",
        article=Article(
            title=f"Title {EVIL}", dek=f"Dek {EVIL}", authors=[f"Author {EVIL}"],
            publisher=f"Publisher {EVIL}", url="javascript:alert(5)//<script>",
            published=date(2022, 1, 27), page_date=date(2022, 1, 1),
            published_evidence=f"evidence {EVIL}",
            captions=[Caption(f"Caption {EVIL}", f"Credit {EVIL}")], body=body,
        ),
        entities=[Entity("Russia", f"GPE{SCRIPT}", russia, russia + 6, bad_actor),
                  Entity("Before", "PERSON", 0, 6, Actor(EVIL, "RUS", None))],
        timexes=[Timex("Before", 0, 6, "DATE", f"2022{SCRIPT}")],
        quotes=[Quote(EVIL, quote_at, quote_end, "direct", f"said{SCRIPT}",
                      Speaker(f"the minister{SCRIPT}", minister, minister + 12, f"Minister {EVIL}",
                              "RUS", "GOV"), via=f"via {EVIL}")],
        events=[Event(
            "ASSAULT", f"mode{SCRIPT}", [f"context{SCRIPT}"],
            [EventActor(f"Russia{SCRIPT}", f"Russia {EVIL}", "RUS", "MIL")],
            [EventActor(f"them{SCRIPT}", f"Ukraine {EVIL}", "UKR", None)],
            "2022-01-27", "day", False, "asserted", None, -9.0, 4, "190",
            body[sentence_start:], sentence_start, len(body), 0.9,
            trigger=Trigger("attacked", len(body) - 9, len(body) - 1),
        )],
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = webstore.build(tmp_path_factory.mktemp("xss") / "xss.db")
    with detente.open(path) as db:
        db.add(hostile_result())
    with TestClient(create_app(path), raise_server_exceptions=False) as test_client:
        yield test_client


class Tags(HTMLParser):
    """Every start tag and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)


def assert_inert(html: str) -> None:
    parser = Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    handlers = [name for name, _ in parser.attrs if name.startswith("on")]
    assert not handlers, handlers
    links = [value for name, value in parser.attrs if name in ("href", "src", "action")]
    assert not [v for v in links if v.strip().lower().startswith(("javascript:", "data:text"))], links


def _hostile_id(client: TestClient) -> int:
    stories = client.get("/api/search", params={"q": "minister said"}).json()["stories"]
    return int(stories[0]["id"])


def test_the_hostile_story_is_shown_as_text_on_every_page(client: TestClient) -> None:
    article_id = _hostile_id(client)
    pages = [f"/article/{article_id}", "/search?q=minister", "/search?q=bold", "/actor/RUS",
             "/dyad/RUS/UKR?period=2022-W04", "/dyad/RUS/UKR?by=day", "/day/2022-01-27",
             "/digest/2022-W04", "/", "/search?actor=RUS&type=ASSAULT"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert_inert(response.text)
    article = client.get(f"/article/{article_id}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in article  # shown, escaped
    assert "Title &lt;script&gt;" in article and "Credit &lt;script&gt;" in article
    assert "Minister &lt;script&gt;" in article


def test_a_hostile_actor_code_is_escaped_in_links(client: TestClient) -> None:
    html = client.get(f"/article/{_hostile_id(client)}").text
    assert_inert(html)
    assert 'href="/actor/X&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"' in html


@pytest.mark.parametrize("path", [
    f"/search?q={SCRIPT}", f"/search?q=%22%3E{IMG}", f"/search?actor={SCRIPT}",
    f"/search?since={SCRIPT}", f"/day/{SCRIPT}", f"/digest/{IMG}", f"/actor/{SCRIPT}",
    f"/dyad/RUS/UKR?period={SCRIPT}", f"/nowhere/{SCRIPT}",
])
def test_reflected_input_is_escaped(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["content-security-policy"] == CSP
    assert_inert(response.text)
    assert "<script>alert" not in response.text


def test_the_reflected_query_shows_escaped_in_the_search_box(client: TestClient) -> None:
    html = client.get("/search", params={"q": f'"><b>{SCRIPT}'}).text
    assert 'value="&#34;&gt;&lt;b&gt;&lt;script&gt;' in html
    assert_inert(html)


def test_json_carries_the_text_as_data(client: TestClient) -> None:
    response = client.get(f"/api/article/{_hostile_id(client)}")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["title"] == f"Title {EVIL}"

