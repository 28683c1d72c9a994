"""Kill and resume (issue 14): twenty SIGKILLs at random moments of an ingest.

Each trial starts a real ingest in a separate process (two worker processes, the
model-free FakeAnalyzer of tests/ingest_helpers.py, a small delay per document so that
a run lasts about a second), kills the whole process group with SIGKILL at a random
moment (before the store exists, while it is migrated, or between and during article
transactions), checks ``PRAGMA integrity_check``, resumes the ingest to its end and
compares every row of every table with an uninterrupted reference run.

What the store guarantees (``store/writer.py``): the parent is the only writer, in
input order, one transaction per article; a killed transaction rolls back with its
row ids, so the resumed store has the same rows *and* the same ids as the reference.
Only ``added_at`` (wall-clock) differs and is left out of the comparison.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.ingest import workers
from detente.ingest.runner import IngestOptions, ingest
from detente.store import TABLES
from ingest_helpers import event_corpus, fake_analyzer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TRIALS = 20
DOCS = 48


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), str(ROOT / "src")]))
    monkeypatch.setattr(workers, "_LOADED", None)


def corpus(folder: Path) -> Path:
    """Text dumps with events (some repeated: merged), near-copies (clustered), a bad one."""
    return event_corpus(folder, DOCS)


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in rowid order, less the wall-clock columns."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in (*TABLES, "minhash_bands", "schema_version"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                    if r[1] not in ("added_at", "applied_at")]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def articles(path: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=1)) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


FAKE = "from ingest_helpers import fake_analyzer as factory"
MODEL = "from detente.ingest.workers import default_analyzer as factory"
INGEST = (
    "import sys, detente; from detente.ingest.runner import IngestOptions, ingest;"
    " {factory};"
    " db = detente.open(sys.argv[2]);"
    " ingest(IngestOptions(paths=[sys.argv[1]], jobs=int(sys.argv[3]), progress=False,"
    " analyzer_factory=factory), db)"
)


class Ingest:
    """An ingest of ``folder`` into ``db`` in a process (and session) of its own:
    ``python -c`` (the full start-up: imports, then the store), or forked from this
    process (the modules already imported: the trial reaches the store at once)."""

    def __init__(self, folder: Path, db: Path, jobs: int, *, fork: bool,
                 factory: str = FAKE, delay: str = "0.015") -> None:
        if fork:
            self.pid = _forked_ingest(folder, db, jobs, delay)
            return
        env = {**os.environ, "DETENTE_FAKE_DELAY": delay}
        code = INGEST.format(factory=factory)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(folder), str(db), str(jobs)], env=env,
            start_new_session=True, stderr=subprocess.DEVNULL)
        self.pid = self.proc.pid

    def running(self) -> bool:
        if hasattr(self, "proc"):
            return self.proc.poll() is None
        done, _ = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self.pid = -1
        return not done

    def kill(self) -> None:
        """SIGKILL the ingest and its workers (its own process group: nothing else)."""
        if self.pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        if hasattr(self, "proc"):
            self.proc.wait(timeout=30)
        elif self.pid > 0:
            os.waitpid(self.pid, 0)


def _forked_ingest(folder: Path, db: Path, jobs: int, delay: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: never returns into pytest
        os.setsid()
        os.environ["DETENTE_FAKE_DELAY"] = delay
        workers._LOADED = None  # this process's analyzer has no delay: build one that has
        with detente.open(db) as store:
            ingest(IngestOptions(paths=[folder], jobs=jobs, progress=False,
                                 analyzer_factory=fake_analyzer), store)
    finally:
        os._exit(0)


def moment(rng: random.Random, trial: int) -> tuple[str, float, int]:
    """When to kill: early (start-up, opening and migrating the store), or once a random
    number of articles is stored plus a random few milliseconds (inside the next
    article's transaction or between two)."""
    if trial % 4 == 0:
        return "time", rng.uniform(0.0, 0.08), 0
    return "articles", rng.uniform(0.0, 0.02), rng.randint(1, DOCS - 2)


def run_until(run: Ingest, db: Path, when: tuple[str, float, int], wait: float = 30) -> None:
    kind, pause, stored = when
    deadline = time.monotonic() + wait
    if kind == "articles":
        while run.running() and articles(db) < stored and time.monotonic() < deadline:
            time.sleep(0.003)
    time.sleep(pause)


def test_twenty_sigkills_each_resumed_give_the_rows_of_an_uninterrupted_run(
    tmp_path: Path
) -> None:
    folder = corpus(tmp_path / "in")
    reference = tmp_path / "reference.db"
    options = IngestOptions(paths=[folder], jobs=1, progress=False, analyzer_factory=fake_analyzer)
    with detente.open(reference) as db:
        summary = ingest(options, db)
    assert (summary.added, summary.failed) == (DOCS, 1)
    expected = dump(reference)

    seed = int(os.environ.get("DETENTE_KILL_SEED", random.randrange(10**6)))
    rng = random.Random(seed)  # DETENTE_KILL_SEED=<seed> replays a run's moments
    killed_at: list[int] = []
    started = time.monotonic()
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}.db"
        run = Ingest(folder, db, jobs=1 + trial % 2, fork=trial % 5 != 0)
        run_until(run, db, moment(rng, trial))
        finished_first = not run.running()
        run.kill()
        if db.exists():
            assert integrity(db) == "ok", f"trial {trial} (seed {seed}): damaged after SIGKILL"
        killed_at.append(articles(db) if db.exists() else -1)
        with detente.open(db) as store:
            resumed = ingest(options, store)
            assert store.integrity() == "ok"
        assert dump(db) == expected, f"trial {trial} (seed {seed}): rows differ after the resume"
        assert resumed.added == DOCS - max(killed_at[-1], 0) or finished_first
    seconds = time.monotonic() - started
    print(f"{TRIALS} kill-and-resume trials (seed {seed}) in {seconds:.1f} s; articles stored when "
          f"killed: {killed_at}")
    assert len([k for k in killed_at if 0 < k < DOCS]) >= TRIALS // 2  # most killed mid-run


@pytest.mark.model
@pytest.mark.slow
def test_a_sigkill_in_an_ingest_with_the_model_then_a_resume(tmp_path: Path) -> None:
    from detente.demo import sample_files

    jsonl = next(f for f in sample_files() if f.suffix == ".jsonl")
    folder = tmp_path / "in"
    folder.mkdir()
    lines = jsonl.read_text("utf-8").splitlines()[:24]  # enough that a kill lands mid-run
    for i, line in enumerate(lines):
        record = json.loads(line)
        (folder / f"doc{i:02d}.txt").write_text(record.get("text") or "", "utf-8")
    reference = tmp_path / "reference.db"
    options = IngestOptions(paths=[folder], jobs=1, progress=False)
    with detente.open(reference) as db:
        assert ingest(options, db).added == len(lines)
    killed = tmp_path / "killed.db"
    run = Ingest(folder, killed, jobs=1, fork=False, factory=MODEL)
    run_until(run, killed, ("articles", random.uniform(0.0, 0.1), random.randint(1, 6)), 120)
    run.kill()
    assert integrity(killed) == "ok"
    stored = articles(killed)
    assert stored < len(lines), "the run ended before it could be killed"
    with detente.open(killed) as store:
        assert ingest(options, store).added == len(lines) - stored
    assert dump(killed) == dump(reference)
