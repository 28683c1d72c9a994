"""A batch never dies of one input: analysing side of ingest (issue 14).

An analyzer that raises (ValueError, RecursionError, MemoryError, KeyError) on chosen
documents costs only those documents; a worker process that dies (``os._exit``, as
when the out-of-memory killer takes it) neither hangs nor ends the run: the
documents of its chunk are tried once more alone, and one that kills its worker
again is reported failed. The NLP model is replaced by tests/ingest_helpers.py's
FakeAnalyzer, so these tests exercise the machinery, not the stages.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.ingest import workers
from detente.ingest.runner import IngestOptions, ingest
from detente.ingest.sources import ErrorRecord
from detente.model import RawDocument, Result
from detente.settings import Settings
from detente.store import Database
from ingest_helpers import STORY, FakeAnalyzer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# The marker in a document's text -> what the analyzer raises on it.
RAISES: dict[str, type[BaseException]] = {
    "RAISE_VALUE": ValueError, "RAISE_RECURSION": RecursionError,
    "RAISE_MEMORY": MemoryError, "RAISE_KEY": KeyError,
}


class RaisingAnalyzer(FakeAnalyzer):
    """Raises out of ``analyze_many`` (not an ErrorRecord) when a document carries a
    marker; ``EXIT_WORKER`` ends the process at once, as SIGKILL would;
    ``EXIT_ONCE:<path>`` does so only while ``path`` does not exist (and creates it)."""

    def analyze_many(
        self, items: Iterable[RawDocument | ErrorRecord]
    ) -> Iterator[Result | ErrorRecord]:
        for item in items:
            text = (item.text or "") if isinstance(item, RawDocument) else ""
            for marker, kind in RAISES.items():
                if marker in text:
                    raise kind(f"{marker} in {item.id}")
            _maybe_exit(text)
            yield from super().analyze_many([item])


def _maybe_exit(text: str) -> None:
    if "EXIT_WORKER" in text and os.getpid() != int(os.environ["TEST_PARENT_PID"]):
        os._exit(3)
    if "EXIT_ONCE:" in text:
        flag = Path(text.split("EXIT_ONCE:", 1)[1].split()[0])
        if not flag.exists():
            flag.write_text("died once")
            os._exit(4)


def raising_analyzer(settings: Any) -> RaisingAnalyzer:
    return RaisingAnalyzer(settings)


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), str(ROOT / "src")]))
    monkeypatch.setenv("TEST_PARENT_PID", str(os.getpid()))
    monkeypatch.setattr(workers, "_LOADED", None)


def opts(**given: Any) -> IngestOptions:
    base = IngestOptions(analyzer_factory=raising_analyzer, progress=False)
    return dataclasses.replace(base, **given)


def corpus(folder: Path, n: int, poison: dict[int, str]) -> Path:
    """``n`` distinct stories; document ``i`` in ``poison`` carries that marker."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = f"Headline {i}\n\n{STORY} Paragraph {i}.\nEVENT ASSAULT RUS UKR 2022-05-1{i % 9}\n"
        if i in poison:
            body += poison[i] + "\n"
        (folder / f"doc{i:03d}.txt").write_text(body, "utf-8")
    return folder


def stored_ids(db: Database) -> list[str]:
    return list(db.articles()["doc_id"])


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_exception_type_costs_only_its_document(tmp_path: Path, jobs: int) -> None:
    poison = {3: "RAISE_VALUE", 9: "RAISE_RECURSION", 17: "RAISE_MEMORY", 30: "RAISE_KEY"}
    folder = corpus(tmp_path / "in", 40, poison)
    with detente.open(tmp_path / "x.db") as db:
        summary = ingest(opts(paths=[folder], jobs=jobs), db)
        assert (summary.added, summary.failed) == (36, 4)
        assert stored_ids(db) == [f"doc{i:03d}.txt" for i in range(40) if i not in poison]
    reasons = {Path(f.source).name: f.reason for f in summary.failures}
    for i, marker in poison.items():
        name = f"doc{i:03d}.txt"
        assert name in reasons[name] and RAISES[marker].__name__ in reasons[name]
        assert "analysis failed" in reasons[name]


def test_a_chunk_is_redone_one_by_one_after_a_raise() -> None:
    jobs = [workers.Job(f"h{i}", RawDocument(id=f"d{i}", text=f"story {i}\n" + STORY
                                             + (" RAISE_KEY" if i == 2 else ""),
                                             source=f"s{i}")) for i in range(5)]
    workers.load_here(Settings(), raising_analyzer)
    done = workers.analyze_chunk(jobs)
    assert [o.hash for o in done.outcomes] == [f"h{i}" for i in range(5)]
    assert [o.error is None for o in done.outcomes] == [True, True, False, True, True]
    assert done.outcomes[2].error is not None and "KeyError" in done.outcomes[2].error


def test_a_dying_worker_neither_hangs_nor_ends_the_run(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in", 48, {13: "EXIT_WORKER"})
    started = time.monotonic()
    with detente.open(tmp_path / "k.db") as db:
        summary = ingest(opts(paths=[folder], jobs=2), db)
        assert summary.workers == 2
        assert (summary.added, summary.failed) == (47, 1)
        assert stored_ids(db) == [f"doc{i:03d}.txt" for i in range(48) if i != 13]
    assert time.monotonic() - started < 60
    reason = summary.failures[0].reason
    assert "doc013.txt" in reason and "died" in reason and "exit status 3" in reason


def test_a_document_whose_worker_died_once_is_retried(tmp_path: Path) -> None:
    flag = tmp_path / "died-once"
    folder = corpus(tmp_path / "in", 40, {21: f"EXIT_ONCE:{flag}"})
    with detente.open(tmp_path / "r.db") as db:
        summary = ingest(opts(paths=[folder], jobs=2), db)
        assert flag.exists()  # the worker did die
        assert (summary.added, summary.failed) == (40, 0)
        assert stored_ids(db) == [f"doc{i:03d}.txt" for i in range(40)]


def test_the_same_rows_as_one_process_after_a_worker_died(tmp_path: Path) -> None:
    flag = tmp_path / "died-once"
    folder = corpus(tmp_path / "in", 40, {5: f"EXIT_ONCE:{flag}"})
    with detente.open(tmp_path / "one.db") as one, detente.open(tmp_path / "two.db") as two:
        flag.write_text("not this time")  # the in-process run must not exit
        ingest(opts(paths=[folder], jobs=1), one)
        flag.unlink()
        ingest(opts(paths=[folder], jobs=2), two)
        columns = ["doc_id", "title", "body", "cluster_id"]
        assert one.articles(body=True)[columns].equals(two.articles(body=True)[columns])
        assert one.counts() == two.counts()


def broken_factory(settings: Any) -> FakeAnalyzer:
    raise ValueError("no model here")


@pytest.mark.slow
def test_a_spawned_worker_that_cannot_build_the_analyzer_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "CAN_FORK", False)
    folder = corpus(tmp_path / "in", 20, {})
    with detente.open(tmp_path / "b.db") as db, pytest.raises(detente.DetenteError) as caught:
        ingest(opts(paths=[folder], jobs=2, analyzer_factory=broken_factory), db)
    assert "could not build the analyzer" in str(caught.value)
    assert "no model here" in str(caught.value)
