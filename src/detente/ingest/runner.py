"""Corpus ingest: read inputs as they are needed, skip what is stored, analyse, store.

Inputs are read lazily, one at a time, and hashed as they are read; one whose hash
is stored already (a database look-up) or queued earlier in the run is skipped
before any parsing, so re-ingesting a corpus is cheap. The rest go in chunks to
``jobs`` worker processes, read only a few chunks ahead of the writer: the parent's
memory does not grow with the corpus. Workers send back typed results; the parent
is the single writer and commits each article in its own transaction, so a killed
run leaves only whole articles behind and a re-run picks up where it stopped. On
Linux the parent builds the analyzer once and forks the workers with it (they start
at once and share its memory pages); elsewhere each worker is spawned and builds
its own (see ``workers``).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DetenteError
from ..model import RawDocument
from ..settings import Settings, load_settings
from ..store import Database, dedup
from . import workers
from .hashing import content_hash
from .sources import ErrorRecord, read_jsonl, read_path, validate
from .walk import kind_of, walk
from .warc import read_warc

if TYPE_CHECKING:
    from .fetch import FetchOptions
from .workers import AnalyzerFactory, ChunkOutcome, Job, Outcome, run_chunks, start_pool

logger = logging.getLogger(__name__)

__all__ = ["CHUNK", "Failure", "IngestOptions", "IngestSummary", "Job", "chunked", "ingest",
           "ingest_items", "iter_inputs"]

# Documents per task sent to a worker: enough for nlp.pipe to batch, few enough that
# the workers finish together (the last chunk is the tail) and the progress bar moves.
CHUNK = 8


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
    # Builds the analyzer from the settings; None: detente's own (detente.pipeline.Analyzer).
    # Where workers are spawned rather than forked it must pickle: a module-level function.
    analyzer_factory: AnalyzerFactory | None = None
    # Fetched over HTTP(S) after the local inputs: RSS/Atom feeds or sitemaps, and pages
    # (``detente.ingest.fetch``); a URL already stored is not fetched again.
    feeds: Sequence[str] = ()
    urls: Sequence[str] = ()
    fetch: FetchOptions | None = None  # None: FetchOptions() (private addresses refused)
    # Analyse on a Dask cluster instead of local worker processes: "local", "local:N"
    # or "tcp://HOST:PORT" (``detente.ingest.cluster``); ``jobs`` is then not used.
    dask: str | None = None


# -- inputs --------------------------------------------------------------------------

def iter_inputs(
    options: IngestOptions, settings: Settings | None = None
) -> Iterator[RawDocument | ErrorRecord]:
    """Every input document in order, read as it is asked for: paths (files, folders),
    then JSONL, then WARC. Whatever goes wrong reading one input becomes its
    ErrorRecord and the rest go on (see ``_guarded``)."""
    settings = settings or load_settings()
    for path in options.paths:
        p = Path(path)
        files = walk(p) if p.is_dir() else [p]
        for file in files:
            yield from _read_file(file, settings)
    for path in options.jsonl:
        yield from _guarded(str(path), functools.partial(read_jsonl, path, settings))
    for path in options.warc:
        yield from _guarded(str(path), functools.partial(read_warc, path, settings))


def _read_file(file: Path, settings: Settings) -> Iterator[RawDocument | ErrorRecord]:
    kind = kind_of(file)
    if kind == "jsonl":
        yield from _guarded(str(file), functools.partial(read_jsonl, file, settings))
    elif kind == "warc":
        yield from _guarded(str(file), functools.partial(read_warc, file, settings))
    else:
        yield from _guarded(str(file), lambda: [read_path(file, settings)])


def _guarded(
    where: str, make: Callable[[], Iterable[RawDocument | ErrorRecord]]
) -> Iterator[RawDocument | ErrorRecord]:
    """What ``make`` yields; an exception of any kind while reading becomes one last
    ErrorRecord for ``where`` (what came before it stands)."""
    try:
        yield from make()
    except DetenteError as exc:
        yield ErrorRecord(id=where, error=str(exc))
    except OSError as exc:
        yield ErrorRecord(id=where, error=f"{where}: cannot read the file ({exc.strerror or exc})")
    except Exception as exc:  # a bug or a hostile file must not end the batch
        logger.debug("reading %s failed", where, exc_info=True)
        yield ErrorRecord(id=where, error=f"{where}: cannot read the file ({exc!r}); skipped")


# -- the queue -------------------------------------------------------------------------

@dataclass
class Seen:
    """Which inputs to skip without analysing them.

    Stored ones are asked of the database (an index look-up), so nothing here grows
    with the corpus. ``held`` has this run's inputs that are not stored: queued or
    in flight (as many as the queue holds) and those whose analysis failed.
    """

    db: Database
    held: set[str] = field(default_factory=set)

    def skips(self, digest: str) -> bool:
        return digest in self.held or self.db.is_stored(digest)


def read_jobs(
    items: Iterable[RawDocument | ErrorRecord], seen: Seen, settings: Settings,
    summary: IngestSummary, report: Callable[[Failure], None],
) -> Iterator[Job]:
    """``items`` as jobs, one at a time: hashed, skipped when stored or repeated, and
    refused (reported) when empty, binary or oversized, before any worker sees them."""
    for item in items:
        summary.seen += 1
        if isinstance(item, ErrorRecord):
            _fail(Failure(item.id, item.error), summary, report)
            continue
        digest = content_hash(item)
        if seen.skips(digest):
            summary.skipped += 1
            continue
        try:
            validate(item, settings)
        except DetenteError as exc:
            _fail(Failure(item.source, str(exc)), summary, report)
            continue
        except Exception as exc:  # one strange input must not end the batch
            _fail(Failure(item.source, f"{item.source}: cannot check the input ({exc!r})"),
                  summary, report)
            continue
        seen.held.add(digest)
        yield Job(digest, item)


def chunked(jobs: Iterable[Job], workers: int) -> Iterator[list[Job]]:
    """``jobs`` in input order as chunks of ``CHUNK``, made as they are asked for; with
    several workers the last ``workers * CHUNK`` come in chunks a quarter that size, so
    that the workers run out of work together. Holds at most ``(workers + 1) * CHUNK``
    jobs back to find that tail."""
    if workers <= 1:
        stream = iter(jobs)
        while chunk := list(islice(stream, CHUNK)):
            yield chunk
        return
    tail = workers * CHUNK
    held: deque[Job] = deque()
    for job in jobs:
        held.append(job)
        if len(held) >= tail + CHUNK:  # these CHUNK are surely not in the tail
            yield [held.popleft() for _ in range(CHUNK)]
    small = max(1, CHUNK // 4)
    while held:
        yield [held.popleft() for _ in range(min(small, len(held)))]


# -- the run ---------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def ingest(
    options: IngestOptions, db: Database, settings: Settings | None = None,
    report: Callable[[Failure], None] | None = None,
) -> IngestSummary:
    """Ingest ``options``' inputs into ``db``; bad inputs are reported and skipped."""
    settings = settings or load_settings()
    items: Iterator[RawDocument | ErrorRecord] = iter_inputs(options, settings)
    if options.feeds or options.urls:
        items = chain(items, fetched(options, db))
    return ingest_items(items, db, options, settings, report)


