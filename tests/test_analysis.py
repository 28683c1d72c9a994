"""Dyad series, periods, the network, charts and the analysis commands, on small stores.

The stores are written by the real writer (``Database.add``) from hand-made results, or
from a short generated stream (``detente.analysis.synthetic``).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import detente
from detente.analysis import busiest, periods, trends
from detente.analysis import synthetic as syn
from detente.analysis.commands import add_commands
from detente.analysis.network import network
from detente.analysis.plot import plot
from detente.errors import DetenteError
from detente.model import Article, Event, EventActor, Result
from detente.store.series import period_start

# -- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "by", "label"), [
    (date(2023, 5, 16), "day", "2023-05-16"), (date(2023, 5, 16), "week", "2023-W20"),
    (date(2023, 5, 16), "month", "2023-05"), (date(2021, 1, 3), "week", "2020-W53"),
    (date(2024, 12, 30), "week", "2025-W01"),
])
def test_period_labels(day: date, by: str, label: str) -> None:
    start = periods.first_day(day, by)
    assert periods.label(start, by) == label
    assert periods.parse_label(label, by) == start


def test_bad_period_labels_say_how_to_write_them() -> None:
    with pytest.raises(DetenteError, match="2023-W20"):
        periods.parse_label("2023-20", "week")
    with pytest.raises(DetenteError, match="does not exist"):
        periods.parse_label("2023-W54", "week")
    with pytest.raises(DetenteError, match="unknown period"):
        periods.check_period("year")


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_the_sql_period_start_agrees_with_python_for_every_day(by: str) -> None:
    days = [date(2020, 12, 1) + timedelta(days=n) for n in range(800)]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE d (day TEXT)")
    conn.executemany("INSERT INTO d VALUES (?)", [(d.isoformat(),) for d in days])
    got = [row[0] for row in conn.execute(f"SELECT {period_start(by, 'day')} FROM d ORDER BY day")]
    assert got == [periods.first_day(d, by).isoformat() for d in days]


# -- a hand-made store ---------------------------------------------------------------------

def event(kind: str, quad: int, intensity: float, actor: str, recipient: str, day: str,
          sentence: str, *, cameo: str | None = None, modality: str = "asserted",
          negated: bool = False, sector: str | None = "GOV") -> Event:
    return Event(
        type=kind, mode=None, context=[], actor=[EventActor(actor, actor, actor, sector)],
        recipient=[EventActor(recipient, recipient, recipient)], date=day,
        date_precision="day", negated=negated, modality=modality,  # type: ignore[arg-type]
        location=None, intensity=intensity, quad=quad, cameo=cameo, sentence=sentence,
        start=0, end=len(sentence), confidence=0.9)


def article(outlet: str, day: str, body: str, events: list[Event], n: int) -> Result:
    for e in events:
        e.start = body.index(e.sentence)
        e.end = e.start + len(e.sentence)
    return Result(id=f"{outlet}-{n}", article=Article(
        title=f"{outlet} {n}", publisher=outlet, url=f"https://{outlet}.example/{n}",
        published=date.fromisoformat(day), body=body), events=events)


SHELLING = "Russia shelled Kharkiv on Tuesday, officials said."
TALKS = "Russia and Ukraine held talks in Istanbul on Wednesday."
DENIAL = "Russia denied it shelled Kharkiv."
MAYBE = "Russia could threaten Ukraine."


def filler(n: int) -> str:
    return " ".join(f"filler{n}x{i}" for i in range(40)) + "."


@pytest.fixture()
def small(tmp_path: Path) -> detente.Database:
    path = tmp_path / "small.db"
    with detente.open(path) as db:
        body = SHELLING + "\n\n" + filler(1)
        for n, outlet in enumerate(("reuters", "bbc", "dw")):  # one story, three outlets
            db.add(article(outlet, "2023-05-16", body, [
                event("ASSAULT", 4, -9.0, "RUS", "UKR", "2023-05-16", SHELLING, cameo="190")], n))
        # The denial merges with the shelling (one event), the threat is its own event.
        db.add(article("ap", "2023-05-17", f"{TALKS} {DENIAL} {MAYBE}\n\n{filler(2)}", [
            event("CONSULT", 1, 1.5, "RUS", "UKR", "2023-05-17", TALKS),
            event("ASSAULT", 4, -9.0, "RUS", "UKR", "2023-05-17", DENIAL, modality="denied"),
            event("THREATEN", 3, -3.5, "RUS", "UKR", "2023-05-17", MAYBE, modality="hypothetical"),
        ], 10))
        db.add(article("afp", "2023-05-30", "Weather news.\n\n" + filler(3), [], 11))
        db.add(article("afp", "2023-06-02", "Ukraine accused Russia.\n\n" + filler(4), [
            event("ACCUSE", 3, -3.0, "UKR", "RUS", "2023-06-02", "Ukraine accused Russia.",
                  sector=None)], 12))
    return detente.open(path, read_only=True)


def test_trends_counts_events_stories_and_outlets(small: detente.Database) -> None:
    frame = trends(small, "RUS", "UKR", by="week")
    assert list(frame["period"]) == ["2023-W20"]
    row = frame.iloc[0]
    assert (row["events"], row["stories"], row["outlets"]) == (2, 2, 4)
    assert (row["quad1"], row["quad4"], row["quad"]) == (1, 1, 4)  # a tie goes to conflict
    assert row["intensity"] == pytest.approx(-7.5) and row["intensity_mean"] == pytest.approx(-3.75)
    # ASSAULT's CAMEO 190 scores -10; CONSULT without a code takes its type's 040 (1.0).
    assert row["goldstein"] == pytest.approx(-9.0) and row["goldstein_mean"] == pytest.approx(-4.5)
    assert (row["conflict"], row["cooperation"]) == (9.0, 1.5)
    assert row["total_stories"] == 2 and row["share"] == 1.0
    assert row["index"] == pytest.approx(100 * (9.0 - 1.5) / 2)


def test_denied_and_other_unreal_events_count_only_when_asked(small: detente.Database) -> None:
    factual = trends(small, "RUS", "UKR").iloc[0]
    assert (factual["events"], factual["conflict_stories"], factual["conflict"]) == (2, 1, 9.0)
    # All reports: the threat counts, and the story denying the shelling reports it too.
    every = trends(small, "RUS", "UKR", factual=False).iloc[0]
    assert (every["events"], every["conflict_stories"], every["conflict"]) == (3, 2, 18.0)


def test_empty_periods_are_zeros_between_since_and_until(small: detente.Database) -> None:
    frame = trends(small, "RUS", "UKR", since="2023-05-01", until="2023-06-11")
    assert list(frame["period"]) == [f"2023-W{w}" for w in range(18, 24)]
    assert list(frame["events"]) == [0, 0, 2, 0, 0, 0]
    assert list(frame["total_stories"]) == [0, 0, 2, 0, 2, 0]
    assert frame["start"].iloc[0] == "2023-05-01"


def test_wildcards_sectors_and_periods(small: detente.Database) -> None:
    assert trends(small, None, "RUS")["events"].sum() == 1
    assert trends(small, "*", "*")["events"].sum() == 3
    assert trends(small, "rus", "*", actor_sector="gov")["events"].sum() == 2
    assert trends(small, "UKR", "*", actor_sector="GOV").empty
    assert list(trends(small, "*", "*", by="month")["period"]) == ["2023-05", "2023-06"]
    days = trends(small, "RUS", "UKR", by="day")
    assert list(days["period"]) == ["2023-05-16", "2023-05-17"]
    assert list(days["stories"]) == [1, 1]


def test_bad_arguments_are_named(small: detente.Database) -> None:
    with pytest.raises(DetenteError, match="--since '2023-13-01' is not a date"):
        trends(small, "RUS", "UKR", since="2023-13-01")
    with pytest.raises(DetenteError, match="swap them"):
        trends(small, "RUS", "UKR", since="2023-06-01", until="2023-05-01")
    with pytest.raises(DetenteError, match="unknown period"):
        trends(small, "RUS", "UKR", by="year")


def test_busiest_and_network(small: detente.Database, tmp_path: Path) -> None:
    top = busiest(small, "2023-05-01", "2023-06-30")
    assert [(b.actor, b.recipient, b.stories, b.outlets) for b in top] == [
        ("RUS", "UKR", 2, 4), ("UKR", "RUS", 1, 1)]
    graph = network(small, "2023-05-01", "2023-06-30")
    edge = graph.edges["RUS", "UKR"]
    assert (edge["events"], edge["stories"], edge["outlets"], edge["quad1"], edge["quad4"]) == (
        2, 2, 4, 1, 1)
    assert edge["intensity_mean"] == pytest.approx(-3.75) and edge["weight"] == 2
    assert graph.nodes["RUS"]["events_out"] == 2 and graph.nodes["RUS"]["events_in"] == 1
    assert network(small, "2023-06-01", "2023-06-30").number_of_edges() == 1


# -- the generated stream: real writer and direct inserts agree -----------------------------

STREAM = syn.Stream(weeks=6, pairs=(syn.Pair("RUS", "UKR", 4, 0.6),), filler=8,
                    bursts=(syn.Burst("RUS", "UKR", 4, "escalation", 5),), seed=3)


def test_direct_inserts_give_the_series_the_real_writer_gives(tmp_path: Path) -> None:
    with detente.open(tmp_path / "real.db") as real, detente.open(tmp_path / "bulk.db") as bulk:
        syn.write_results(real, STREAM)
        syn.write_bulk(bulk.conn, STREAM)
        a, b = trends(real, "RUS", "UKR"), trends(bulk, "RUS", "UKR")
    # Stories, outlets and the index agree; the real writer merges a pair's same-type reports
    # a day apart into one event, so it may count fewer events.
    columns = ["period", "stories", "outlets", "conflict", "cooperation", "total_stories", "index"]
    assert a[columns].equals(b[columns])
    assert (a["events"] <= b["events"]).all() and a["events"].sum() < b["events"].sum()


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_the_kept_story_volume_is_the_distinct_stories_of_each_period(
    tmp_path: Path, by: str
) -> None:
    """story_volume (kept by triggers) = counting distinct clusters over every article."""
    stream = syn.Stream(weeks=9, pairs=(syn.Pair("RUS", "UKR", 4, 0.6),), filler=12,
                        echoes=(syn.Echo("RUS", "UKR", 3, outlets=20),), seed=9)
    with detente.open(tmp_path / "real.db") as real, detente.open(tmp_path / "bulk.db") as bulk:
        syn.write_results(real, stream)
        syn.write_bulk(bulk.conn, stream)
        for db in (real, bulk):
            start = period_start(by, "published")
            scanned = list(db.rows(
                f"SELECT {start}, count(DISTINCT cluster_id) FROM articles"
                f" WHERE published IS NOT NULL GROUP BY {start} ORDER BY 1"))
            kept = list(db.rows("SELECT start, stories FROM story_volume WHERE period = ?"
                                " ORDER BY start", (by,)))
            assert [tuple(r) for r in kept] == [tuple(r) for r in scanned] and kept


def test_migrating_an_older_store_fills_the_story_volume(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    stream = syn.Stream(weeks=5, pairs=(syn.Pair("RUS", "UKR", 4, 0.6),), filler=10, seed=2)
    with detente.open(path) as db:
        syn.write_bulk(db.conn, stream)
        kept = list(db.rows("SELECT period, start, stories FROM story_volume ORDER BY 1, 2"))
        db.conn.executescript(  # the store as version 6 left it
            "DROP TRIGGER story_volume_insert; DROP TRIGGER story_volume_cluster;"
            " DROP TABLE story_volume; DELETE FROM schema_version WHERE version >= 7;")
    with detente.open(path) as db:
        filled = list(db.rows("SELECT period, start, stories FROM story_volume ORDER BY 1, 2"))
    assert [tuple(r) for r in filled] == [tuple(r) for r in kept] and len(kept) > 30


# -- commands ------------------------------------------------------------------------------

def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="detente")
    add_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
    except DetenteError as exc:
        print(f"detente: {exc}")
        code = 1
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def stream_db(tmp_path: Path) -> Path:
    path = tmp_path / "stream.db"
    with detente.open(path) as db:
        syn.write_bulk(db.conn, STREAM)
    return path


def test_trends_command_formats(stream_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["trends", "--db", str(stream_db), "--actor", "RUS", "--recipient", "UKR"]
    code, out, _ = run([*base, "--format", "json"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 6
    assert {"period", "start", "events", "stories", "outlets", "quad", "intensity", "index"} <= set(rows[0])
    assert rows[0]["period"] == "2023-W01" and rows[0]["start"] == "2023-01-02"
    assert rows[0]["z"] is None  # no history yet: null, not NaN
    code, out, _ = run([*base, "--format", "csv", "--by", "month"], capsys)
    assert out.splitlines()[0].startswith("period,start,events,stories,outlets")
    assert out.splitlines()[1].startswith("2023-01,2023-01-01,")
    code, out, _ = run(base, capsys)
    assert out.splitlines()[0].split()[:3] == ["period", "start", "events"]
    assert "2023-W06" in out


def test_alerts_network_and_plot_commands(
    stream_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["alerts", "--db", str(stream_db), "--format", "json"], capsys)
    assert code == 0 and all(json.loads(line)["evidence"] for line in out.splitlines())
    code, out, _ = run(["alerts", "--db", str(stream_db)], capsys)
    assert code == 0 and out
    for suffix in (".graphml", ".gexf"):
        target = tmp_path / f"net{suffix}"
        code, _, err = run(["network", "--db", str(stream_db), "-o", str(target)], capsys)
        graph = nx.read_graphml(target) if suffix == ".graphml" else nx.read_gexf(target)
        assert code == 0 and "edges" in err
        assert graph.has_edge("RUS", "UKR")
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml")):
        target = tmp_path / f"chart{suffix}"
        code, _, _ = run(["plot", "--db", str(stream_db), "--actor", "RUS", "--recipient", "UKR",
                          "-o", str(target)], capsys)
        assert code == 0 and target.read_bytes().startswith(magic)


def test_commands_refuse_bad_input_clearly(
    stream_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        run(["trends", "--db", str(stream_db), "--since", "2023-02-30"], capsys)
    assert stop.value.code == 2 and "not a real date" in capsys.readouterr().err
    code, out, _ = run(["network", "--db", str(stream_db), "-o", str(tmp_path / "g.txt")], capsys)
    assert code == 1 and ".graphml or .gexf" in out
    code, out, _ = run(["plot", "--db", str(stream_db), "--actor", "XXX", "--recipient", "UKR",
                        "-o", str(tmp_path / "c.svg")], capsys)
    assert code == 1 and "no events for XXX" in out and not (tmp_path / "c.svg").exists()
    code, out, _ = run(["trends", "--db", str(tmp_path / "missing.db")], capsys)
    assert code == 1 and "missing.db" in out


def test_plot_writes_a_chart_with_the_alerts_marked(stream_db: Path, tmp_path: Path) -> None:
    with detente.open(stream_db, read_only=True) as db:
        out = plot(db, "RUS", "UKR", "week", tmp_path / "rus-ukr.svg")
    svg = out.read_text(encoding="utf-8")
    assert "escalation index" in svg and "RUS" in svg


# -- the same SQL on PostgreSQL ------------------------------------------------------------

PG_TABLES = {
    "articles": "id INTEGER PRIMARY KEY, url TEXT, title TEXT, publisher TEXT, published TEXT,"
                " cluster_id INTEGER",
    "events": "id INTEGER PRIMARY KEY, type TEXT, quad INTEGER, cameo TEXT, actor_code TEXT,"
              " actor_sector TEXT, recipient_code TEXT, recipient_sector TEXT, date TEXT,"
              " date_precision TEXT, negated INTEGER, modality TEXT, intensity REAL",
    "event_sources": "id INTEGER PRIMARY KEY, event_id INTEGER, article_id INTEGER,"
                     " sentence TEXT, modality TEXT, is_root INTEGER",
    "story_volume": "period TEXT, start TEXT, stories INTEGER",
}


@pytest.mark.slow
def test_the_series_sql_gives_the_same_answers_on_postgresql(stream_db: Path) -> None:
    """Every query of detente.store.series, on SQLite and on PostgreSQL over the same rows."""
    import pandas as pd

    # tests/postgres.py (issue 17): a throwaway cluster, skipped where PostgreSQL is absent.
    cluster_or_skip = pytest.importorskip("postgres").cluster_or_skip
    psycopg = pytest.importorskip("psycopg")
    from detente.store import series as sql
    from detente.store.series import Dyad, Window

    lite = sqlite3.connect(stream_db)
    queries: dict[str, Callable[[Window], tuple[str, list[Any]]]] = {
        "counts": lambda w: sql.event_counts_sql(Dyad("RUS", "UKR"), w),
        "counts by dyad": lambda w: sql.event_counts_sql(Dyad(), w, per_dyad=True),
        "reach": lambda w: sql.reach_sql(Dyad("RUS", None), w),
        "reach by dyad": lambda w: sql.reach_sql(Dyad(None, "UKR"), w, per_dyad=True),
        "corpus": sql.corpus_stories_sql,
        "evidence": lambda w: sql.evidence_sql(Dyad("RUS", "UKR"), w, (3, 4), 1000),
        "network": sql.network_sql, "busiest": lambda w: sql.busiest_sql(w, 5),
    }
    with cluster_or_skip() as cluster, psycopg.connect(
            cluster.create_database("analysis"), autocommit=True) as pg:
        for table, columns in PG_TABLES.items():
            pg.execute(f"CREATE TABLE {table} ({columns})")
            names = [c.split()[0] for c in columns.split(", ")]
            rows = lite.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
            with pg.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES"
                                f" ({', '.join(['%s'] * len(names))})", rows)
        for by in ("day", "week", "month"):
            for name, query in queries.items():
                text, params = query(Window(by, "2023-01-01", "2023-02-28"))
                want = pd.read_sql_query(text, lite, params=params)
                text, params = query(Window(by, "2023-01-01", "2023-02-28", dialect="postgresql"))
                with pg.cursor() as cur:
                    cur.execute(text.replace("?", "%s"), params)
                    got = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
                key = list(want.columns)
                want = want.sort_values(key).reset_index(drop=True).astype(str)
                got = got.sort_values(key).reset_index(drop=True)[key].astype(str)
                assert len(want) > 0 and want.equals(got), (by, name)


def test_the_database_methods_are_the_analysis_functions(stream_db: Path) -> None:
    """``detente.open(db).trends(...)``, ``.alerts(...)``, ``.digest(...)`` (issue 15, item 7)."""
    import pandas as pd

    from detente.analysis.alerts import alerts
    from detente.analysis.digest import digest

    with detente.open(stream_db, read_only=True) as db:
        pd.testing.assert_frame_equal(db.trends("RUS", "UKR", by="week"),
                                      trends(db, "RUS", "UKR", by="week"))
        assert [a.to_dict() for a in db.alerts(since="2023-01-01")] == \
            [a.to_dict() for a in alerts(db, since="2023-01-01")]
        assert db.digest("2023-W10").to_dict() == digest(db, "2023-W10").to_dict()
