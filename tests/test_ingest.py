"""`detente ingest`: inputs, idempotence, bad inputs, workers, and surviving SIGKILL.

The NLP model is swapped for tests/ingest_helpers.py's FakeAnalyzer (passed as the
analyzer factory), so these tests exercise the ingest machinery, not the stages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.cli import main
from detente.ingest import workers
from detente.ingest.runner import IngestOptions, ingest
from detente.ingest.walk import walk
from detente.ingest.warc import read_warc
from detente.model import RawDocument
from detente.store import TABLES
from ingest_helpers import STORY, FakeAnalyzer, fake_analyzer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), str(ROOT / "src")]))
    monkeypatch.setattr(workers, "_LOADED", None)


@pytest.fixture()
def cli_uses_fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI and the demo take no analyzer: swap the default one for this test."""
    monkeypatch.setattr(workers, "default_analyzer", fake_analyzer)


def opts(**given: Any) -> IngestOptions:
    """IngestOptions with the fake analyzer and no progress bar."""
    return dataclasses.replace(IngestOptions(analyzer_factory=fake_analyzer, progress=False), **given)


def corpus(folder: Path, n: int = 12) -> Path:
    """n text dumps (every third a near-copy of the one before) and some noise."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base = i - 1 if i % 3 == 2 else i
        body = f"Story {base}\n\n{STORY} Paragraph {base} of the report.\n"
        body += f"EVENT ASSAULT RUS UKR 2022-05-{10 + base % 5:02d}\n"
        if i % 4 == 0:
            body += f"EVENT CONSULT FRA RUS 2022-05-{10 + i % 3:02d}\n"
        (folder / f"doc{i:03d}.txt").write_text(body.replace("Story", f"Headline {i}"), "utf-8")
    return folder


def test_walk_finds_documents_in_order_and_skips_hidden(tmp_path: Path) -> None:
    for name in ("b.txt", "a.html", "c.html.gz", "noext", "d.jsonl", "e.warc.gz", "x.png",
                 ".hidden.txt", ".git/f.txt", "sub/z.htm"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in walk(tmp_path)]
    assert found == ["a.html", "b.txt", "c.html.gz", "d.jsonl", "e.warc.gz", "noext", "sub/z.htm"]


def _warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        pages = [
            ("https://n.example/a", "text/html; charset=utf-8",
             b"<html><body><h1>Kharkiv</h1><p>" + STORY.encode() + b"</p></body></html>"),
            ("https://n.example/b.txt", "text/plain", STORY.encode()),
            ("https://n.example/logo.png", "image/png", b"\x89PNG...."),
        ]
        for uri, ctype, payload in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.0")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(payload),
                                                          http_headers=http))
        writer.write_record(writer.create_warc_record("https://n.example/a", "request",
                                                      payload=io.BytesIO(b"GET / HTTP/1.0\r\n\r\n")))


def test_warc_responses_become_documents(tmp_path: Path) -> None:
    _warc(tmp_path / "crawl.warc.gz")
    docs = list(read_warc(tmp_path / "crawl.warc.gz"))
    assert [d.url for d in docs] == ["https://n.example/a", "https://n.example/b.txt"]  # type: ignore[union-attr]
    assert docs[0].html is not None and "Kharkiv" in docs[0].html  # type: ignore[union-attr]
    assert docs[1].text == STORY  # type: ignore[union-attr]
    with detente.open(tmp_path / "w.db") as db:
        summary = ingest(opts(warc=[tmp_path / "crawl.warc.gz"], jobs=1), db)
        assert (summary.added, summary.failed) == (2, 0)
        assert set(db.articles()["url"]) == {"https://n.example/a", "https://n.example/b.txt"}
    (tmp_path / "broken.warc").write_bytes(b"this is not a WARC file at all\n" * 5)
    with detente.open(tmp_path / "w.db") as db:
        summary = ingest(opts(warc=[tmp_path / "broken.warc"], jobs=1), db)
        assert summary.failed == 1 and "broken.warc" in summary.failures[0].reason


def test_ingest_is_idempotent_and_reports_bad_inputs(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in")
    (folder / "empty.txt").write_text("   ")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "fails.txt").write_text("FAIL in analysis")
    with gzip.open(folder / "page.html.gz", "wt") as fh:
        fh.write("<html><body><p>" + STORY + "</p></body></html>")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "j1", "text": "Jsonl story\n\n" + STORY}) + "\n{not json\n")
    options = opts(paths=[folder], jsonl=[jsonl], jobs=1)
    with detente.open(tmp_path / "t.db") as db:
        first = ingest(options, db)
        assert (first.seen, first.added, first.failed) == (18, 14, 4)
        reasons = " | ".join(f.reason for f in first.failures)
        for fragment in ("empty.txt: the document is empty", "binary.txt", "fails.txt",
                         "more.jsonl:2: not valid JSON"):
            assert fragment in reasons
        counts = db.counts()
        again = ingest(options, db)
        assert (again.added, again.skipped) == (0, 14)
        assert db.counts() == counts
        assert counts["clusters"] < counts["articles"]  # the near-copies joined their stories
        assert counts["events"] < counts["event_sources"]  # repeated events were merged


def no_model(settings: object) -> FakeAnalyzer:
    raise AssertionError("a re-ingest with nothing new must not load the model")


def test_reingest_loads_no_model(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=4)
    with detente.open(tmp_path / "t.db") as db:
        ingest(opts(paths=[folder], jobs=1), db)
        for jobs in (1, 2):
            again = ingest(opts(paths=[folder], jobs=jobs, analyzer_factory=no_model), db)
            assert (again.skipped, again.workers) == (4, 0)


def test_workers_store_the_same_rows_as_one_process(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=6)
    with detente.open(tmp_path / "one.db") as one, detente.open(tmp_path / "two.db") as two:
        ingest(opts(paths=[folder], jobs=1), one)
        summary = ingest(opts(paths=[folder], jobs=2), two)
        assert summary.workers == 1  # 6 documents make one chunk: no pool for one chunk
        assert _dump(one.conn) == _dump(two.conn)


def test_two_worker_processes(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=40)
    with detente.open(tmp_path / "one.db") as one, detente.open(tmp_path / "two.db") as two:
        ingest(opts(paths=[folder], jobs=1), one)
        summary = ingest(opts(paths=[folder], jobs=2), two)
        assert summary.workers == 2 and os.getpid() not in summary.peak_rss_mb
        assert _dump(one.conn) == _dump(two.conn)


@pytest.mark.usefixtures("cli_uses_fake_model")
def test_cli_ingest_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpus(tmp_path / "in", n=3)
    db = tmp_path / "c.db"
    assert main(["ingest", str(folder), "--db", str(db), "-j", "1", "-q"]) == 0
    assert "3 articles added" in capsys.readouterr().err
    assert main(["ingest", str(folder), "--db", str(db), "-j", "1", "-q"]) == 0
    assert "0 articles added, 3 already stored" in capsys.readouterr().err


def _dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, less the wall-clock columns."""
    out = {}
    for table in (*TABLES, "minhash_bands"):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "added_at"]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()
    return out


