"""The daily archive: a day's stories by true publication date, with events and quotes."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from detente.analysis.archive_commands import add_commands
from detente.analysis.day import day, format_day, parse_day
from detente.errors import DetenteError
from detente.model import Actor, Article, Entity, Quote, Result, Speaker
from detente.store import Database
from detente.store import open as open_db
from ingest_helpers import event

CALL = "French President Emmanuel Macron and Russian President Vladimir Putin spoke by telephone."
SHELLING = "Russian forces shelled the city of Kharkiv, officials said."
DENIAL = "The Kremlin denied it plans to invade."
QUOTE = "We agreed on the need for a de-escalation"


def story(doc_id: str, body: str, *, published: str | None, title: str = "Macron, Putin talk",
          publisher: str = "Courthouse News", url: str | None = None,
          page_date: str | None = None) -> Result:
    """A hand-built result whose events and quote are sentences of ``body``."""
    article = Article(title=title, publisher=publisher, url=url or f"https://news.example/{doc_id}",
                      published=date.fromisoformat(published) if published else None,
                      page_date=date.fromisoformat(page_date) if page_date else None, body=body)
    events = []
    for sentence, made in ((CALL, event("CONSULT", "FRA", "RUS", published, CALL)),
                           (SHELLING, event("ASSAULT", "RUS", "UKR", published, SHELLING)),
                           (DENIAL, dataclasses.replace(event("ASSAULT", "RUS", None, published,
                                                              DENIAL), modality="denied"))):
        if sentence in body:
            start = body.index(sentence)
            events.append(dataclasses.replace(made, start=start, end=start + len(sentence)))
    quotes = []
    if QUOTE in body:
        start = body.index(QUOTE)
        quotes.append(Quote(text=QUOTE, start=start, end=start + len(QUOTE), kind="direct", cue="said",
                            speaker=Speaker(text="Macron", start=0, end=6, name="Emmanuel Macron",
                                            code="FRA", sector="GOV")))
    entities = [Entity(text="Macron", label="PERSON", start=0, end=6,
                       actor=Actor(name="Emmanuel Macron", code="FRA", sector="GOV"))]
    return Result(id=doc_id, article=article, entities=entities, quotes=quotes, events=events)


BODY = f"{CALL} {DENIAL} Macron said: “{QUOTE}.” " + " ".join(f"word{i}" for i in range(80))
OTHER = f"{SHELLING} " + " ".join(f"other{i}" for i in range(80))


@pytest.fixture
def store(tmp_path: Path) -> Database:
    db = open_db(tmp_path / "day.db")
    db.add(story("a1", BODY, published="2022-01-28", page_date="2023-12-08"))
    # The same story copied by a second outlet: one cluster, one story.
    db.add(story("a2", BODY, published="2022-01-28", publisher="Copy Wire",
                 url="https://copy.example/a2"))
    db.add(story("b1", OTHER, published="2022-01-28", title="Kharkiv shelled", page_date="2022-01-28"))
    db.add(story("c1", OTHER.replace("other", "older"), published="2022-01-20", title="Earlier"))
    db.add(story("d1", OTHER.replace("other", "later"), published="2022-02-03", title="Later"))
    db.add(story("u1", OTHER.replace("other", "undated"), published=None, title="Undated"))
    yield db
    db.close()


def test_a_day_groups_copies_into_one_story(store: Database) -> None:
    found = day(store, "2022-01-28")
    assert [s.title for s in found.stories] == ["Macron, Putin talk", "Kharkiv shelled"]
    first = found.stories[0]
    assert [a.publisher for a in first.articles] == ["Courthouse News", "Copy Wire"]
    # Events and quotes once per story, however many copies report them.
    assert [(e.type, e.actor, e.recipient) for e in first.events] == [
        ("CONSULT", "FRA", "RUS"), ("ASSAULT", "RUS", None)]
    assert first.events[0].sentence == CALL
    assert len(first.events[0].article_ids) == 2
    assert [(q.speaker, q.text) for q in first.quotes] == [("Emmanuel Macron", QUOTE)]
    assert found.counts == {"stories": 2, "articles": 3, "events": 3, "quotes": 1}


def test_the_banner_date_shows_only_where_it_was_overruled(store: Database) -> None:
    found = day(store, date(2022, 1, 28))
    banners = [(a.publisher, a.banner_date) for s in found.stories for a in s.articles]
    # The third article's page date is its publication date: nothing was overruled.
    assert banners == [("Courthouse News", "2023-12-08"), ("Copy Wire", None),
                       ("Courthouse News", None)]


def test_neighbours_are_the_nearest_days_with_stories(store: Database) -> None:
    found = day(store, "2022-01-28")
    assert (found.previous, found.following) == ("2022-01-20", "2022-02-03")
    empty = day(store, "2022-01-25")
    assert empty.stories == [] and (empty.previous, empty.following) == ("2022-01-20", "2022-01-28")
    assert "no stories were published on 2022-01-25" in format_day(empty)
    last = day(store, "2022-02-03")
    assert last.following is None and [s.title for s in last.stories] == ["Later"]


def test_to_dict_is_json(store: Database) -> None:
    data = json.loads(json.dumps(day(store, "2022-01-28").to_dict()))
    assert data["date"] == "2022-01-28" and data["counts"]["stories"] == 2
    event = data["stories"][0]["events"][1]
    assert (event["type"], event["modality"], event["negated"]) == ("ASSAULT", "denied", False)


def test_the_table_shows_sources_events_and_quotes(store: Database) -> None:
    text = format_day(day(store, "2022-01-28"), width=400)
    assert "1. Macron, Putin talk" in text and "2. Kharkiv shelled" in text
    assert "(page dated 2023-12-08)" in text
    assert f"event  CONSULT FRA -> RUS: {CALL}" in text
    assert "event  ASSAULT RUS -> - [denied]" in text
    assert f"quote  Emmanuel Macron: {QUOTE}" in text


@pytest.mark.parametrize("bad", ["2022-13-01", "20220128", "2022-1-28", "yesterday", ""])
def test_a_bad_day_is_refused_clearly(bad: str) -> None:
    with pytest.raises(DetenteError, match="YYYY-MM-DD"):
        parse_day(bad)


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="detente")
    add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_the_day_command(store: Database, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(store.path)
    assert _run(["day", "--db", path, "2022-01-28", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["title"] for s in data["stories"]] == ["Macron, Putin talk", "Kharkiv shelled"]
    assert _run(["day", "--db", path, "2022-01-28"]) == 0
    assert "Kharkiv shelled" in capsys.readouterr().out


def test_the_day_command_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        _run(["day", "--db", str(tmp_path / "x.db"), "2022-02-30"])
    assert stop.value.code == 2 and "2022-02-30" in capsys.readouterr().err
    with pytest.raises(DetenteError, match="no such database"):
        _run(["day", "--db", str(tmp_path / "missing.db"), "2022-01-28"])
