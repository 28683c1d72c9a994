"""The store: migrations, whole-article writes, idempotence, filters, the Python API."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, cast

import pytest

import detente
from detente.errors import DetenteError
from detente.store import Filters, schema
from ingest_helpers import STORY, event, result


@pytest.fixture()
def db(tmp_path: Path) -> detente.Database:
    return detente.open(tmp_path / "t.db")


def test_new_database_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with detente.open(path) as db:
        assert db.version == schema.migrations()[-1].version
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with detente.open(path) as db:  # re-opening applies nothing twice
        rows = db.conn.execute("SELECT count(*) FROM schema_version").fetchone()[0]
        assert rows == len(schema.migrations())


def test_migrations_are_ordered_sql_files() -> None:
    versions = [m.version for m in schema.migrations()]
    assert versions == sorted(versions) and versions[0] == 1
    assert all(m.name.endswith(".sql") for m in schema.migrations())


def test_a_migration_merged_after_a_later_one_still_runs(tmp_path: Path) -> None:
    """Stores made while 0005 existed but 0004 did not yet: 0004 is applied by its absence."""
    path = tmp_path / "gap.db"
    detente.open(path).close()
    with sqlite3.connect(path) as conn:  # as if 0004 had never run
        conn.execute("DELETE FROM schema_version WHERE version = 4")
        conn.execute("DROP INDEX articles_published_cluster")
    with pytest.raises(DetenteError, match=r"lacks schema migration\(s\) 4 .*detente migrate"):
        detente.open(path, read_only=True)
    with detente.open(path) as db:
        versions = [r[0] for r in db.conn.execute("SELECT version FROM schema_version ORDER BY 1")]
        assert versions == [m.version for m in schema.migrations()]
        names = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "articles_published_cluster" in names


def test_a_store_whose_creation_was_killed_is_created_afresh(tmp_path: Path) -> None:
    """An older detente made the version table before the first migration's transaction:
    a kill in between left a bare, empty ``schema_version``. It is a store, not a stranger."""
    path = tmp_path / "half.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "applied_at TEXT)")
    with detente.open(path) as db:
        assert db.version == schema.migrations()[-1].version


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    detente.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version(version, name) VALUES (999, '0999_future.sql')")
    with pytest.raises(DetenteError, match="newer than this detente"):
        detente.open(path)


def test_add_stores_every_part_of_a_result(db: detente.Database) -> None:
    r = result("a", STORY, title="Kharkiv shelled", url="https://a.example/1", published="2022-05-10",
               events=[event("ASSAULT", "RUS", "UKR", "2022-05-10")])
    written = db.add(r)
    assert written is not None and written.new_events == 1
    counts = db.counts()
    assert counts["articles"] == counts["entities"] == counts["timexes"] == counts["quotes"] == 1
    assert counts["events"] == counts["event_sources"] == 1
    assert db.integrity() == "ok"


def test_the_same_content_is_stored_once(db: detente.Database) -> None:
    r = result("a", STORY, url="https://a.example/1")
    assert db.add(r, content_hash="h1") is not None
    assert db.add(r, content_hash="h1") is None
    assert db.counts()["articles"] == 1


def test_an_article_is_written_whole_or_not_at_all(db: detente.Database) -> None:
    broken = result("b", STORY, events=[event("ASSAULT", "RUS", "UKR", "2022-05-10")])
    broken.events[0].date = "the 10th"  # fails after the article, entities and quotes went in
    with pytest.raises(ValueError):
        db.add(broken, content_hash="broken")
    assert all(n == 0 for n in db.counts().values())


def test_filters_select_events(db: detente.Database) -> None:
    db.add(result("a", STORY, url="u1", published="2022-05-10", events=[
        event("ASSAULT", "RUS", "UKR", "2022-05-10"),
        event("CONSULT", "FRA", "RUS", "2022-03-01"),
    ]))
    assert list(db.events(actor="rus")["type"]) == ["ASSAULT"]
    assert list(db.events(recipient="RUS")["type"]) == ["CONSULT"]
    assert list(db.events(type="consult")["actor_code"]) == ["FRA"]
    assert list(db.events(quad=4)["type"]) == ["ASSAULT"]
    assert list(db.events(since="2022-04-01")["type"]) == ["ASSAULT"]
    assert list(db.events(until="2022-03-01")["type"]) == ["CONSULT"]
    assert len(db.events(text="Kharkiv shelled")) == 2
    assert len(db.events(text="Vladivostok")) == 0
    assert list(db.events()["date"]) == ["2022-05-10", "2022-03-01"]  # latest first


def test_unreal_events_are_left_out_unless_asked_for(db: detente.Database) -> None:
    denied = event("ASSAULT", "RUS", "UKR", "2022-01-28")
    denied.modality = "denied"
    refused = event("MOBILIZE", "USA", "UKR", "2022-01-28")
    refused.negated = True
    happened = event("CONSULT", "FRA", "RUS", "2022-01-28")
    db.add(result("a", STORY, url="u1", published="2022-01-28",
                  events=[denied, refused, happened]))
    assert list(db.events()["type"]) == ["CONSULT"]
    assert sorted(db.events(factual=False)["type"]) == ["ASSAULT", "CONSULT", "MOBILIZE"]
    assert list(db.pairs()["actor_code"]) == ["FRA"]


def test_articles_and_quotes_frames(db: detente.Database) -> None:
    db.add(result("a", STORY, title="Kharkiv shelled", url="u1", published="2022-05-10"))
    db.add(result("b", "A quiet day in Lisbon with no news at all.", url="u2"))
    assert list(db.articles(text="sanctions Brussels")["doc_id"]) == ["a"]
    assert list(db.articles(actor="RUS")["doc_id"]) == ["a", "b"]  # the helper codes one entity RUS
    quotes = db.quotes(text="military targets", actor="RUS")
    assert len(quotes) == 2 and set(quotes["speaker_name"]) == {"Kremlin"}
    assert "body" in db.articles(body=True).columns


def test_bad_filters_say_what_is_wrong(db: detente.Database) -> None:
    with pytest.raises(DetenteError, match="unknown event type"):
        db.events(type="HUG")
    with pytest.raises(DetenteError, match="not a date"):
        db.events(since="yesterday")
    with pytest.raises(DetenteError, match="no words"):
        db.events(text="!!")
    assert Filters(quad=3).quad == 3


def test_notes_are_stored_with_the_article(db: detente.Database) -> None:
    r = result("a", STORY, url="u1")
    r.notes.append("stage detente_quotes failed: ValueError('no speaker')")
    db.add(r)
    db.add(result("b", "A quiet day in Lisbon with no news at all.", url="u2"))
    assert list(db.articles()["notes"]) == [json.dumps(r.notes), "[]"]
    (stored,) = [json.loads(line) for line in db.results(Filters(text="Kharkiv"))]
    assert stored["notes"] == r.notes


def test_a_version_1_database_gains_the_notes_column(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    first = schema.migrations()[0]
    conn = sqlite3.connect(path, isolation_level=None)
    schema.schema_version(conn)
    conn.executescript(f"BEGIN; {first.sql}\nINSERT INTO schema_version(version, name)"
                       f" VALUES (1, '{first.name}'); COMMIT;")
    for doc_id, notes in (("a", ["language is 'fr': skipped"]), ("b", [])):
        conn.execute(
            "INSERT INTO articles(hash, doc_id, body, result_json, added_at) VALUES (?,?,?,?,?)",
            (doc_id, doc_id, "text", json.dumps({"id": doc_id, "notes": notes}), "2022-01-01T00:00:00Z"),
        )
    conn.execute("INSERT INTO articles(hash, doc_id, body, result_json, added_at)"
                 " VALUES ('c', 'c', 'text', '{}', '2022-01-01T00:00:00Z')")  # from before notes
    conn.close()
    with detente.open(path) as db:
        assert db.version == schema.migrations()[-1].version
        stored: list[Any] = [json.loads(n) for n in db.articles()["notes"]]
        assert stored == [["language is 'fr': skipped"], [], []]


def test_rows_are_read_as_they_are_taken(db: detente.Database) -> None:
    seen: list[int] = []

    def tick(value: int) -> int:
        seen.append(value)
        return value

    cast(sqlite3.Connection, db.conn).create_function("tick", 1, tick)
    rows = db.rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)"
                   " SELECT tick(i) AS i FROM n")
    assert seen == []  # nothing runs before the first row is asked for
    assert next(iter(rows))["i"] == 1
    assert len(seen) < 10


def test_uncoded_participants_are_stored_and_coded_filter_leaves_them_out(db: detente.Database) -> None:
    """Issue 13: nothing is thrown away at coding time; --coded asks for coded dyads only."""
    from detente.model import EventActor

    agentless = event("ASSAULT", None, None, "2022-05-10")
    agentless.recipient = [EventActor(text="a journalist", name=None, code=None, sector=None)]
    gunmen = event("COERCE", None, "UKR", "2022-05-10")
    gunmen.actor = [EventActor(text="gunmen", name=None, code="UKR", sector=None, inferred=True)]
    coded = event("CONSULT", "FRA", "RUS", "2022-05-10")
    db.add(result("a", STORY, url="u1", published="2022-05-10", events=[agentless, gunmen, coded]))
    assert sorted(db.events()["type"]) == ["ASSAULT", "COERCE", "CONSULT"]
    assert sorted(db.events(coded=True)["type"]) == ["COERCE", "CONSULT"]
    stored = [json.loads(line) for line in db.results(Filters())][0]
    by_type = {e["type"]: e for e in stored["events"]}
    assert by_type["ASSAULT"]["actor"] == [] and by_type["ASSAULT"]["recipient"][0]["code"] is None
    assert by_type["COERCE"]["actor"][0]["inferred"] is True


def test_stated_leaves_out_inferred_codes(db: detente.Database) -> None:
    from detente.model import EventActor

    gunmen = event("COERCE", None, "UKR", "2022-05-10")
    gunmen.actor = [EventActor(text="gunmen", name=None, code="UKR", sector=None, inferred=True)]
    coded = event("CONSULT", "FRA", "RUS", "2022-05-10")
    db.add(result("a", STORY, url="u1", published="2022-05-10", events=[gunmen, coded]))
    assert sorted(db.events(coded=True)["type"]) == ["COERCE", "CONSULT"]
    assert list(db.events(stated=True)["type"]) == ["CONSULT"]


def test_a_version_2_database_gains_the_inferred_flags(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.schema_version(conn)
    for migration in schema.migrations()[:2]:
        conn.executescript(f"BEGIN; {migration.sql}\nINSERT INTO schema_version(version, name)"
                           f" VALUES ({migration.version}, '{migration.name}'); COMMIT;")
    conn.execute("INSERT INTO articles(id, hash, doc_id, body, result_json, added_at)"
                 " VALUES (1, 'h', 'a', 'text', '{}', '2022-01-01T00:00:00Z')")
    for event_id, inferred in ((1, True), (2, False)):
        conn.execute("INSERT INTO events(id, merge_key, type, quad, modality, actor_code, actor_codes,"
                     " first_article_id, added_at) VALUES (?, 'k', 'COERCE', 4, 'asserted', 'UKR',"
                     " '[\"UKR\"]', 1, '2022-01-01T00:00:00Z')", (event_id,))
        stored = {"actor": [{"text": "gunmen", "code": "UKR", "inferred": inferred}], "recipient": []}
        conn.execute('INSERT INTO event_sources(event_id, article_id, sentence, start, "end", event_json)'
                     " VALUES (?, 1, 's', 0, 1, ?)", (event_id, json.dumps(stored)))
    conn.close()
    with detente.open(path) as db:
        rows = db.conn.execute("SELECT id, actor_inferred, recipient_inferred FROM events ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, 1, 0), (2, 0, 0)]