def fetched(options: IngestOptions, db: Database) -> Iterator[RawDocument | ErrorRecord]:
    """The pages of ``options``' feeds and URLs that ``db`` does not hold yet, fetched
    one at a time as the workers need them."""
    from .fetch import FetchOptions, fetch_inputs

    # fetched pages are stored with their URL as doc_id
    yield from fetch_inputs(options.feeds, options.urls, options.fetch or FetchOptions(),
                            known=db.has_document)


def ingest_items(
    items: Iterable[RawDocument | ErrorRecord], db: Database,
    options: IngestOptions | None = None, settings: Settings | None = None,
    report: Callable[[Failure], None] | None = None,
) -> IngestSummary:
    """Ingest ``items`` (read as the workers need them) into ``db``, as ``options`` says
    (its jobs, progress and analyzer; not its paths)."""
    options = options or IngestOptions()
    settings = settings or load_settings()
    factory = options.analyzer_factory or workers.default_analyzer
    started = time.perf_counter()
    summary = IngestSummary()
    seen = Seen(db)
    say = _Reporter(report)
    jobs = read_jobs(items, seen, settings, summary, say)
    store = functools.partial(_store_chunk, db, seen, summary, say)
    if options.dask:
        _on_dask(jobs, options.dask, options.progress, settings, factory, summary, say, store)
    else:
        _on_pool(jobs, options, settings, factory, summary, say, store)
    summary.seconds = time.perf_counter() - started
    return summary


