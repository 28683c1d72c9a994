"""Corpus ingest: read inputs, skip what is stored, analyse in worker processes, store.

The parent reads every input and hashes it; inputs whose hash is already in the
database are skipped before any parsing, so re-ingesting a corpus is cheap.
The rest go in chunks to ``jobs`` worker processes that return plain records;
the parent is the single writer and commits each article in its own transaction,
so a killed run leaves only whole articles behind and a re-run picks up where it
stopped. On Linux the parent loads the model once and forks the workers with it
(they start at once and share its memory pages); elsewhere each worker is spawned
and loads the model itself.
"""

from __future__ import annotations

import functools
import gc
import importlib
import multiprocessing
import os
import resource
import shutil
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DetenteError
from ..model import RawDocument
from ..settings import Settings, load_settings
from ..store import Database, dedup
from .hashing import content_hash
from .sources import ErrorRecord, read_jsonl, read_path, validate
from .walk import kind_of, walk
from .warc import read_warc

# Documents per task sent to a worker: enough for nlp.pipe to batch, few enough that
# the workers finish together (the last chunk is the tail) and the progress bar moves.
CHUNK = 8


@dataclass
class Job:
    """One input to analyse, with its content hash."""

    hash: str
    raw: RawDocument


@dataclass
class Outcome:
    """What a worker made of one job: a contract result as a plain dict, or an error."""

    hash: str
    source: str
    result: dict[str, Any] | None = None
    error: str | None = None
    signature: bytes | None = None


@dataclass
class ChunkOutcome:
    outcomes: list[Outcome]
    pid: int
    peak_rss_mb: float


@dataclass
class Failure:
    source: str
    reason: str


@dataclass
class IngestSummary:
    """The end-of-run report."""

    seen: int = 0
    added: int = 0
    skipped: int = 0  # already stored (or repeated within the run)
    failed: int = 0
    new_events: int = 0
    merged_events: int = 0
    seconds: float = 0.0
    workers: int = 0
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # worker pid -> MB
    failures: list[Failure] = field(default_factory=list)

    def line(self) -> str:
        rate = self.added / self.seconds if self.seconds else 0.0
        peak = max(self.peak_rss_mb.values(), default=0.0)
        text = (
            f"{self.seen} inputs: {self.added} articles added, {self.skipped} already stored, "
            f"{self.failed} failed; events: {self.new_events} new, {self.merged_events} merged "
            f"into stored ones; {self.seconds:.1f}s"
        )
        if self.workers:
            text += (f" ({rate:.1f} articles/s) with {self.workers} worker(s), "
                     f"peak {peak:.0f} MB per worker")
        return text


@dataclass(frozen=True)
class IngestOptions:
    """What to ingest and how."""

    paths: Sequence[str | Path] = ()
    jsonl: Sequence[str | Path] = ()
    warc: Sequence[str | Path] = ()
    jobs: int | None = None  # worker processes; None: all cores
    progress: bool = True


# -- inputs --------------------------------------------------------------------------

def iter_inputs(options: IngestOptions) -> Iterator[RawDocument | ErrorRecord]:
    """Every input document in order: paths (files, folders), then JSONL, then WARC."""
    for path in options.paths:
        p = Path(path)
        files = walk(p) if p.is_dir() else [p]
        for file in files:
            yield from _read_file(file)
    for path in options.jsonl:
        yield from _guarded(str(path), functools.partial(read_jsonl, path))
    for path in options.warc:
        yield from _guarded(str(path), functools.partial(read_warc, path))


def _read_file(file: Path) -> Iterator[RawDocument | ErrorRecord]:
    kind = kind_of(file)
    if kind == "jsonl":
        yield from _guarded(str(file), lambda: read_jsonl(file))
    elif kind == "warc":
        yield from _guarded(str(file), lambda: read_warc(file))
    else:
        try:
            yield read_path(file)
        except DetenteError as exc:
            yield ErrorRecord(id=str(file), error=str(exc))


def _guarded(
    where: str, make: Callable[[], Iterable[RawDocument | ErrorRecord]]
) -> Iterator[RawDocument | ErrorRecord]:
    try:
        yield from make()
    except DetenteError as exc:
        yield ErrorRecord(id=where, error=str(exc))
    except OSError as exc:
        yield ErrorRecord(id=where, error=f"{where}: cannot read the file ({exc.strerror})")


# -- workers ---------------------------------------------------------------------------

_ANALYZER: Any = None


def init_worker(settings: Settings) -> None:
    """Pool initializer: load the model once per worker process.

    ``DETENTE_ANALYZER=module:factory`` swaps in another analyzer (``factory(settings)``
    returning an object with ``analyze_many``): the tests use it to run the ingest
    machinery without the NLP model.
    """
    global _ANALYZER
    custom = os.environ.get("DETENTE_ANALYZER")
    if custom:
        module, _, name = custom.partition(":")
        _ANALYZER = getattr(importlib.import_module(module), name)(settings)
        return
    from ..pipeline import Analyzer

    _ANALYZER = Analyzer(settings)
    _ANALYZER.warm_up()  # model, lexicons and indexes now, not inside the first task
    # What is loaded now lives as long as the process: keep it out of every later
    # garbage collection (the codebook and place index are ~0.5M objects).
    gc.freeze()


