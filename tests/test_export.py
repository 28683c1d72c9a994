"""Exports load back: CSV and Parquet with pandas, GDELT's 61 columns, PLOVER and JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import detente
from detente.cli import main
from detente.export import GDELT_COLUMNS, export, goldstein
from detente.store import Filters
from detente.store.exports import sourced_events
from ingest_helpers import STORY, event, result

REWRITE = STORY.replace("officials said", "local officials said")


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    with detente.open(path) as db:
        shared = [event("ASSAULT", "RUS", "UKR", "2022-05-10", start=5),
                  event("CONSULT", "FRA", "RUS", "2022-05-09")]
        db.add(result("a", STORY, title="A", url="https://a.example/1", published="2022-05-10",
                      events=shared))
        db.add(result("b", REWRITE, title="B", url="https://b.example/2", published="2022-05-10",
                      events=shared))
    return path


def test_gdelt_header_is_gdelt_2_order() -> None:
    assert len(GDELT_COLUMNS) == 61
    assert GDELT_COLUMNS[:6] == ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
                                 "Actor1Code")
    assert GDELT_COLUMNS[25:35] == ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode",
                                    "QuadClass", "GoldsteinScale", "NumMentions", "NumSources",
                                    "NumArticles", "AvgTone")
    assert GDELT_COLUMNS[51] == "ActionGeo_Type" and GDELT_COLUMNS[-2:] == ("DATEADDED", "SOURCEURL")


def test_gdelt_tsv_has_61_columns_in_order(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.tsv"
    with detente.open(db_path) as db:
        assert export(db, "gdelt", str(out)).rows == 2
    frame = pd.read_csv(out, sep="\t", header=None, names=list(GDELT_COLUMNS), dtype=str,
                        keep_default_na=False)
    lines = out.read_text("utf-8").splitlines()
    assert all(line.count("\t") == 60 for line in lines)
    assault = frame[frame["EventRootCode"] == "18"].iloc[0]
    assert assault["SQLDATE"] == "20220510" and assault["Year"] == "2022"
    assert assault["Actor1Code"] == "RUSGOV" and assault["Actor1CountryCode"] == "RUS"
    assert assault["Actor2Code"] == "UKR" and assault["QuadClass"] == "4"
    assert float(assault["GoldsteinScale"]) == goldstein()["180"]
    assert (assault["NumMentions"], assault["NumArticles"]) == ("2", "2")
    assert assault["SOURCEURL"] == "https://a.example/1" and len(assault["DATEADDED"]) == 14
    assert assault["ActionGeo_FullName"] == "Kharkiv" and assault["AvgTone"] == ""


def test_csv_and_parquet_load_with_pandas(db_path: Path, tmp_path: Path) -> None:
    with detente.open(db_path) as db:
        export(db, "csv", str(tmp_path / "e.csv"))
        export(db, "parquet", str(tmp_path / "e.parquet"), Filters(type="ASSAULT"))
    csv_frame = pd.read_csv(tmp_path / "e.csv")
    parquet = pd.read_parquet(tmp_path / "e.parquet")
    assert len(csv_frame) == 2 and set(csv_frame["type"]) == {"ASSAULT", "CONSULT"}
    assert list(parquet["type"]) == ["ASSAULT"] and parquet["num_articles"][0] == 2
    assert csv_frame["actor_codes"].tolist() == ["RUS", "FRA"]


def test_plover_records_carry_every_source(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    with detente.open(db_path) as db:
        export(db, "plover", str(out), Filters(actor="FRA"))
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) == 1
    rec = records[0]
    assert (rec["event_type"], rec["actor_country"], rec["recipient_country"]) == ("CONSULT", "FRA", "RUS")
    assert rec["quad_code"] == 1 and rec["event_date"] == "2022-05-09"
    assert {s["url"] for s in rec["sources"]} == {"https://a.example/1", "https://b.example/2"}


def test_jsonl_export_gives_back_the_stored_results(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    with detente.open(db_path) as db:
        export(db, "jsonl", str(out), Filters(text="Kharkiv"))
    results = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in results] == ["a", "b"]
    assert results[0]["article"]["body"] == STORY and len(results[0]["events"]) == 2


def test_cli_export_and_query(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.tsv"
    assert main(["export", "--db", str(db_path), "--format", "gdelt", "-o", str(out),
                 "--recipient", "UKR"]) == 0
    assert len(out.read_text("utf-8").splitlines()) == 1
    assert main(["query", "--db", str(db_path), "--quad", "4"]) == 0
    printed = capsys.readouterr().out
    assert "ASSAULT" in printed and "CONSULT" not in printed and "RUS/GOV" in printed


def test_cli_refuses_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--db", str(tmp_path / "none.db")]) == 1
    assert "no such database" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_plover_export_reads_in_a_few_queries_not_one_an_event(tmp_path: Path) -> None:
    with detente.open(tmp_path / "many.db") as db:
        for i in range(3):
            events = [event("ASSAULT", "RUS", "UKR", f"2022-0{1 + i}-{10 + day}", start=day)
                      for day in range(0, 12, 2)]
            db.add(result(f"r{i}", STORY + f" Report {i}.", url=f"https://r.example/{i}", events=events))
        statements: list[str] = []
        db.conn.set_trace_callback(statements.append)
        summary = export(db, "plover", str(tmp_path / "p.jsonl"))
        db.conn.set_trace_callback(None)
        assert summary.rows == 18 and len(statements) <= 3
        whole = [(e.row, e.sources) for e in sourced_events(db.conn, Filters())]
        assert [(e.row, e.sources) for e in sourced_events(db.conn, Filters(), batch=4)] == whole


def test_jsonl_export_keeps_an_articles_notes(tmp_path: Path) -> None:
    with detente.open(tmp_path / "n.db") as db:
        noted = result("n", STORY)
        noted.notes.append("stage detente_events failed: ValueError('bad')")
        db.add(noted)
        export(db, "jsonl", str(tmp_path / "n.jsonl"))
    (line,) = (tmp_path / "n.jsonl").read_text("utf-8").splitlines()
    assert json.loads(line)["notes"] == ["stage detente_events failed: ValueError('bad')"]
