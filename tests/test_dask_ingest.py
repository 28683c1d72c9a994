"""Ingest on a Dask cluster (issue 17, item 2): ``IngestOptions(dask="local:2")``.

Real ``distributed.LocalCluster``s of two worker processes. The fast tests use the
model-free FakeAnalyzer of tests/ingest_helpers.py (or ChaosAnalyzer below, which
also sleeps on ``SLOW`` and kills its worker process on ``DIE``); the spawned worker
processes import it by name (pytest's sys.path, tests/ included, goes with them).
The store is written in input order, so a Dask run stores the very rows, ids
included, of a local ``-j 2`` run: every table is compared row for row.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.errors import InputError
from detente.ingest import cluster, workers
from detente.ingest.cluster import DaskCluster, DaskTarget, parse_target
from detente.ingest.runner import CHUNK, Failure, IngestOptions, IngestSummary, Job, ingest
from detente.ingest.sources import ErrorRecord
from detente.model import RawDocument, Result
from detente.settings import load_settings
from detente.store import TABLES
from ingest_helpers import STORY, FakeAnalyzer, event_corpus, fake_analyzer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


class ChaosAnalyzer(FakeAnalyzer):
    """FakeAnalyzer that sleeps half a second on ``SLOW`` (its chunk finishes last)
    and kills its own process on ``DIE`` (as the out-of-memory killer would)."""

    def analyze_many(self, items: Iterable[RawDocument | ErrorRecord]) -> Iterator[Result | ErrorRecord]:
        for item in items:
            text = (item.text or "") if isinstance(item, RawDocument) else ""
            if "DIE" in text:
                os._exit(3)
            if "SLOW" in text:
                time.sleep(0.5)
            yield from super().analyze_many([item])


def chaos_analyzer(settings: Any) -> ChaosAnalyzer:
    return ChaosAnalyzer(settings)


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), str(ROOT / "src")]))
    monkeypatch.setattr(workers, "_LOADED", None)


def opts(**given: Any) -> IngestOptions:
    return dataclasses.replace(IngestOptions(analyzer_factory=fake_analyzer, progress=False), **given)


def corpus(folder: Path, docs: int = 40, first: str = "") -> Path:
    """Text dumps with events (repeated ones merge), near-copies (one story), a bad one."""
    return event_corpus(folder, docs, first=first, bad="doc500.txt")


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in rowid order, less the wall-clock columns."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        out = {}
        for table in (*TABLES, "minhash_bands"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                    if r[1] not in ("added_at", "applied_at")]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()
        return out


def run(options: IngestOptions, db: Path) -> tuple[IngestSummary, list[Failure]]:
    failures: list[Failure] = []
    with detente.open(db) as store:
        summary = ingest(options, store, report=failures.append)
        assert store.integrity() == "ok"
    return summary, failures


# -- the target ------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "expected"), [
    ("local", DaskTarget()),
    ("local:3", DaskTarget(workers=3)),
    ("tcp://10.0.0.5:8786", DaskTarget(address="tcp://10.0.0.5:8786")),
    (" tcp://scheduler.lan:8786 ", DaskTarget(address="tcp://scheduler.lan:8786")),
])
def test_a_target_is_local_with_its_workers_or_a_scheduler_address(
    spec: str, expected: DaskTarget
) -> None:
    assert parse_target(spec) == expected


@pytest.mark.parametrize("spec", ["local:0", "local:two", "local:", "tcp://host", "tcp://:8786",
                                  "http://host:8786", "dask", "local:٣"])
def test_a_bad_target_names_itself_and_the_forms_allowed(spec: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_target(spec)
    assert f"--dask {spec}" in str(caught.value)
    assert "local:N" in str(caught.value) and "tcp://HOST:PORT" in str(caught.value)


# -- on a LocalCluster -----------------------------------------------------------------

@pytest.mark.slow
def test_dask_local_2_stores_the_rows_and_ids_of_a_local_j2_run(tmp_path: Path) -> None:
    # The first document is slow: later chunks finish before it, yet it is stored first.
    folder = corpus(tmp_path / "in", first="SLOW\n")
    local, local_failed = run(opts(paths=[folder], jobs=2, analyzer_factory=chaos_analyzer),
                              tmp_path / "local.db")
    dask, dask_failed = run(opts(paths=[folder], dask="local:2", analyzer_factory=chaos_analyzer),
                            tmp_path / "dask.db")
    assert (dask.seen, dask.added, dask.failed, dask.workers) == (41, 40, 1, 2)
    assert (dask.new_events, dask.merged_events) == (local.new_events, local.merged_events)
    assert dask_failed == local_failed == dask.failures
    assert "FAIL marker" in dask_failed[0].reason and dask_failed[0].source.endswith("doc500.txt")
    expected, got = dump(tmp_path / "local.db"), dump(tmp_path / "dask.db")
    assert got == expected
    assert len(got["clusters"]) < len(got["articles"])  # near-copies share a story
    assert len(got["event_sources"]) > len(got["events"])  # repeated events merged
    with detente.open(tmp_path / "dask.db") as db:  # the second time: only the failed one again
        again = ingest(opts(paths=[folder], dask="local:2"), db)
    assert (again.added, again.skipped, again.failed, again.workers) == (0, 40, 1, 1)
    (folder / "doc500.txt").unlink()
    with detente.open(tmp_path / "dask.db") as db:  # nothing to analyse: no cluster at all
        again = ingest(opts(paths=[folder], dask="local:2"), db)
    assert (again.added, again.skipped, again.failed, again.workers) == (0, 40, 0, 0)


@pytest.mark.slow
def test_a_killed_dask_run_resumes_to_the_rows_of_an_uninterrupted_one(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", docs=48)
    reference = tmp_path / "reference.db"
    run(opts(paths=[folder], jobs=1), reference)
    killed = tmp_path / "killed.db"
    code = ("import sys, detente; from detente.ingest.runner import IngestOptions, ingest;"
            " from ingest_helpers import fake_analyzer;"
            " db = detente.open(sys.argv[2]);"
            " ingest(IngestOptions(paths=[sys.argv[1]], dask='local:2', progress=False,"
            " analyzer_factory=fake_analyzer), db)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder), str(killed)],
                            env={**os.environ, "DETENTE_FAKE_DELAY": "0.05"},
                            start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while stored(killed) < 10 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the ingest, its cluster and its workers
        proc.wait(timeout=30)
    before = stored(killed)
    assert 10 <= before < 48, "the run was not killed part-way"
    summary, failures = run(opts(paths=[folder], dask="local:2"), killed)
    assert (summary.added, summary.skipped, summary.failed) == (48 - before, before, 1)
    assert dump(killed) == dump(reference)


def stored(path: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=1)) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_document_that_kills_its_worker_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", docs=12)
    (folder / "doc005.txt").write_text("Headline 5\n\nDIE here\n", "utf-8")
    summary, failures = run(opts(paths=[folder], dask="local:2", analyzer_factory=chaos_analyzer),
                            tmp_path / "dask.db")
    assert (summary.added, summary.failed) == (11, 2)
    reasons = {Path(f.source).name: f.reason for f in failures}
    assert "died" in reasons["doc005.txt"] and "twice" in reasons["doc005.txt"]
    assert "FAIL marker" in reasons["doc500.txt"]
    # The other documents of the dead worker's chunk were stored, in input order.
    with contextlib.closing(sqlite3.connect(tmp_path / "dask.db")) as conn:
        sources = [Path(r[0]).name for r in conn.execute("SELECT source FROM articles ORDER BY id")]
    assert sources == [f"doc{i:03d}.txt" for i in range(12) if i != 5]


@pytest.mark.slow
def test_chunks_stream_to_the_cluster_a_bounded_few_at_a_time() -> None:
    settings = load_settings()
    docs = [RawDocument(id=f"d{i}", text=f"Headline {i}\n\n{STORY}", source=f"d{i}")
            for i in range(40 * CHUNK)]
    read = 0

    def chunks() -> Iterator[list[Job]]:
        nonlocal read
        for start in range(0, len(docs), CHUNK):
            read += 1
            yield [Job(f"h{start + i}", d) for i, d in enumerate(docs[start:start + CHUNK])]

    ahead: list[int] = []
    completed: list[int] = []
    with DaskCluster(DaskTarget(workers=2), settings, fake_analyzer) as dask:
        assert dask.workers == 2
        sources = []
        for given, done in enumerate(dask.run(chunks(), completed.append)):
            ahead.append(read - given)
            sources += [o.source for o in done.outcomes]
    assert sources == [d.source for d in docs]  # in input order
    assert max(ahead) <= 2 * 2 and read == 40  # never more than 2 chunks a worker ahead
    assert sum(completed) == len(docs)  # the progress bar saw every document


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_S", 2.0)
    folder = corpus(tmp_path / "in", docs=2)
    with detente.open(tmp_path / "x.db") as db, pytest.raises(detente.DetenteError) as caught:
        ingest(opts(paths=[folder], dask="tcp://127.0.0.1:9"), db)
    assert "tcp://127.0.0.1:9" in str(caught.value) and "dask scheduler" in str(caught.value)


# -- with the model --------------------------------------------------------------------

@pytest.mark.model
@pytest.mark.slow
def test_the_sample_corpus_through_dask_gives_the_rows_of_a_local_j2_run(tmp_path: Path) -> None:
    from detente.demo import sample_files

    local, _ = run(IngestOptions(paths=sample_files(), jobs=2, progress=False), tmp_path / "l.db")
    dask, _ = run(IngestOptions(paths=sample_files(), dask="local:2", progress=False),
                  tmp_path / "d.db")
    assert dask.added == local.added > 80 and dask.workers == 2
    expected, got = dump(tmp_path / "l.db"), dump(tmp_path / "d.db")
    for table in ("articles", "events", "event_sources", "quotes", "entities", "clusters"):
        assert got[table] == expected[table], table
    assert got == expected
    assert json.dumps(dataclasses.asdict(dask)["failures"]) == json.dumps(
        dataclasses.asdict(local)["failures"])
