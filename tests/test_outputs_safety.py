"""Outputs whole or not at all, other people's files left alone, arguments checked, text
from inputs shown rather than obeyed, and the exit codes that say which."""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pytest

import detente
from detente import export as export_module
from detente.cli import main
from detente.cliargs import (
    EXIT_BROKEN_PIPE,
    EXIT_PARTIAL,
    iso_date,
    iso_month,
    iso_week,
    positive_int,
)
from detente.errors import DetenteError
from detente.ingest import workers
from detente.outputs import atomic_output
from detente.store import Filters, schema
from detente.store.table import event_table
from detente.terminal import json_for_terminal, printable
from ingest_helpers import STORY, event, fake_analyzer, result

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("jsonl", "csv", "plover", "gdelt", "parquet")
OLD = b"the previous export, which must survive a failed one\n"


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    with detente.open(path) as db:
        db.add(result("a", STORY, url="https://a.example/1", published="2022-05-10",
                      events=[event("ASSAULT", "RUS", "UKR", "2022-05-10",
                                    sentence="Shelling \x1b[2J\x1b]0;owned\x07 of \x9b31mKharkiv")]))
    return path


def _state(path: Path) -> tuple[str, int]:
    """A file's content hash and modification time: both must stay as they were."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detente: "), err
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- outputs written whole or not at all ------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_export_replaces_a_file_only_when_done(db_path: Path, tmp_path: Path, fmt: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"events.{fmt}"
    out.write_bytes(OLD)
    out.chmod(0o640)
    assert main(["export", "--db", str(db_path), "--format", fmt, "-o", str(out)]) == 0
    assert out.read_bytes() != OLD and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == [] and "wrote 1" in capsys.readouterr().err
    if fmt == "parquet":
        assert len(pd.read_parquet(out)) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "plover", "gdelt"])
def test_a_failing_export_leaves_the_old_file_untouched(
    db_path: Path, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "events.out"
    out.write_bytes(OLD)
    before = _state(out)
    real = export_module._WRITERS[fmt]

    def half_then_fail(db: detente.Database, filters: Filters, fh: IO[str]) -> int:
        real(db, filters, fh)
        fh.write("half a row")
        raise RuntimeError("the export died half way")

    monkeypatch.setitem(export_module._WRITERS, fmt, half_then_fail)
    with pytest.raises(RuntimeError):
        main(["export", "--db", str(db_path), "--format", fmt, "-o", str(out)])
    assert _state(out) == before and _leftovers(tmp_path) == []


def test_a_parquet_error_is_one_line_and_keeps_the_old_file(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa

    out = tmp_path / "events.parquet"
    out.write_bytes(OLD)
    before = _state(out)

    def broken(self: pd.DataFrame, path: IO[bytes], **kwargs: Any) -> None:
        path.write(b"PAR1 half a file")
        raise pa.ArrowInvalid("Could not convert 'x' with type str: tried to convert to double")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    assert main(["export", "--db", str(db_path), "--format", "parquet", "-o", str(out)]) == 1
    assert "could not write Parquet" in _one_line_error(capsys.readouterr().err)
    assert _state(out) == before and _leftovers(tmp_path) == []


def test_a_full_disk_is_one_line_and_keeps_the_old_file(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.csv"
    out.write_bytes(OLD)
    before = _state(out)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("detente.outputs.os.fsync", full)
    assert main(["export", "--db", str(db_path), "--format", "csv", "-o", str(out)]) == 1
    assert "No space left on device" in _one_line_error(capsys.readouterr().err)
    assert _state(out) == before and _leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_dev_full_as_the_output_is_one_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(db_path), "--format", "jsonl", "-o", "/dev/full"]) == 1
    assert "No space left on device" in _one_line_error(capsys.readouterr().err)


def test_unwritable_targets_are_refused_in_one_line(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    read_only = tmp_path / "kept.csv"
    read_only.write_bytes(OLD)
    read_only.chmod(0o444)
    cases = {
        str(tmp_path / "no" / "such" / "folder.csv"): "does not exist",
        str(tmp_path): "is a folder",
        str(read_only): "read-only",
        "/proc/detente-test-output.csv": "cannot write",
    }
    for target, says in cases.items():
        assert main(["export", "--db", str(db_path), "--format", "csv", "-o", target]) == 1, target
        assert says in _one_line_error(capsys.readouterr().err), target
    assert read_only.read_bytes() == OLD and _leftovers(tmp_path) == []


def test_analyze_output_is_replaced_only_when_the_batch_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import detente.pipeline

    class Dies:
        def __init__(self, settings: Any) -> None:
            pass

        def analyze_many(self, items: Any) -> Any:
            for item in items:
                yield item
                raise MemoryError("the analysis died")

    out = tmp_path / "results.jsonl"
    out.write_bytes(OLD)
    before = _state(out)
    missing = [str(tmp_path / "gone1.txt"), str(tmp_path / "gone2.txt")]
    monkeypatch.setattr(detente.pipeline, "Analyzer", Dies)
    with pytest.raises(MemoryError):
        main(["analyze", *missing, "-o", str(out)])
    assert _state(out) == before and _leftovers(tmp_path) == []
    monkeypatch.undo()
    assert main(["analyze", *missing, "-o", str(out)]) == EXIT_PARTIAL
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == missing
    capsys.readouterr()


def test_atomic_output_leaves_nothing_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    with pytest.raises(KeyError), atomic_output(target) as fh:
        fh.write("partial")
        raise KeyError("stop")
    assert list(tmp_path.iterdir()) == []
    with atomic_output(target) as fh:
        fh.write("whole")
    assert target.read_text("utf-8") == "whole"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    # A link at the target is replaced, not followed: the file it points to is not written.
    victim = tmp_path / "someone-elses.txt"
    victim.write_bytes(OLD)
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    with atomic_output(link) as fh:
        fh.write("new")
    assert victim.read_bytes() == OLD and not link.is_symlink() and link.read_text("utf-8") == "new"


# -- other people's files --------------------------------------------------------------

def _foreign(tmp_path: Path) -> Path:
    path = tmp_path / "other-app.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("CREATE TABLE schema_version (version INTEGER, name TEXT)")  # a common name
        conn.execute("INSERT INTO notes(text) VALUES ('mine, not detente''s')")
        conn.execute("INSERT INTO schema_version VALUES (1, 'init')")
    conn.close()
    return path


def _commands(db: Path, tmp_path: Path) -> list[list[str]]:
    page = tmp_path / "page.txt"
    page.write_text(f"Headline\n\n{STORY}\n", "utf-8")
    return [["query", "--db", str(db)],
            ["export", "--db", str(db), "--format", "jsonl", "-o", str(tmp_path / "x.jsonl")],
            ["ingest", str(page), "--db", str(db), "-j", "1", "-q"],
            ["migrate", "--db", str(db)]]


def test_another_applications_sqlite_is_refused_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(workers, "default_analyzer", fake_analyzer)
    foreign = _foreign(tmp_path)
    before, files = _state(foreign), sorted(os.listdir(tmp_path))
    for argv in _commands(foreign, tmp_path):
        files = sorted(os.listdir(tmp_path))  # the page _commands wrote
        assert main(argv) == 1, argv
        assert "not a detente store" in _one_line_error(capsys.readouterr().err), argv
        assert _state(foreign) == before, argv
        assert sorted(os.listdir(tmp_path)) == files, argv  # no -wal, -shm, -journal, output
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    with pytest.raises(DetenteError, match="not a detente store"):
        detente.open(foreign)


def test_a_foreign_database_in_wal_mode_gets_no_sidecar_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "wal-app.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")  # a common name, too
    conn.commit()
    conn.close()  # the last connection: checkpointed, -wal and -shm removed
    before, files = _state(foreign), sorted(os.listdir(tmp_path))
    for argv in (["query", "--db", str(foreign)], ["migrate", "--db", str(foreign)]):
        assert main(argv) == 1
        assert "not a detente store" in _one_line_error(capsys.readouterr().err)
    assert _state(foreign) == before and sorted(os.listdir(tmp_path)) == files


def test_a_damaged_store_is_one_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = db_path.read_bytes()
    db_path.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    assert main(["query", "--db", str(db_path)]) == 1
    assert "damaged" in _one_line_error(capsys.readouterr().err)


def test_a_locked_store_is_one_line(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    import detente.store.table

    def locked(*args: Any, **kwargs: Any) -> str:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(detente.store.table, "event_table", locked)
    assert main(["query", "--db", str(db_path)]) == 1
    assert "database is locked" in _one_line_error(capsys.readouterr().err)


def test_a_read_only_store_refuses_writes_clearly(db_path: Path) -> None:
    with detente.open(db_path, read_only=True) as db, pytest.raises(DetenteError, match="read-only"):
        db.add(result("z", STORY))


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n" * 20, "utf-8")
    before = _state(notes)
    for argv in _commands(notes, tmp_path):
        assert main(argv) == 1, argv
        assert "not a SQLite database" in _one_line_error(capsys.readouterr().err), argv
    assert _state(notes) == before


def test_readers_never_create_or_migrate(db_path: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.db"
    assert main(["query", "--db", str(missing)]) == 1 and not missing.exists()
    assert "no such database" in _one_line_error(capsys.readouterr().err)
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old, isolation_level=None)
    first = schema.migrations()[0]
    conn.executescript(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT);"
        f"BEGIN; {first.sql}\nINSERT INTO schema_version(version, name) VALUES (1, '{first.name}'); COMMIT;")
    conn.close()
    before = _state(old)
    assert main(["query", "--db", str(old)]) == 1
    assert "detente migrate --db" in _one_line_error(capsys.readouterr().err)
    assert _state(old) == before
    assert main(["migrate", "--db", str(old)]) == 0
    assert main(["query", "--db", str(old)]) == 0
    state = _state(db_path)
    assert main(["query", "--db", str(db_path)]) == 0
    assert _state(db_path) == state
    with detente.open(db_path, read_only=True) as db, pytest.raises(sqlite3.OperationalError):
        db.conn.execute("CREATE TABLE x (a)")


# -- arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "says"), [
    (["query", "--since", "20220101"], "YYYY-MM-DD"),
    (["query", "--until", "2022-02-30"], "not a real date"),
    (["export", "--format", "csv", "--since", "2022-1-5"], "YYYY-MM-DD"),
    (["query", "--limit", "0"], "at least 1"),
    (["query", "--limit", "-3"], "at least 1"),
    (["export", "--format", "csv", "--limit", "ten"], "not a whole number"),
    (["ingest", "x", "-j", "0"], "at least 1"),
])
def test_bad_arguments_are_refused_with_the_format(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and says in capsys.readouterr().err


def test_since_after_until_is_refused(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--db", str(db_path), "--since", "2023-01-02", "--until", "2023-01-01"]) == 1
    assert "swap" in _one_line_error(capsys.readouterr().err)


def test_validators_for_the_analysis_commands() -> None:
    assert iso_date("2024-02-29") == "2024-02-29" and positive_int("7") == 7
    assert iso_week("2020-W53") == "2020-W53" and iso_month("2023-05") == "2023-05"
    for check, bad in ((iso_week, "2021-W53"), (iso_week, "2023W20"), (iso_week, "2023-20"),
                       (iso_month, "2023-13"), (iso_month, "202305"), (iso_month, "2023-5"),
                       (iso_date, "2023-02-29"), (iso_date, "2022/01/01"), (positive_int, "0"),
                       (iso_date, "\uff12\uff10\uff12\uff12-01-01")):  # full-width digits
        with pytest.raises(argparse.ArgumentTypeError):
            check(bad)


# -- text from inputs on the terminal ----------------------------------------------------

def test_printable_shows_control_characters() -> None:
    assert printable("a\x1b[31mred\x1b[0m\tb\nc\x9b\u202edcba\x00") == (
        "a\\x1b[31mred\\x1b[0m\\tb\\nc\\x9b\\u202edcba\\x00")
    assert printable("Zelenskyy said \u201cno\u201d in Kyiv — café") == (
        "Zelenskyy said \u201cno\u201d in Kyiv — café")
    line = json.dumps({"title": "x\x9b2J\u202e", "n": 1}, ensure_ascii=False)
    safe = json_for_terminal(line)
    assert json.loads(safe) == json.loads(line) and "\x9b" not in safe and "\u202e" not in safe


def test_query_tables_and_errors_show_escapes(db_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with detente.open(db_path, read_only=True) as db:
        table = event_table(db, Filters(), width=200)
    assert "\x1b" not in table and "\x07" not in table and "Shelling \\x1b[2J" in table
    assert main(["query", "--db", str(db_path)]) == 0
    assert "\x1b" not in capsys.readouterr().out
    hostile = str(tmp_path / "page\x1b]0;owned\x07.txt")
    assert main(["analyze", hostile]) == 1
    out, err = capsys.readouterr()
    assert "\x1b" not in err and "\\x1b]0;owned\\x07" in err
    assert json.loads(out)["id"] == hostile  # the JSON keeps the real name, escaped as JSON


def test_analyze_json_on_a_terminal_shows_c1_and_bidi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import detente.cli

    monkeypatch.setattr(detente.cli, "is_terminal", lambda stream=None: True)
    hostile = str(tmp_path / "page\x9b2J\u202etxt.html")
    assert main(["analyze", hostile]) == 1
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\u202e" not in out and json.loads(out)["id"] == hostile


@pytest.mark.parametrize("fmt", ["jsonl", "plover", "csv", "gdelt"])
def test_an_export_to_a_terminal_shows_escapes(db_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(export_module, "is_terminal", lambda stream=None: True)
    assert main(["export", "--db", str(db_path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b"), out
    if fmt in ("jsonl", "plover"):  # still the same JSON
        (line,) = out.splitlines()
        assert "\x9b31mKharkiv" in json.dumps(json.loads(line), ensure_ascii=False)


# -- exit codes --------------------------------------------------------------------------

def test_partial_batches_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(workers, "default_analyzer", fake_analyzer)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(f"Headline\n\n{STORY}\n", "utf-8")
    (folder / "empty\x1b[2J.txt").write_text("", "utf-8")
    db = tmp_path / "p.db"
    assert main(["ingest", str(folder), "--db", str(db), "-j", "1", "-q"]) == EXIT_PARTIAL
    err = capsys.readouterr().err
    assert "1 articles added" in err and "skipped" in err and "\x1b" not in err
    assert main(["analyze", str(tmp_path / "gone.txt")]) == 1  # a single input: an error
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "3 a batch" in " ".join(capsys.readouterr().out.split())


# -- a closed pipe -----------------------------------------------------------------------

@pytest.fixture()
def big_db(tmp_path: Path) -> Path:
    path = tmp_path / "big.db"
    with detente.open(path) as db:
        for i in range(150):
            db.add(result(f"r{i}", f"{STORY} Report {i}.", url=f"https://r.example/{i}",
                          events=[event("ASSAULT", "RUS", "UKR", "2022-05-10")]))
    return path


def _detente(args: str) -> str:
    entry = f"{sys.executable} -c 'import sys; from detente.cli import main; sys.exit(main())'"
    return f"{entry} {args}"


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(big_db: Path, tmp_path: Path) -> None:
    err = tmp_path / "err.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for command, code in (
        (f"{_detente(f'export --db {big_db} --format jsonl')} 2>{err} | head -1 >/dev/null",
         EXIT_BROKEN_PIPE),
        # The reader is gone before anything is written: the error comes at the last flush.
        (f"{_detente(f'query --db {big_db}')} 2>{err} | true", EXIT_BROKEN_PIPE),
        (f"{_detente(f'export --db {big_db} --format csv')} 2>{err} >/dev/full", 1),
    ):
        done = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == code, (command, err.read_text())
        text = err.read_text()
        assert "Traceback" not in text and "Exception ignored" not in text, text
        assert (text == "") == (code == EXIT_BROKEN_PIPE), text