def _on_pool(
    jobs: Iterator[Job], options: IngestOptions, settings: Settings, factory: AnalyzerFactory,
    summary: IngestSummary, say: _Reporter, store: Callable[[ChunkOutcome], None],
) -> None:
    """Analyse ``jobs`` in this machine's worker processes (``options.jobs``)."""
    wanted = max(1, options.jobs or default_jobs())
    # Enough jobs to know how many workers get work (none: no analyzer is built).
    first = list(islice(jobs, (wanted - 1) * CHUNK + 1))
    summary.workers = min(wanted, -(-len(first) // CHUNK))
    chunks = chunked(chain(first, jobs), summary.workers)
    # The workers first, the progress bar (a thread) after: see workers.start_pool.
    pool = start_pool(summary.workers, settings, factory) if summary.workers > 1 else None
    bar = say.bar = _progress(options.progress and summary.workers > 0)
    try:
        for done in run_chunks(chunks, summary.workers, settings, factory, pool):
            store(done)
            bar.update(len(done.outcomes))
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()  # already done where run_chunks ran to its end


def _on_dask(
    jobs: Iterator[Job], spec: str, progress: bool, settings: Settings,
    factory: AnalyzerFactory, summary: IngestSummary, say: _Reporter,
    store: Callable[[ChunkOutcome], None],
) -> None:
    """Analyse ``jobs`` on the Dask cluster ``spec`` (see ``cluster``); stored here, in
    input order. No cluster is started or reached when nothing needs analysing."""
    from . import cluster

    target = cluster.parse_target(spec)
    wanted = 1 if target.address else (target.workers or default_jobs())
    first = list(islice(jobs, (wanted - 1) * CHUNK + 1))
    if not first:
        return
    local_workers = None if target.address else min(wanted, -(-len(first) // CHUNK))
    with cluster.DaskCluster(target, settings, factory, local_workers) as dask:
        summary.workers = dask.workers
        bar = say.bar = _progress(progress)
        try:  # the bar follows the chunks completed on the cluster
            for done in dask.run(chunked(chain(first, jobs), dask.workers), bar.update):
                store(done)
        finally:
            bar.close()


def _store_chunk(
    db: Database, seen: Seen, summary: IngestSummary, report: Callable[[Failure], None],
    done: ChunkOutcome,
) -> None:
    summary.peak_rss_mb[done.pid] = done.peak_rss_mb
    for outcome in done.outcomes:
        _store(db, outcome, seen, summary, report)


def _store(
    db: Database, outcome: Outcome, seen: Seen, summary: IngestSummary,
    report: Callable[[Failure], None],
) -> None:
    if outcome.result is None:
        # Its hash stays held: a repeat later in the run is skipped, not analysed again.
        _fail(Failure(outcome.source, outcome.error or "analysis failed"), summary, report)
        return
    sig = dedup.from_blob(outcome.signature) if outcome.signature else None
    written = db.add(outcome.result, content_hash=outcome.hash, source=outcome.source, signature=sig)
    seen.held.discard(outcome.hash)  # stored: the database answers for it from now on
    if written is None:
        summary.skipped += 1
        return
    summary.added += 1
    summary.new_events += written.new_events
    summary.merged_events += written.merged_events


def _fail(failure: Failure, summary: IngestSummary, report: Callable[[Failure], None]) -> None:
    summary.failed += 1
    summary.failures.append(failure)
    report(failure)


class _Reporter:
    """Hands failures to the caller's ``report`` (if any), clearing the progress bar
    around it so that the two do not print over each other."""

    def __init__(self, report: Callable[[Failure], None] | None) -> None:
        self.report = report
        self.bar: Any = None

    def __call__(self, failure: Failure) -> None:
        if self.report is None:
            return
        if self.bar is None or self.bar.disable:
            self.report(failure)
            return
        with self.bar.external_write_mode(file=sys.stderr):
            self.report(failure)


def _progress(enabled: bool) -> Any:
    from tqdm import tqdm

    # shutil falls back to 100 columns where the terminal reports none (tqdm would print nothing).
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    # No total: the inputs are counted as they are read, not before.
    return tqdm(unit="article", file=sys.stderr, disable=not enabled, ncols=width, smoothing=0.1)
