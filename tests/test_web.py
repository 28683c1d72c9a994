"""The web app in-process (Starlette's test client) over a small fixture store."""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import webstore
from detente.web import create_app
from detente.web.commands import add_commands, allowed_hosts, url
from detente.web.marks import Span, mark
from detente.web.security import CSP

# -- marking: a pure function ------------------------------------------------------------


def _tree(html: str) -> ET.Element:
    """Parse marked HTML as XML: fails unless every tag is closed in order."""
    return ET.fromstring(f"<div>{html}</div>")


def test_mark_nests_an_entity_inside_a_quote_inside_an_event() -> None:
    text = 'He said "Russia will talk" today.'
    html = mark(text, [Span(0, 33, "event"), Span(8, 26, "quote"), Span(9, 15, "entity", "/actor/RUS")])
    assert html == (
        '<mark class="event">He said <mark class="quote">&#34;<mark class="entity">'
        '<a href="/actor/RUS">Russia</a></mark> will talk&#34;</mark> today.</mark>'
    )
    assert "".join(_tree(html).itertext()) == text


def test_mark_splits_crossing_spans_into_well_formed_html() -> None:
    text = "abcdefghij"
    html = mark(text, [Span(0, 6, "quote", anchor="q1"), Span(3, 10, "event", anchor="e1")])
    assert html == ('<mark class="quote" id="q1">abc<mark class="event" id="e1">def</mark></mark>'
                    '<mark class="event">ghij</mark>')
    tree = _tree(html)
    assert "".join(tree.itertext()) == text
    assert [m.get("id") for m in tree.iter("mark")].count("e1") == 1  # the id on one piece only


def test_mark_escapes_text_and_attributes() -> None:
    text = "<script>alert(1)</script> & co"
    html = mark(text, [Span(0, 8, "entity", '/actor/X"onmouseover="x', 'T"<b>')])
    assert "<script>" not in html
    assert '"onmouseover' not in html and "<b>" not in html
    assert "".join(_tree(html).itertext()) == text


def test_mark_puts_the_innermost_link_on_the_text_and_never_nests_anchors() -> None:
    html = mark("Putin said so", [Span(0, 13, "quote", "/actor/RUS"), Span(0, 5, "speaker", "/actor/FRA")])
    tree = _tree(html)
    assert [a.get("href") for a in tree.iter("a")] == ["/actor/FRA", "/actor/RUS"]
    assert all(not list(a.iter("a"))[1:] for a in tree.iter("a"))


def test_mark_drops_spans_outside_the_text() -> None:
    assert mark("abc", [Span(5, 9, "entity"), Span(2, 1, "entity")]) == "abc"
    assert mark("abc", [Span(-3, 2, "entity")]) == '<mark class="entity">ab</mark>c'
    assert mark("", []) == ""


_spans = st.lists(
    st.builds(Span, st.integers(-2, 40), st.integers(-2, 40),
              st.sampled_from(["event", "quote", "entity", "timex"]),
              st.one_of(st.none(), st.just("/actor/RUS")), st.none(), st.one_of(st.none(), st.just("x"))),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab<>&\"' \n", max_size=30), spans=_spans)
def test_mark_is_always_well_formed_and_keeps_the_text(text: str, spans: list[Span]) -> None:
    tree = _tree(mark(text, spans))
    assert "".join(tree.itertext()) == text.replace("\r", "\n")
    assert all(len(list(a.iter("a"))) == 1 for a in tree.iter("a"))


# -- the app over the fixture store ------------------------------------------------------


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return webstore.build(tmp_path_factory.mktemp("web") / "web.db")


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store_path), raise_server_exceptions=False) as test_client:
        yield test_client


def _call_id(client: TestClient) -> int:
    found = client.get("/api/search", params={"q": "Macron Putin telephone"}).json()
    return int(found["stories"][0]["id"])


