"""The Parquet lake (``export --format parquet --partition day|month -o DIR``) reads back.

pandas and DuckDB read the hive-partitioned folder as is: every stored event once, in the
partition of its date, with the flat export's columns. The folder is written whole or not
at all, and memory stays bounded on a 200,000-event store (measured in a subprocess).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import detente
from detente import export as lake
from detente.analysis import synthetic as syn
from detente.cli import main
from detente.errors import DetenteError
from detente.export import export, partition_value, write_lake
from detente.store import Database, Filters
from ingest_helpers import event, result

KEYS = ["event_id", "type", "actor_code", "recipient_code", "date", "date_precision",
        "num_articles", "actor_codes", "sentence"]
FIRST_DAY = date(2021, 12, 27)


def _days() -> list[str]:
    """Twelve days over three months and two years (several events on some)."""
    return [(FIRST_DAY + timedelta(days=d)).isoformat() for d in (0, 0, 1, 5, 6, 6, 20, 34, 35, 40, 64, 70)]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Events on 10 days in Dec 2021 - Mar 2022, one known to the month, one undated."""
    path = tmp_path_factory.mktemp("lake") / "t.db"
    with detente.open(path) as db:
        _fill(db)
    return path


def _fill(db: Database) -> None:
    kinds = ("ASSAULT", "CONSULT", "ACCUSE", "AID")
    for n, day in enumerate(_days()):
        db.add(result(f"a{n}", f"Article {n} w{n}x w{n}y w{n}z about day {day}.",
                      url=f"https://a.example/{n}", published=day,
                      events=[event(kinds[n % 4], "RUS", "UKR", day, start=n)]))
    month_only = dataclasses.replace(event("SANCTION", "USA", "RUS", "2022-02"),
                                     date_precision="month")
    db.add(result("m", "A month known only: sanctions in February.", url="https://m.example",
                  published="2022-03-01", events=[month_only]))
    db.add(result("u", "An undated threat.", url="https://u.example",
                  events=[event("THREATEN", "PRK", "KOR", None)]))


