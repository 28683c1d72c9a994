"""The weekly digest: its records, its Markdown/HTML/JSON renderings and the command."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from detente.analysis import synthetic as syn
from detente.analysis.archive_commands import add_commands
from detente.analysis.digest import (
    QUOTES_PER_SPEAKER,
    bare_quote,
    busiest_week,
    digest,
    office_of,
    parse_week,
    week_of,
)
from detente.analysis.digest_render import md_escape, render, web_url
from detente.analysis.svg import Series, stacked_bars
from detente.errors import DetenteError
from detente.model import Actor, Article, Entity, Event, Quote, Result, Speaker
from detente.store import Database
from detente.store import open as open_db
from ingest_helpers import event

WEEK = "2022-W04"  # Monday 2022-01-24 to Sunday 2022-01-30
CALL = "French President Emmanuel Macron and Russian President Vladimir Putin spoke by telephone."
HOSTILE_TITLE = '<script>alert("t")</script> & <b>bold</b> [link](http://evil.example)'
HOSTILE_QUOTE = "We will never accept this <img src=x onerror=alert(1)> at all, ever"


def _words(tag: str) -> str:
    return " ".join(f"{tag}{i}" for i in range(80))  # keeps bodies apart (no clustering)


def _quote(text: str, body: str, name: str, code: str, sector: str | None,
           kind: str = "direct") -> Quote:
    start = body.index(text)
    return Quote(text=text, start=start, end=start + len(text), kind=kind, cue="said",  # type: ignore[arg-type]
                 speaker=Speaker(text=name, start=0, end=len(name), name=name, code=code, sector=sector))


def _person(name: str, code: str, sector: str | None) -> Entity:
    return Entity(text=name, label="PERSON", start=0, end=len(name), actor=Actor(name, code, sector))


def _result(doc_id: str, body: str, published: str, *, title: str, publisher: str = "Wire",
            url: str | None = None, events: list[Event] | None = None,
            quotes: list[Quote] | None = None, entities: list[Entity] | None = None) -> Result:
    article = Article(title=title, publisher=publisher, url=url or f"https://{publisher.lower()}.example/{doc_id}",
                      published=date.fromisoformat(published), body=body)
    return Result(id=doc_id, article=article, events=events or [], quotes=quotes or [],
                  entities=entities or [])


def _fill(db: Database) -> None:
    """A week of stories: a call copied by three outlets, two independent reports of
    shelling, quotes by office-holders and others, and an earlier story."""
    call_body = f"{CALL} Lavrov said “the talks were useful and should go on soon”. {_words('c')}"
    lavrov = _quote("the talks were useful and should go on soon", call_body, "Sergey Lavrov", "RUS", "GOV")
    for outlet in ("Wire", "Daily", "Globe"):
        db.add(_result(f"call-{outlet}", call_body, "2022-01-28", title="Macron, Putin talk",
                       publisher=outlet, events=[event("CONSULT", "FRA", "RUS", "2022-01-28", CALL)],
                       quotes=[lavrov], entities=[_person("Emmanuel Macron", "FRA", "GOV")]))
    for number, day in ((1, "2022-01-24"), (2, "2022-01-27")):  # days apart: two events
        sentence = f"Russian forces shelled Kharkiv for the {number} time."
        body = (f"{sentence} Roe said “this shelling must stop at once, today” and “we will help”."
                f" The Kremlin said “it struck only military targets there”."
                f" Latynina wrote “nobody believes the official story here”. {_words(f's{number}')}")
        db.add(_result(f"shell-{number}", body, day, title=f"Kharkiv shelled ({number})",
                       events=[event("ASSAULT", "RUS", "UKR", day, sentence),
                               dataclasses.replace(event("SANCTION", "USA", "RUS", day, sentence),
                                                   modality="hypothetical")],
                       quotes=[_quote("this shelling must stop at once, today", body, "Jane Roe", "USA", "GOV"),
                               _quote("we will help", body, "Jane Roe", "USA", "GOV"),
                               _quote("it struck only military targets there", body, "Kremlin", "RUS", "GOV"),
                               _quote("nobody believes the official story here", body,
                                      "Yulia Latynina", "RUS", "MED")],
                       entities=[_person("Jane Roe", "USA", "GOV"), _person("Yulia Latynina", "RUS", "MED")]))
    extra = f"Roe said “a third quote from the same official today”. {_words('x')}"
    db.add(_result("extra", extra, "2022-01-29", title="Third",
                   quotes=[_quote("a third quote from the same official today", extra, "Jane Roe", "USA", "GOV",
                                  kind="indirect")],
                   entities=[_person("Jane Roe", "USA", "GOV")]))
    earlier = f"Russia and the United States met. {_words('e')}"
    db.add(_result("earlier", earlier, "2022-01-10", title="Earlier",
                   events=[event("CONSULT", "USA", "CHN", "2022-01-20", "USA met CHN.")],
                   entities=[Entity("Russia", "GPE", 0, 6, Actor("Russia", "RUS", None)),
                             _person("Yulia Latynina", "RUS", "MED")]))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_db(tmp_path_factory.mktemp("digest") / "week.db")
    _fill(db)
    yield db
    db.close()


@pytest.fixture(scope="module")
def week(store: Database) -> Any:
    return digest(store, WEEK)


# -- weeks ---------------------------------------------------------------------------------

def test_weeks_are_iso_weeks() -> None:
    week = parse_week("2022-W04")
    assert (week.label, week.start, week.end) == ("2022-W04", date(2022, 1, 24), date(2022, 1, 30))
    assert parse_week("2020-w53").label == "2020-W53"
    assert (week.previous, week.following) == ("2022-W03", "2022-W05")
    assert week_of(date(2021, 1, 3)).label == "2020-W53"


@pytest.mark.parametrize("bad", ["2022-W54", "2021-W53", "2022-04", "2022W04", "W04", ""])
def test_a_bad_week_is_refused_clearly(bad: str) -> None:
    with pytest.raises(DetenteError, match="ISO week"):
        parse_week(bad)


def test_the_busiest_week_counts_factual_events(store: Database) -> None:
    assert busiest_week(store) == WEEK


# -- the records ---------------------------------------------------------------------------

def test_counts_keep_to_the_week(week: Any) -> None:
    # 6 articles in 4 stories published that week; 3 factual events happened in it (the
    # hypothetical sanctions and the event of 2022-01-20 do not count).
    assert week.counts == {"articles": 6, "stories": 4, "outlets": 3, "quotes": 12, "events": 3}
    assert [d.day for d in week.daily][0] == "2022-01-24" and len(week.daily) == 7
    assert {d.day: d.quads for d in week.daily if any(d.quads)} == {
        "2022-01-24": [0, 0, 0, 1], "2022-01-27": [0, 0, 0, 1], "2022-01-28": [1, 0, 0, 0]}


def test_busiest_dyads_count_a_copied_story_once(week: Any) -> None:
    rows = [(d.actor, d.recipient, d.stories, d.outlets, d.events) for d in week.dyads]
    # Three outlets carrying one call are one story; two separate reports are two.
    assert rows == [("RUS", "UKR", 2, 1, 2), ("FRA", "RUS", 1, 3, 1)]
    call = week.dyads[1].evidence
    assert [(e.type, e.sentence, e.date) for e in call] == [("CONSULT", CALL, "2022-01-28")]
    assert call[0].title == "Macron, Putin talk" and call[0].url.startswith("https://")


def test_notable_quotes_are_office_holders(week: Any) -> None:
    chosen = [(q.speaker, q.office, q.text) for q in week.quotes]
    speakers = {q[0] for q in chosen}
    # The codebook knows Lavrov's office; Roe is a named person coded GOV. The Kremlin is
    # no person, Latynina a journalist (MED), "we will help" too short.
    assert speakers == {"Sergey Lavrov", "Jane Roe"}
    assert ("Sergey Lavrov", "foreign minister (RUS)",
            "the talks were useful and should go on soon") in chosen
    assert sum(q[0] == "Jane Roe" for q in chosen) == QUOTES_PER_SPEAKER
    assert [q.kind for q in week.quotes] == ["direct", "direct", "direct"]  # before the indirect
    assert len([q for q in chosen if q[0] == "Sergey Lavrov"]) == 1  # its three copies count once


def test_new_actors_were_never_named_before(week: Any) -> None:
    new = {(a.name, a.code) for a in week.new_actors}
    assert ("Emmanuel Macron", "FRA") in new and ("Jane Roe", "USA") in new
    assert ("Yulia Latynina", "RUS") not in new  # named in the story of 2022-01-10
    macron = next(a for a in week.new_actors if a.name == "Emmanuel Macron")
    assert (macron.first_seen, macron.stories, macron.mentions) == ("2022-01-28", 1, 3)


def test_an_empty_week_is_a_digest_of_nothing(store: Database) -> None:
    empty = digest(store, "2021-W10")
    assert empty.dyads == [] and empty.alerts == [] and empty.quotes == []
    assert empty.counts["articles"] == 0
    assert "No alerts this week" in render(empty, "md")
    etree.fromstring(render(empty, "html").encode())


def test_quote_helpers() -> None:
    assert bare_quote("“We don't need this panic,”") == "We don't need this panic"
    assert bare_quote("that he has “no offensive plans.”") == "that he has “no offensive plans.”"
    assert office_of("Sergey Lavrov", "2022-01-28") == "foreign minister (RUS)"
    assert office_of("Joe Biden", "2015-06-01") == "vice president (USA)"
    assert office_of("Nobody Known", "2022-01-28") is None


# -- the renderings --------------------------------------------------------------------------

def test_markdown_names_the_call_and_its_evidence(week: Any) -> None:
    md = render(week, "md")
    assert md.startswith("# detente weekly digest: 2022-W04\n")
    assert "| FRA → RUS | 1 | 3 | 1 | 1 | 0 |" in md
    assert f"**CONSULT** FRA → RUS: “{CALL}”" in md
    assert "— **Sergey Lavrov**, foreign minister \\(RUS\\)" not in md  # parentheses stay plain
    assert "— **Sergey Lavrov**, foreign minister (RUS), 2022-01-28, [Macron, Putin talk](https://" in md


def test_json_is_the_records(week: Any) -> None:
    data = json.loads(render(week, "json"))
    assert data["week"] == WEEK and data["dyads"][1]["evidence"][0]["sentence"] == CALL
    assert set(data) >= {"alerts", "movers", "dyads", "quotes", "new_actors", "counts", "daily",
                         "quote_rule"}


def _hostile(tmp_path: Path) -> Database:
    db = open_db(tmp_path / "hostile.db")
    sentence = "Russian forces shelled Kharkiv ]]> again\x0b today."
    body = f"{sentence} Roe said “{HOSTILE_QUOTE}”. {_words('h')}"
    db.add(_result("h1", body, "2022-01-26", title=HOSTILE_TITLE, url="javascript:alert(1)",
                   events=[event("ASSAULT", "RUS", "UKR", "2022-01-26", sentence)],
                   quotes=[_quote(HOSTILE_QUOTE, body, "Jane Roe", "USA", "GOV")],
                   entities=[_person("Jane Roe", "USA", "GOV")]))
    db.add(_result("h2", f"{sentence} {_words('i')}", "2022-01-29", title="Plain",
                   url="https://news.example/plain?a=1&b=2",
                   events=[event("ASSAULT", "RUS", "UKR", "2022-01-29", sentence)]))
    return db


def _local(name: object) -> str:
    return etree.QName(name).localname if isinstance(name, str) else ""


def test_html_is_well_formed_self_contained_and_escaped(tmp_path: Path) -> None:
    with _hostile(tmp_path) as db:
        html = render(digest(db, WEEK), "html")
    root = etree.fromstring(html.encode("utf-8"))  # well-formed XML, not just tag soup
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    assert not [e for e in elements if _local(e.tag) in ("script", "iframe", "img", "link", "object")]
    assert not [(e.tag, a) for e in elements for a in e.attrib if a.lower().startswith("on") or a == "src"]
    hrefs = [e.get("href") for e in elements if e.get("href") is not None]
    assert "https://news.example/plain?a=1&b=2" in hrefs
    assert all(h.startswith("#") or h == "https://news.example/plain?a=1&b=2" for h in hrefs)
    style = "".join(e.text or "" for e in elements if _local(e.tag) == "style")
    assert style and "@import" not in style and "url(" not in style
    assert "<script" not in html and "javascript:" not in html  # that url is not linked at all
    texts = "".join(root.itertext())
    assert HOSTILE_TITLE in texts and HOSTILE_QUOTE.replace("  ", " ") in texts
    svg = [e for e in elements if _local(e.tag) == "svg"]
    assert len(svg) == 1 and int(svg[0].get("width")) > 0 and int(svg[0].get("height")) > 0


def test_markdown_does_not_carry_markup_or_injected_links(tmp_path: Path) -> None:
    with _hostile(tmp_path) as db:
        md = render(digest(db, WEEK), "md")
    assert "<script" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "[link](http://evil.example)" not in md and "\\[link\\](http://evil.example)" in md
    assert "](javascript" not in md
    assert "[Plain](https://news.example/plain?a=1&b=2)" in md
    assert "\x0b" not in md


def test_md_escape_and_web_url() -> None:
    assert md_escape("a *b* _c_ `d` | <e> & [f]") == r"a \*b\* \_c\_ \`d\` \| &lt;e&gt; &amp; \[f\]"
    assert md_escape("two\nlines\n# heading") == "two lines # heading"
    assert web_url("https://x.example/a") == "https://x.example/a"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//x.example", "https://x.example/a b", None):
        assert web_url(bad) is None


def test_the_svg_chart() -> None:
    svg = stacked_bars(["Mon <1>", "Tue"], [Series("a & b", "#112233", [1, 0]),
                                           Series("c", "#445566", [2, 3])], title="T <x>")
    root = etree.fromstring(svg.encode())
    assert root.get("width") == "560" and root.get("height") == "220"
    bars = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.find(
        "{http://www.w3.org/2000/svg}title") is not None]
    assert len(bars) == 3  # zeros draw nothing
    assert "Mon <1>" in "".join(root.itertext()) and root.findtext("{http://www.w3.org/2000/svg}title") == "T <x>"
    etree.fromstring(stacked_bars(["a"], [Series("z", "#000000", [0])], title="empty").encode())
    with pytest.raises(ValueError):
        stacked_bars(["a", "b"], [Series("z", "#000000", [1])], title="bad")


# -- alerts from a generated stream -------------------------------------------------------------

@pytest.mark.slow
def test_a_burst_is_the_weeks_alert_with_its_evidence(tmp_path: Path) -> None:
    stream = syn.Stream(weeks=16, pairs=(syn.Pair("RUS", "UKR", 5, 0.7), syn.Pair("FRA", "DEU", 4, 0.1)),
                        filler=50, bursts=(syn.Burst("RUS", "UKR", 14, "escalation"),), seed=7)
    with open_db(tmp_path / "stream.db") as db:
        syn.write_bulk(db.conn, stream)
        label = week_of(stream.start + timedelta(weeks=14)).label
        found = digest(db, label)
    alert = found.alerts[0]
    assert (alert["actor"], alert["recipient"], alert["direction"], alert["period"]) == (
        "RUS", "UKR", "escalation", label)
    assert alert["evidence"] and all(e["sentence"].startswith("RUS ") for e in alert["evidence"])
    assert any((m["actor"], m["recipient"]) == ("RUS", "UKR") for m in found.movers)
    md = render(found, "md")
    assert "### Escalation: RUS → UKR" in md and alert["evidence"][0]["sentence"] in md


# -- the command ---------------------------------------------------------------------------------

def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="detente")
    add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_the_digest_command(store: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(store.path)
    assert _run(["digest", "--db", db, "--week", WEEK]) == 0
    assert capsys.readouterr().out.startswith("# detente weekly digest: 2022-W04")
    target = tmp_path / "digest.html"
    target.write_text("old")
    assert _run(["digest", "--db", db, "--week", WEEK, "--format", "html", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "wrote the 2022-W04 digest" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["digest.html"]  # no temporary file left
    assert _run(["digest", "--db", db, "--week", WEEK, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["week"] == WEEK


def test_the_digest_command_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["digest", "--week", "2022-W60"], ["digest", "--week", "2022-01-28"], ["digest"]):
        with pytest.raises(SystemExit) as stop:
            _run(argv)
        assert stop.value.code == 2
    assert "2022-W60" in capsys.readouterr().err
    with pytest.raises(DetenteError, match="no such database"):
        _run(["digest", "--db", str(tmp_path / "none.db"), "--week", WEEK])


# -- the seed page, through the real pipeline -----------------------------------------------------

@pytest.mark.model
def test_the_seed_weeks_digest_names_the_macron_putin_call(
    analyzer: Any, seed_text: str, tmp_path: Path
) -> None:
    from detente.model import RawDocument

    result = analyzer.analyze(RawDocument(id="seed.txt", text=seed_text, source="seed.txt"))
    with open_db(tmp_path / "seed.db") as db:
        db.add(result)
        found = digest(db, WEEK)
    call = next(d for d in found.dyads if (d.actor, d.recipient) == ("FRA", "RUS"))
    consult = next(e for e in call.evidence if e.type == "CONSULT")
    assert "Emmanuel Macron and Russian President Vladimir Putin spoke by telephone" in consult.sentence
    md = render(found, "md")
    assert "### FRA → RUS" in md and "**CONSULT** Emmanuel Macron → Vladimir Putin" in md
    assert f"“{consult.sentence.strip()}”" in md
    assert "Sergey Lavrov" in md and "foreign minister (RUS)" in md


def test_the_demo_writes_the_busiest_weeks_digest(store: Database, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from detente.demo import write_digest

    html, md = write_digest(store, tmp_path / "demo.db")
    assert (html.name, md.name) == ("demo-digest-2022-W04.html", "demo-digest-2022-W04.md")
    assert md.read_text(encoding="utf-8").startswith("# detente weekly digest: 2022-W04")
    etree.fromstring(html.read_bytes())
    with open_db(tmp_path / "empty.db") as empty:
        assert write_digest(empty, tmp_path / "empty.db") == []
    assert "no digest to write" in capsys.readouterr().out