PAGES = ["/", "/search?q=Putin", "/actor/FRA", "/dyad/RUS/UKR", "/dyad/FRA/RUS?by=day",
         f"/day/{webstore.CALL_DAY}", f"/digest/{webstore.CALL_WEEK}", "/openapi.json",
         "/static/style.css", "/api/home"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[-500:]
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_pages_load_nothing_from_elsewhere(client: TestClient) -> None:
    for path in PAGES[:7] + [f"/article/{_call_id(client)}"]:
        html = client.get(path).text
        assert "<script" not in html.lower()
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert 'src="http' not in html and 'href="http' not in html and "@import" not in html
        assert " style=" not in html  # the CSP allows no inline style


def test_home_shows_the_weeks_alert_with_evidence_and_the_latest_stories(client: TestClient) -> None:
    html = client.get("/").text
    assert webstore.CALL_WEEK in html
    assert 'class="alert escalation"' in html
    assert 'href="/dyad/RUS/UKR?period=2022-W04#evidence"' in html
    assert "shelled positions of UKR" in html or "seized ships of UKR" in html or "threatened UKR" in html
    latest = html[html.index('<section id="latest">'):]
    assert latest.count("<li>") == 20 and "<time>2022-01-30</time>" in latest
    data = client.get("/api/home").json()
    assert data["week"]["label"] == webstore.CALL_WEEK
    assert data["alerts"][0]["actor"] == "RUS" and data["alerts"][0]["evidence"]
    assert {(d["actor"], d["recipient"]) for d in data["busiest"]} >= {("RUS", "UKR")}


def test_search_finds_stories_quotes_and_events(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "Putin"}).json()
    assert any("Macron, Putin talk" in s["title"] for s in data["stories"])
    assert any("\x02Putin\x03" in s["snippet"] for s in data["stories"])
    html = client.get("/search", params={"q": "Putin"}).text
    assert '<mark class="hit">Putin</mark>' in html
    quotes = client.get("/api/search", params={"q": "de-escalation"}).json()["quotes"]
    assert quotes and quotes[0]["speaker_name"] == "Emmanuel Macron"
    events = client.get("/api/search", params={"q": "telephone", "actor": "fra"}).json()["events"]
    assert {e["type"] for e in events} >= {"CONSULT"}


def test_search_filters_and_pages(client: TestClient) -> None:
    assault = client.get("/api/search", params={"actor": "RUS", "type": "ASSAULT"}).json()
    assert assault["stories"] and assault["events"]
    assert all(e["type"] == "ASSAULT" and e["actor_code"] == "RUS" for e in assault["events"])
    first = client.get("/api/search", params={"actor": "RUS"}).json()
    assert len(first["stories"]) == 20 and first["more"]
    second = client.get("/api/search", params={"actor": "RUS", "page": 2}).json()
    assert second["stories"]
    assert {s["id"] for s in first["stories"]}.isdisjoint({s["id"] for s in second["stories"]})
    html = client.get("/search", params={"actor": "RUS"}).text
    assert 'rel="next"' in html and "page=2" in html
    dated = client.get("/api/search", params={"since": "2022-01-28", "until": "2022-01-28"}).json()
    assert dated["stories"] and all(s["published"] == "2022-01-28" for s in dated["stories"])
    assert client.get("/api/search", params={"factual": "true", "q": "Putin"}).status_code == 200


def test_article_marks_events_quotes_entities_and_times(client: TestClient) -> None:
    article_id = _call_id(client)
    html = client.get(f"/article/{article_id}").text
    data = client.get(f"/api/article/{article_id}").json()
    consult = next(e for e in data["events"] if e["type"] == "CONSULT")
    assert f'<a href="#event-{consult["id"]}">spoke</a>' in html
    assert f'id="event-{consult["id"]}"' in html
    assert '<mark class="quote direct" title="direct quote: Emmanuel Macron" id="quote-0">' in html
    assert ('<mark class="speaker" title="speaker: Emmanuel Macron"><mark class="entity"'
            ' title="PERSON · Emmanuel Macron (FRA GOV)"><a href="/actor/FRA">Macron</a></mark></mark>') in html
    assert f'<a href="#event-{consult["id"] + 1}">agreed</a>' in html  # an event inside the quote
    assert '<a href="/actor/RUS">Vladimir Putin</a>' in html
    assert '<mark class="timex" title="DATE 2022-01-28">Friday</mark>' in html
    body = html[html.index('<div class="body">'):html.index("</div>", html.index('<div class="body">'))]
    ET.fromstring(body + "</div>")  # the marked body is well-formed
    assert "AP Photo/Pavlo Palamarchuk" in html
    assert '<a href="/actor/UKR">Ukrainian</a>' in html  # an entity of the caption
    assert "2023-12-08</time>, overruled" in html
    assert "page date bar 2023-12-08 overruled" in html
    assert "Daily Wire Service" in html  # the copy by a second outlet
    assert data["copies"] and data["copies"][0]["publisher"] == "Daily Wire Service"


def test_actor_page(client: TestClient) -> None:
    data = client.get("/api/actor/fra").json()
    assert data["code"] == "FRA" and "Emmanuel Macron" in data["names"]
    assert {p["code"] for p in data["targets"]} == {"RUS"}
    assert data["quotes"][0]["speaker_name"] == "Emmanuel Macron"
    assert any(p["name"] == "Emmanuel Macron" for p in data["office_holders"])
    html = client.get("/actor/FRA").text
    assert 'href="/dyad/FRA/RUS"' in html and "Office-holders" in html
    assert client.get("/actor/ZZZ").status_code == 404