def _ingest_cmd(folder: Path, db: Path) -> list[str]:
    """A separate process ingesting ``folder`` with two workers and the fake analyzer."""
    code = (
        "import sys, detente; from detente.ingest.runner import IngestOptions, ingest;"
        " from ingest_helpers import fake_analyzer;"
        " db = detente.open(sys.argv[2]);"
        " ingest(IngestOptions(paths=[sys.argv[1]], jobs=2, progress=False,"
        " analyzer_factory=fake_analyzer), db)"
    )
    return [sys.executable, "-c", code, str(folder), str(db)]


def test_sigkill_then_rerun_gives_the_rows_of_an_uninterrupted_run(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=60)
    env = {**os.environ, "DETENTE_FAKE_DELAY": "0.03"}
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"
    options = opts(paths=[folder], jobs=1)
    with detente.open(whole) as db:
        ingest(options, db)

    stop_after = random.randint(1, 55)
    proc = subprocess.Popen(_ingest_cmd(folder, killed), env=env, start_new_session=True,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if _articles(killed) >= stop_after:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # its orphaned workers (our session only)
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    partial = _articles(killed)
    assert partial < 60

    with detente.open(killed) as db:  # the re-run, here in this process
        assert ingest(options, db).added == 60 - partial
    with detente.open(whole) as a, detente.open(killed) as b:
        assert b.integrity() == "ok"
        assert _dump(a.conn) == _dump(b.conn)
        assert a.counts()["articles"] == 60


def _articles(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_the_sample_corpus_is_small_and_attributed() -> None:
    from detente.demo import sample_files

    files = sample_files()
    assert all(f.is_file() for f in files)
    folder = files[0].parent
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert total < 2_000_000
    attribution = (folder / "ATTRIBUTION.md").read_text("utf-8")
    for credit in ("Open Government Licence", "CC BY 3.0", "CC BY-SA 3.0", "public domain"):
        assert credit in attribution
    assert "bbc.co" not in files[0].read_text("utf-8")  # BBC Online (CC BY-NC) is left out


@pytest.mark.usefixtures("cli_uses_fake_model")
def test_demo_ingests_the_sample_and_prints_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from detente.demo import main as demo

    assert demo(["--db", str(tmp_path / "demo.db"), "-j", "1", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "89 articles added" in out
    assert "Busiest actor -> recipient pairs" in out and "Latest events" in out


@pytest.mark.usefixtures("cli_uses_fake_model")
def test_demo_ends_by_serving_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente import demo
    from detente.web import commands

    served: list[tuple[str, str, int]] = []

    def fake_serve(args: Any) -> int:  # uvicorn would run until Ctrl-C
        served.append((args.db, args.host, args.port))
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "cmd_serve", fake_serve)
    db = str(tmp_path / "demo.db")
    assert demo.main(["--db", db, "-j", "1", "--port", "8799"]) == 0
    assert served == [(db, "127.0.0.1", 8799)]


def test_chunks_keep_input_order_and_shrink_at_the_end() -> None:
    from detente.ingest.runner import CHUNK, Job, chunked
    from detente.model import RawDocument

    jobs = [Job(str(i), RawDocument(id=str(i), text="x")) for i in range(43)]
    chunks = list(chunked(jobs, workers=2))
    assert [j for chunk in chunks for j in chunk] == jobs
    sizes = [len(c) for c in chunks]
    assert sizes[:3] == [CHUNK] * 3  # 24 jobs in whole chunks, then 19 in small ones
    assert sum(sizes[3:]) == 19 and max(sizes[3:]) == CHUNK // 4
    assert list(chunked(jobs[:3], workers=2)) == [jobs[0:2], jobs[2:3]]
    assert list(chunked([], workers=2)) == []
    assert [len(c) for c in chunked(jobs, workers=1)] == [8] * 5 + [3]


def _docs(n: int, pulled: list[int]) -> Iterator[RawDocument]:
    """n distinct documents, counting in ``pulled`` how many were taken."""
    for i in range(n):
        pulled.append(i)
        yield RawDocument(id=f"d{i}", text=f"Report {i}\n\n{STORY} Number {i}.", source=f"gen:{i}")


@pytest.mark.parametrize("jobs", [1, 2])
def test_inputs_are_read_as_the_workers_need_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from detente.ingest.runner import CHUNK, ingest_items

    pulled: list[int] = []
    ahead: list[int] = []  # at each store: inputs read but not yet stored
    with detente.open(tmp_path / "s.db") as db:
        add = db.add

        def recording_add(*args: Any, **kwargs: Any) -> Any:
            ahead.append(len(pulled) - len(ahead))
            return add(*args, **kwargs)

        monkeypatch.setattr(db, "add", recording_add)
        summary = ingest_items(_docs(300, pulled), db, opts(jobs=jobs))
        assert (summary.added, summary.workers) == (300, jobs)
        # Read ahead at most: the tail look-ahead and the chunks in flight, not the corpus.
        assert max(ahead) <= (jobs + 1) * CHUNK + 2 * jobs * CHUNK
        assert list(db.articles()["doc_id"]) == [f"d{i}" for i in range(300)]  # input order


def test_the_analyzer_is_built_once_by_the_factory_given(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=40)
    built: list[int] = []

    def factory(settings: object) -> FakeAnalyzer:
        built.append(os.getpid())
        return FakeAnalyzer(settings)

    with detente.open(tmp_path / "f.db") as db:
        summary = ingest(opts(paths=[folder], jobs=2, analyzer_factory=factory), db)
    assert summary.added == 40
    if workers.CAN_FORK:  # built in this process; the forked workers inherit it
        assert built == [os.getpid()] and os.getpid() not in summary.peak_rss_mb


def test_spawned_workers_build_the_analyzer_from_a_picklable_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "CAN_FORK", False)
    folder = corpus(tmp_path / "in", n=20)
    with detente.open(tmp_path / "one.db") as one, detente.open(tmp_path / "two.db") as two:
        ingest(opts(paths=[folder], jobs=1), one)
        assert ingest(opts(paths=[folder], jobs=2), two).workers == 2
        assert _dump(one.conn) == _dump(two.conn)


def test_an_article_whose_stage_failed_is_stored_with_its_note(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=3)
    (folder / "doc001.txt").write_text("Partly analysed\n\n" + STORY + "\nBROKEN_STAGE\n", "utf-8")
    with detente.open(tmp_path / "n.db") as db:
        summary = ingest(opts(paths=[folder], jobs=1), db)
        assert (summary.added, summary.failed) == (3, 0)
        notes = dict(zip(db.articles()["doc_id"], db.articles()["notes"], strict=True))
        assert json.loads(notes["doc001.txt"]) == ["stage detente_quotes failed: ValueError('BROKEN_STAGE marker')"]
        assert json.loads(notes["doc000.txt"]) == []


def test_failures_are_reported_as_they_are_read(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", n=20)
    (folder / "doc005.txt").write_text("   ")
    (folder / "doc012.txt").write_text("FAIL in analysis")
    (folder / "doc013.txt").write_text("FAIL in analysis")  # a repeat of a failed input: skipped
    reported: list[str] = []
    with detente.open(tmp_path / "r.db") as db:
        summary = ingest(opts(paths=[folder], jobs=2), db, report=lambda f: reported.append(f.source))
    assert [Path(r).name for r in reported] == ["doc005.txt", "doc012.txt"]
    assert (summary.added, summary.failed, summary.skipped) == (17, 2, 1)