def analyze_chunk(jobs: list[Job]) -> ChunkOutcome:
    """Analyse ``jobs`` in this process; results come back as plain dicts."""
    outcomes = []
    for job, item in zip(jobs, _ANALYZER.analyze_many(j.raw for j in jobs), strict=True):
        if isinstance(item, ErrorRecord):
            outcomes.append(Outcome(job.hash, job.raw.source, error=item.error))
            continue
        sig = dedup.to_blob(dedup.signature(item.article.body))
        outcomes.append(Outcome(job.hash, job.raw.source, result=item.to_dict(), signature=sig))
    return ChunkOutcome(outcomes, os.getpid(), _peak_rss_mb())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def run_chunks(
    chunks: Iterable[list[Job]], workers: int, settings: Settings, pool: Any = None
) -> Iterator[ChunkOutcome]:
    """Outcomes chunk by chunk, in input order; with one worker, in this process.

    ``pool``: workers started by :func:`start_pool` (else started here).
    """
    if workers <= 1:
        for chunk in chunks:
            _load_here(settings)  # only once there is work: a re-ingest loads no model
            yield analyze_chunk(chunk)
        return
    with pool or start_pool(workers, settings) as running:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(running.apply_async(analyze_chunk, (chunk,)))
            while len(pending) >= 2 * workers:  # bounded: memory stays flat on big corpora
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def start_pool(workers: int, settings: Settings) -> Any:
    """``workers`` processes ready to analyse.

    Where the platform forks (Linux), the model is loaded here and the workers are
    forked with it: they start at once and share its pages, as spaCy's own
    ``nlp.pipe(n_process=...)`` workers do. Call this before any other thread starts
    (the progress bar's): a forked child has only the forking thread. The workers
    never touch the parent's SQLite handle and leave without closing it. Elsewhere
    each worker is spawned clean and loads the model itself.
    """
    if _CAN_FORK:
        _load_here(settings)
        return multiprocessing.get_context("fork").Pool(workers)
    context = multiprocessing.get_context("spawn")
    return context.Pool(workers, initializer=init_worker, initargs=(settings,))


_CAN_FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _load_here(settings: Settings) -> None:
    if _ANALYZER is None or getattr(_ANALYZER, "settings", None) != settings:
        init_worker(settings)


# -- the run ---------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan(
    items: Iterable[RawDocument | ErrorRecord], known: set[str], summary: IngestSummary,
    settings: Settings,
) -> list[Job]:
    """Hash every input; keep those not stored yet (and not repeated), record failures.

    Empty, binary and oversized inputs are refused here, before any worker sees them.
    """
    jobs: list[Job] = []
    for item in items:
        summary.seen += 1
        if isinstance(item, ErrorRecord):
            summary.failures.append(Failure(item.id, item.error))
            continue
        digest = content_hash(item)
        if digest in known:
            summary.skipped += 1
            continue
        try:
            validate(item, settings)
        except DetenteError as exc:
            summary.failures.append(Failure(item.source, str(exc)))
            continue
        known.add(digest)
        jobs.append(Job(digest, item))
    summary.failed = len(summary.failures)
    return jobs


def chunked(jobs: list[Job], workers: int) -> list[list[Job]]:
    """``jobs`` in input order as chunks of ``CHUNK``; with several workers the last
    ``workers * CHUNK`` in chunks a quarter that size, so that they run out of work together."""
    if workers <= 1:
        return [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    head = max(0, len(jobs) - workers * CHUNK) // CHUNK * CHUNK
    small = max(1, CHUNK // 4)
    return ([jobs[i : i + CHUNK] for i in range(0, head, CHUNK)]
            + [jobs[i : i + small] for i in range(head, len(jobs), small)])


def ingest(
    options: IngestOptions, db: Database, settings: Settings | None = None,
    report: Callable[[Failure], None] | None = None,
) -> IngestSummary:
    """Ingest ``options``' inputs into ``db``; bad inputs are reported and skipped."""
    settings = settings or load_settings()
    started = time.perf_counter()
    summary = IngestSummary()
    jobs = plan(iter_inputs(options), db.known_hashes(), summary, settings)
    for failure in summary.failures:
        if report:
            report(failure)
    whole_chunks = -(-len(jobs) // CHUNK)
    summary.workers = max(1, min(options.jobs or default_jobs(), whole_chunks)) if jobs else 0
    chunks = chunked(jobs, summary.workers)
    # The workers first, the progress bar (a thread) after: see start_pool.
    pool = start_pool(summary.workers, settings) if summary.workers > 1 else None
    bar = _progress(len(jobs), options.progress)
    try:
        for done in run_chunks(chunks, summary.workers, settings, pool):
            summary.peak_rss_mb[done.pid] = done.peak_rss_mb
            for outcome in done.outcomes:
                _store(db, outcome, summary, report)
            bar.update(len(done.outcomes))
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()  # already done where run_chunks ran to its end
    summary.seconds = time.perf_counter() - started
    return summary


def _store(
    db: Database, outcome: Outcome, summary: IngestSummary, report: Callable[[Failure], None] | None
) -> None:
    if outcome.result is None:
        failure = Failure(outcome.source, outcome.error or "analysis failed")
        summary.failed += 1
        summary.failures.append(failure)
        if report:
            report(failure)
        return
    sig = dedup.from_blob(outcome.signature) if outcome.signature else None
    written = db.add(outcome.result, content_hash=outcome.hash, source=outcome.source, signature=sig)
    if written is None:
        summary.skipped += 1
        return
    summary.added += 1
    summary.new_events += written.new_events
    summary.merged_events += written.merged_events


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    # shutil falls back to 100 columns where the terminal reports none (tqdm would print nothing).
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    return tqdm(
        total=total, unit="article", file=sys.stderr, disable=not enabled or total == 0,
        ncols=width, smoothing=0.1,
    )