def test_dyad_chart_alerts_and_evidence(client: TestClient) -> None:
    html = client.get("/dyad/RUS/UKR").text
    assert '<svg class="chart"' in html and 'class="alert escalation"' in html
    assert 'href="?by=week&amp;period=2022-W04#evidence"' in html
    picked = client.get("/dyad/RUS/UKR", params={"period": "2022-W04"}).text
    assert "Evidence for 2022-W04" in picked and "UKR (report" in picked
    data = client.get("/api/dyad/RUS/UKR", params={"period": "2022-W04"}).json()
    week = next(p for p in data["series"] if p["period"] == "2022-W04")
    assert week["alert"] == "escalation" and week["z"] > 3.5
    assert data["evidence"] and all(e["date"] >= "2022-01-24" for e in data["evidence"])
    monthly = client.get("/api/dyad/RUS/UKR", params={"by": "month"}).json()
    assert [p["period"] for p in monthly["series"]] == ["2021-11", "2021-12", "2022-01"]
    assert client.get("/dyad/RUS/UKR", params={"period": "1999-W01"}).status_code == 404
    assert client.get("/dyad/RUS/UKR", params={"by": "year"}).status_code == 400


def test_day_and_digest(client: TestClient) -> None:
    html = client.get(f"/day/{webstore.CALL_DAY}").text
    assert "Macron, Putin talk" in html and 'rel="prev"' in html
    data = client.get(f"/api/day/{webstore.CALL_DAY}").json()
    assert data["date"] == webstore.CALL_DAY and data["previous"] < webstore.CALL_DAY
    digest = client.get(f"/digest/{webstore.CALL_WEEK}").text
    assert "Weekly digest 2022-W04" in digest and 'href="/digest/2022-W03"' in digest
    assert "RUS → UKR" in digest
    assert client.get("/day", follow_redirects=False).headers["location"] == "/day/2022-01-30"
    assert client.get("/digest", follow_redirects=False).headers["location"] == "/digest/2022-W04"


def test_openapi_documents_every_api_route_and_only_those(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/api/home", "/api/search", "/api/article/{article_id}", "/api/actor/{code}",
        "/api/dyad/{actor}/{recipient}", "/api/day/{day}", "/api/digest/{week}",
    }
    assert all(set(ops) == {"get"} for ops in spec["paths"].values())
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/no/such/page", 404, "no such page"),
    ("/article/999999", 404, "there is no story 999999"),
    ("/article/abc", 400, "article_id"),
    ("/day/2022-02-30", 400, "is not a date"),
    ("/digest/2022-W99", 400, "2022-W99"),
    ("/search?quad=7", 400, "quad"),
    ("/search?type=BOMB", 400, "unknown event type"),
    ("/actor/%3Cb%3E", 400, "is not an actor code"),
])
def test_errors_are_pages_not_tracebacks(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in response.text and "Traceback" not in response.text
    assert response.headers["content-security-policy"] == CSP
    api = client.get("/api" + path if path.startswith(("/article", "/day", "/digest", "/actor")) else path)
    if api.headers["content-type"].startswith("application/json"):
        assert api.json()["status"] == status


def test_only_get_and_head_are_answered(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/search")
        assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"
        assert response.headers["content-security-policy"] == CSP
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""


def test_an_unexpected_failure_gives_a_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.web import views

    def broken(*_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views, "actor", broken)
    response = client.get("/actor/FRA")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "could not build this page" in response.text
    assert response.headers["content-security-policy"] == CSP


def test_the_store_is_only_read(client: TestClient, store_path: Path) -> None:
    before = hashlib.sha256(store_path.read_bytes()).hexdigest()
    for path in PAGES:
        client.get(path)
    assert hashlib.sha256(store_path.read_bytes()).hexdigest() == before
    conn = client.app.state.store.conn()  # type: ignore[attr-defined]
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM articles")


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from detente.errors import DetenteError

    with pytest.raises(DetenteError, match="no such database"):
        create_app(tmp_path / "missing.db")


def test_serve_command_and_host_guard(store_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(["serve", "--db", str(store_path)])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    assert url("::1", 80) == "http://[::1]:80/"
    assert allowed_hosts("0.0.0.0") is None
    hosts = allowed_hosts("127.0.0.1")
    assert hosts is not None and "localhost" in hosts
    with TestClient(create_app(store_path, allowed_hosts=hosts), base_url="http://127.0.0.1") as guarded:
        assert guarded.get("/actor/FRA").status_code == 200
        rebound = guarded.get("/actor/FRA", headers={"host": "attacker.example"})
        assert rebound.status_code == 400
        assert rebound.headers["content-security-policy"] == CSP
