"""The analysing side of ingest: the analyzer, worker processes and chunks of jobs.

The analyzer comes from a factory (``Settings -> AnalyzerLike``); by default
detente's own :class:`detente.pipeline.Analyzer`. On Linux the parent builds it
once and forks the workers with it; elsewhere each spawned worker builds its own,
so there the factory must be picklable (a module-level function is).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import resource
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..model import RawDocument, Result
from ..settings import Settings
from ..store import dedup
from .sources import ErrorRecord

logger = logging.getLogger(__name__)


class AnalyzerLike(Protocol):
    """What ingest needs of an analyzer (``detente.pipeline.Analyzer`` is one)."""

    def analyze_many(
        self, items: Iterable[RawDocument | ErrorRecord]
    ) -> Iterator[Result | ErrorRecord]:
        """Results in input order; an input that fails yields an ErrorRecord."""
        ...

    def warm_up(self) -> None:
        """Load what the first document would otherwise load (model, lexicons)."""
        ...


AnalyzerFactory = Callable[[Settings], AnalyzerLike]


def default_analyzer(settings: Settings) -> AnalyzerLike:
    """detente's own analyzer, imported only here: a re-ingest with nothing new loads no model."""
    from ..pipeline import Analyzer

    return Analyzer(settings)


@dataclass
class Job:
    """One input to analyse, with its content hash."""

    hash: str
    raw: RawDocument


@dataclass
class Outcome:
    """What a worker made of one job: the typed result, or an error."""

    hash: str
    source: str
    result: Result | None = None
    error: str | None = None
    signature: bytes | None = None


@dataclass
class ChunkOutcome:
    outcomes: list[Outcome]
    pid: int
    peak_rss_mb: float


@dataclass
class _Loaded:
    """The analyzer of this process and what it was built from."""

    factory: AnalyzerFactory
    settings: Settings
    analyzer: AnalyzerLike


_LOADED: _Loaded | None = None


def init_worker(settings: Settings, factory: AnalyzerFactory) -> None:
    """Build this process's analyzer (a pool initializer where workers are spawned)."""
    global _LOADED
    analyzer = factory(settings)
    analyzer.warm_up()  # model, lexicons and indexes now, not inside the first task
    # What is loaded now lives as long as the process: keep it out of every later
    # garbage collection (the codebook and place index are ~0.5M objects).
    gc.freeze()
    _LOADED = _Loaded(factory, settings, analyzer)


def load_here(settings: Settings, factory: AnalyzerFactory) -> None:
    """Build the analyzer in this process unless the same one is built already."""
    if _LOADED is None or _LOADED.settings != settings or _LOADED.factory is not factory:
        init_worker(settings, factory)


def analyze_chunk(jobs: list[Job]) -> ChunkOutcome:
    """Analyse ``jobs`` with this process's analyzer (see :func:`load_here`)."""
    if _LOADED is None:
        raise RuntimeError("analyze_chunk before init_worker: no analyzer in this process")
    outcomes = []
    results = _LOADED.analyzer.analyze_many(j.raw for j in jobs)
    for job, item in zip(jobs, results, strict=True):
        if isinstance(item, ErrorRecord):
            outcomes.append(Outcome(job.hash, job.raw.source, error=item.error))
            continue
        sig = dedup.to_blob(dedup.signature(item.article.body))
        outcomes.append(Outcome(job.hash, job.raw.source, result=item, signature=sig))
    return ChunkOutcome(outcomes, os.getpid(), peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def run_chunks(
    chunks: Iterable[list[Job]], workers: int, settings: Settings, factory: AnalyzerFactory,
    pool: Any = None,
) -> Iterator[ChunkOutcome]:
    """Outcomes chunk by chunk, in input order; with one worker, in this process.

    ``chunks`` is read only as fast as the workers take it: at most ``2 * workers``
    chunks are in flight. ``pool``: workers started by :func:`start_pool` (else started here).
    """
    if workers <= 1:
        for chunk in chunks:
            load_here(settings, factory)  # only once there is work: a re-ingest loads no model
            yield analyze_chunk(chunk)
        return
    with pool or start_pool(workers, settings, factory) as running:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(running.apply_async(analyze_chunk, (chunk,)))
            while len(pending) >= 2 * workers:  # bounded: memory stays flat on big corpora
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def start_pool(workers: int, settings: Settings, factory: AnalyzerFactory) -> Any:
    """``workers`` processes ready to analyse.

    Where the platform forks (Linux), the analyzer is built here and the workers are
    forked with it: they start at once and share its pages, as spaCy's own
    ``nlp.pipe(n_process=...)`` workers do. Call this before any other thread starts
    (the progress bar's): a forked child has only the forking thread. The workers
    never touch the parent's SQLite handle and leave without closing it. Elsewhere
    each worker is spawned clean and builds the analyzer itself.
    """
    if CAN_FORK:
        load_here(settings, factory)
        return multiprocessing.get_context("fork").Pool(workers)
    context = multiprocessing.get_context("spawn")
    return context.Pool(workers, initializer=init_worker, initargs=(settings, factory))


CAN_FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