def _stored(db_path: Path, tmp_path: Path, **filters: Any) -> pd.DataFrame:
    """The matching events as the flat CSV export writes them (the reference)."""
    out = tmp_path / "flat.csv"
    with detente.open(db_path, read_only=True) as db:
        export(db, "csv", str(out), Filters(**filters))
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def _part(value: Any, partition: str) -> str:
    """The partition a date read back (None, NaN or a string) belongs in."""
    return partition_value(value if isinstance(value, str) and value else None, partition)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns as the CSV holds them, sorted by event id."""
    keyed = frame[KEYS].astype(object).where(frame[KEYS].notna(), "")
    keyed = keyed.astype(str).sort_values("event_id", key=lambda s: s.astype(int))
    return keyed.reset_index(drop=True)


@pytest.mark.parametrize("partition", ["day", "month"])
def test_every_event_once_in_pandas(db_path: Path, tmp_path: Path, partition: str) -> None:
    out = tmp_path / "lake"
    assert main(["export", "--db", str(db_path), "--format", "parquet", "--partition",
                 partition, "-o", str(out)]) == 0
    frame = pd.read_parquet(out)
    reference = _stored(db_path, tmp_path)
    assert len(frame) == len(reference) == 14
    assert frame["event_id"].is_unique
    assert _as_text(frame).equals(_as_text(reference))
    assert list(frame.columns) == list(reference.columns) + [partition]
    for _, row in frame.iterrows():
        assert row[partition] == _part(row["date"], partition)


def test_day_layout(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with detente.open(db_path, read_only=True) as db:
        assert write_lake(db, str(out), "day").rows == 14
    files = _files(out)
    assert files == sorted({f"day={d}/part-0.parquet" for d in _days()}
                           | {"day=2022-02/part-0.parquet", "day=unknown/part-0.parquet"})
    frame = pd.read_parquet(out)
    undated = frame[frame["day"] == "unknown"]
    assert undated["type"].tolist() == ["THREATEN"] and undated["date"].isna().all()
    assert frame.loc[frame["day"] == "2022-02", "date"].tolist() == ["2022-02"]
    assert frame.loc[frame["day"] == "2021-12-27", "type"].tolist().count("ASSAULT") == 1


def test_month_layout_and_duckdb(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with detente.open(db_path, read_only=True) as db:
        write_lake(db, str(out), "month")
    assert _files(out) == [f"month={m}/part-0.parquet"
                           for m in ("2021-12", "2022-01", "2022-02", "2022-03", "unknown")]
    con = duckdb.connect()
    source = f"read_parquet('{out}/**/*.parquet', hive_partitioning=true)"
    counts = dict(con.execute(f"SELECT month, count(*) FROM {source} GROUP BY month").fetchall())
    reference = _stored(db_path, tmp_path)
    expected = reference["date"].map(lambda d: _part(d, "month")).value_counts()
    assert counts == expected.to_dict()
    ids = [r[0] for r in con.execute(f"SELECT event_id FROM {source}").fetchall()]
    assert sorted(ids) == sorted(reference["event_id"].astype(int)) and len(set(ids)) == len(ids)
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})")
                 .fetchall())
    assert (types["month"], types["event_id"], types["intensity"]) == ("VARCHAR", "BIGINT", "DOUBLE")
    feb = con.execute(f"SELECT type FROM {source} WHERE month = '2022-02'").fetchall()
    assert ("SANCTION",) in feb


def test_duckdb_reads_the_day_lake_with_key_columns(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with detente.open(db_path, read_only=True) as db:
        write_lake(db, str(out), "day")
    frame = duckdb.sql(f"SELECT * FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)").df()
    assert _as_text(frame).equals(_as_text(_stored(db_path, tmp_path)))
    assert (frame["day"] == frame["date"].map(lambda d: _part(d, "day"))).all()


def test_filters_apply(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    assert main(["export", "--db", str(db_path), "--format", "parquet", "--partition", "month",
                 "--type", "ASSAULT", "--since", "2022-01-01", "-o", str(out)]) == 0
    frame = pd.read_parquet(out)
    reference = _stored(db_path, tmp_path, type="ASSAULT", since="2022-01-01")
    assert len(frame) == len(reference) > 0 and set(frame["type"]) == {"ASSAULT"}
    assert _as_text(frame).equals(_as_text(reference))


def test_small_batches_and_interleaved_rows(db_path: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows not grouped by date, one file open at a time: more files, every row once."""
    monkeypatch.setattr(lake, "LAKE_CHUNK_ROWS", 3)
    monkeypatch.setattr(lake, "LAKE_GROUP_ROWS", 2)
    monkeypatch.setattr(lake, "LAKE_OPEN_FILES", 1)
    with detente.open(db_path, read_only=True) as db:
        rows = list(db.event_rows())
    random.Random(7).shuffle(rows)
    out = tmp_path / "lake"
    write_lake(_Rows(rows), str(out), "month")  # type: ignore[arg-type]
    assert any(name.endswith("part-1.parquet") for name in _files(out))
    frame = pd.read_parquet(out)
    assert sorted(frame["event_id"]) == sorted(r["event_id"] for r in rows)
    assert (frame["month"] == frame["date"].map(lambda d: _part(d, "month"))).all()


class _Rows:
    """Stands in for a Database whose event rows come in a given order (or fail midway)."""

    def __init__(self, rows: list[dict[str, Any]], fail_after: int | None = None) -> None:
        self.rows, self.fail_after = rows, fail_after

    def event_rows(self, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
        for n, row in enumerate(self.rows):
            if n == self.fail_after:
                raise RuntimeError("the store went away")
            yield row


def test_values_of_other_types_are_converted(db_path: Path, tmp_path: Path) -> None:
    """What a driver may hand back (Decimal numbers, datetimes) lands in the column's type."""
    with detente.open(db_path, read_only=True) as db:
        rows = list(db.event_rows())
    rows[0] = {**rows[0], "intensity": Decimal("-9.5"), "num_articles": 2.0,
               "added_at": datetime(2024, 1, 2, 3, 4, 5)}
    write_lake(_Rows(rows), str(tmp_path / "lake"), "month")  # type: ignore[arg-type]
    frame = pd.read_parquet(tmp_path / "lake").set_index("event_id")
    first = frame.loc[rows[0]["event_id"]]
    assert (first["intensity"], first["num_articles"]) == (-9.5, 2)
    assert first["added_at"] == "2024-01-02 03:04:05" and frame["num_articles"].dtype == "int64"


def test_no_matching_events_is_one_empty_file(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with detente.open(db_path, read_only=True) as db:
        assert write_lake(db, str(out), "day", Filters(actor="ZZZ")).rows == 0
    assert _files(out) == ["part-0.parquet"]
    frame = pd.read_parquet(out)
    assert len(frame) == 0 and list(frame.columns) == [*lake.LAKE_COLUMNS, "day"]
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', "
                      "hive_partitioning=true)").fetchone() == (0,)


def test_an_empty_folder_is_filled_a_full_one_refused(db_path: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["export", "--db", str(db_path), "--format", "parquet", "--partition", "day",
                 "-o", str(empty)]) == 0
    assert len(pd.read_parquet(empty)) == 14
    before = _files(empty)
    assert main(["export", "--db", str(db_path), "--format", "parquet", "--partition", "day",
                 "-o", str(empty)]) == 1
    assert "the folder is not empty" in capsys.readouterr().err
    assert _files(empty) == before
    a_file = tmp_path / "file.parquet"
    a_file.write_bytes(b"keep")
    with detente.open(db_path, read_only=True) as db, pytest.raises(DetenteError, match="not a folder"):
        write_lake(db, str(a_file), "day")
    assert a_file.read_bytes() == b"keep"
    with detente.open(db_path, read_only=True) as db, pytest.raises(DetenteError, match="does not exist"):
        write_lake(db, str(tmp_path / "no" / "lake"), "day")


def test_partition_needs_parquet_and_a_folder(db_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(db_path), "--format", "csv", "--partition", "day",
                 "-o", str(tmp_path / "x")]) == 1
    assert "use it with --format parquet" in capsys.readouterr().err
    assert main(["export", "--db", str(db_path), "--format", "parquet", "--partition", "day"]) == 1
    assert "-o DIR" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failure_midway_leaves_nothing(db_path: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lake, "LAKE_CHUNK_ROWS", 2)
    with detente.open(db_path, read_only=True) as db:
        rows = list(db.event_rows())
    target = tmp_path / "out"
    target.mkdir()
    out = target / "lake"
    with pytest.raises(RuntimeError, match="went away"):
        write_lake(_Rows(rows, fail_after=9), str(out), "day")  # type: ignore[arg-type]
    assert _leftovers(target) == []


def test_a_write_error_is_one_clear_message_and_leaves_nothing(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import pyarrow.parquet as pq

    real = pq.ParquetWriter.write_table
    calls = []

    def disk_full(self: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", disk_full)
    target = tmp_path / "out"
    target.mkdir()
    assert main(["export", "--db", str(db_path), "--format", "parquet", "--partition", "day",
                 "-o", str(target / "lake")]) == 1
    err = capsys.readouterr().err
    assert "could not write the Parquet dataset (No space left on device)" in err
    assert "nothing was left there" in err and "Traceback" not in err
    assert _leftovers(target) == []


def test_an_unwritable_folder_is_refused(db_path: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0:  # root writes anywhere: refuse the temporary folder instead
        target.chmod(0o555)
    else:
        def refused(*args: Any, **kwargs: Any) -> str:
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr(lake.tempfile, "mkdtemp", refused)
    try:
        with detente.open(db_path, read_only=True) as db, \
                pytest.raises(DetenteError, match="cannot write a dataset in that folder"):
            write_lake(db, str(target / "lake"), "day")
        assert _leftovers(target) == []
    finally:
        target.chmod(0o755)


def test_the_folder_gets_ordinary_permissions(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with detente.open(db_path, read_only=True) as db:
        write_lake(db, str(out), "month")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


@pytest.mark.parametrize(("value", "day", "month"), [
    ("2022-01-28", "2022-01-28", "2022-01"), ("2022-01", "2022-01", "2022-01"),
    ("2022", "2022", "2022"), (None, "unknown", "unknown"), ("", "unknown", "unknown"),
    ("soon", "unknown", "unknown"), ("2022-01-28T10:00", "2022-01-28", "2022-01"),
    ("../../etc", "unknown", "unknown"),
])
def test_partition_values(value: str | None, day: str, month: str) -> None:
    assert (partition_value(value, "day"), partition_value(value, "month")) == (day, month)


@pytest.mark.slow
def test_the_same_lake_from_postgresql(db_path: Path, pg_url: str, tmp_path: Path) -> None:
    """The same articles stored in PostgreSQL give the same dataset (``added_at`` aside)."""
    with detente.open(pg_url) as pg:
        _fill(pg)
    assert main(["export", "--db", pg_url, "--format", "parquet", "--partition", "day",
                 "-o", str(tmp_path / "pg")]) == 0
    with detente.open(db_path, read_only=True) as db:
        write_lake(db, str(tmp_path / "sqlite"), "day")
    assert _files(tmp_path / "pg") == _files(tmp_path / "sqlite")
    frames = [pd.read_parquet(tmp_path / name).drop(columns="added_at").sort_values("event_id")
              .reset_index(drop=True) for name in ("pg", "sqlite")]
    pd.testing.assert_frame_equal(frames[0], frames[1])


# -- memory on a larger store ---------------------------------------------------------

PEAK_SCRIPT = """
import sys
from detente.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print("PEAK_KB", status, "CODE", code)
"""


def _peak_mb(args: list[str]) -> float:
    """Peak resident memory (VmHWM) of ``detente`` ``args`` run in a fresh process."""
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, *args], capture_output=True,
                          text=True, check=True, timeout=600)
    words = done.stdout.split()
    assert words[-1] == "0", done.stderr
    return int(words[words.index("PEAK_KB") + 1]) / 1024


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_memory_stays_bounded_on_200k_events(db_path: Path, tmp_path: Path) -> None:
    """The peak on 200,000 events stays near the peak on 14 (by hand: the flat export of
    the same store peaks at about 630 MB, the lake at about 160 MB; docs/scaling.md)."""
    store = tmp_path / "big.db"
    stream = syn.Stream(start=date(2022, 1, 3), weeks=104, filler=1900.0, seed=5)
    with detente.open(store) as db:
        for pragma in ("journal_mode=OFF", "synchronous=OFF"):  # a throwaway file written once
            db.conn.execute(f"PRAGMA {pragma}")
        written = syn.write_bulk(db.conn, stream)
    assert written >= 200_000
    small_mb = _peak_mb(["export", "--db", str(db_path), "--format", "parquet", "--partition",
                         "day", "-o", str(tmp_path / "small")])
    lake_mb = _peak_mb(["export", "--db", str(store), "--format", "parquet", "--partition", "day",
                        "-o", str(tmp_path / "lake")])
    source = f"read_parquet('{tmp_path / 'lake'}/**/*.parquet', hive_partitioning=true)"
    total, distinct, days = duckdb.sql(
        f"SELECT count(*), count(DISTINCT event_id), count(DISTINCT day) FROM {source}").fetchone() or ()
    assert total == distinct == written and days == 104 * 7
    print(json.dumps({"events": written, "lake_peak_mb": round(lake_mb), "small_peak_mb": round(small_mb)}))
    assert lake_mb < 250, f"partitioned export peaked at {lake_mb:.0f} MB"
    assert lake_mb - small_mb < 80, f"{lake_mb:.0f} MB on {written} events, {small_mb:.0f} MB on 14"
