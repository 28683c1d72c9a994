"""The analysing side of ingest: the analyzer, worker processes and chunks of jobs.

The analyzer comes from a factory (``Settings -> AnalyzerLike``); by default
detente's own :class:`detente.pipeline.Analyzer`. On Linux the parent builds it
once and forks the workers with it; elsewhere each spawned worker builds its own,
so there the factory must be picklable (a module-level function is).

A batch never dies of one input: an exception while analysing a document (any type)
becomes that document's failed Outcome; a worker process that dies (killed for
memory, a crash in native code) is replaced, the documents of its chunk are tried
once more one by one, and one that kills its worker again is reported failed.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import resource
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import DetenteError
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
    """Analyse ``jobs`` with this process's analyzer (see :func:`load_here`).

    Nothing one document does escapes: if the analyzer raises (any exception type)
    part-way through the chunk, the jobs it had not answered are analysed again one at
    a time, and the one that raises again gets a failed Outcome.
    """
    if _LOADED is None:
        raise RuntimeError("analyze_chunk before init_worker: no analyzer in this process")
    analyzer = _LOADED.analyzer
    outcomes: list[Outcome] = []
    try:
        for item in analyzer.analyze_many(j.raw for j in jobs):
            if len(outcomes) == len(jobs):
                logger.warning("the analyzer gave more results than inputs: extra ones ignored")
                break
            outcomes.append(_outcome(jobs[len(outcomes)], item))
    except Exception as exc:  # whatever its type: find the document it was
        if getattr(analyzer, "strict", False) is True:
            raise  # --strict: a stage's error stops the run
        logger.warning("a chunk of %d failed at document %d (%r): the rest one by one",
                       len(jobs), len(outcomes) + 1, exc)
    outcomes.extend(_alone(analyzer, job) for job in jobs[len(outcomes):])
    return ChunkOutcome(outcomes, os.getpid(), peak_rss_mb())


def _outcome(job: Job, item: Result | ErrorRecord) -> Outcome:
    if isinstance(item, ErrorRecord):
        return Outcome(job.hash, job.raw.source, error=item.error)
    sig = dedup.to_blob(dedup.signature(item.article.body))
    return Outcome(job.hash, job.raw.source, result=item, signature=sig)


def _alone(analyzer: AnalyzerLike, job: Job) -> Outcome:
    """``job`` analysed on its own; a failed Outcome if the analyzer raises."""
    try:
        items = list(analyzer.analyze_many([job.raw]))
        if len(items) != 1:
            raise RuntimeError(f"the analyzer gave {len(items)} results for one input")
        return _outcome(job, items[0])
    except Exception as exc:  # one document's failure, whatever its type
        if getattr(analyzer, "strict", False) is True:
            raise
        logger.warning("%s: analysis failed: %r", job.raw.source, exc)
        return Outcome(job.hash, job.raw.source, error=failure_message(job.raw.source, exc))


def failure_message(source: str, exc: BaseException) -> str:
    """What a job's failed Outcome says when analysing it raised ``exc``."""
    detail = repr(exc)
    if len(detail) > 300:
        detail = detail[:300] + "..."
    return (f"{source}: analysis failed ({detail}); the document was skipped and the "
            "others were analysed: please report it with the document")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def run_chunks(
    chunks: Iterable[list[Job]], workers: int, settings: Settings, factory: AnalyzerFactory,
    pool: WorkerPool | None = None,
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
        yield from running.run(chunks)


def start_pool(workers: int, settings: Settings, factory: AnalyzerFactory) -> WorkerPool:
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
    return WorkerPool(workers, settings, factory, fork=CAN_FORK)


CAN_FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


# -- the worker pool -------------------------------------------------------------------

@dataclass
class _Task:
    """Jobs sent to one worker: a chunk, or one document of a chunk retried alone."""

    seq: int  # the chunk's place in the input
    first: int  # where ``jobs`` start within the chunk
    jobs: list[Job]
    retry: bool = False  # its first worker died: this is its second and last try


@dataclass
class _Gathered:
    """A chunk's outcomes as they come back (a retried chunk comes back in parts)."""

    outcomes: list[Outcome | None]
    pid: int = 0
    peak_rss_mb: float = 0.0

    def put(self, first: int, outcomes: list[Outcome], pid: int, peak: float) -> None:
        self.outcomes[first:first + len(outcomes)] = outcomes
        self.pid, self.peak_rss_mb = pid, max(peak, self.peak_rss_mb)

    @property
    def complete(self) -> bool:
        return all(o is not None for o in self.outcomes)

    def chunk_outcome(self) -> ChunkOutcome:
        return ChunkOutcome([o for o in self.outcomes if o is not None], self.pid,
                            self.peak_rss_mb)


@dataclass
class _Broken:
    """A spawned worker's message that it could not build the analyzer."""

    message: str


@dataclass
class _Slot:
    """One worker process, its end of the pipe, and the task it is working on."""

    process: Any
    conn: Any
    task: _Task | None = None


class WorkerPool:
    """Worker processes, each sent one task at a time over a pipe of its own.

    The parent waits on every busy worker's pipe and on its process sentinel at once,
    so a worker that dies (the out-of-memory killer, a crash in native code) is seen
    at once and replaced instead of hanging the run: each document of its chunk is
    tried once more alone, and one whose worker dies again is reported failed.
    """

    def __init__(self, workers: int, settings: Settings, factory: AnalyzerFactory, *,
                 fork: bool) -> None:
        self.settings, self.factory, self.fork = settings, factory, fork
        self.context: Any = multiprocessing.get_context("fork" if fork else "spawn")
        self.peaks: dict[int, float] = {}
        self.slots = [self._start() for _ in range(workers)]

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.terminate()

    def _start(self) -> _Slot:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_serve, args=(theirs, self.settings, self.factory, not self.fork), daemon=True,
            name="detente-worker",
        )
        process.start()
        theirs.close()
        return _Slot(process, mine)

    def terminate(self) -> None:
        """Stop every worker now (what they are doing is dropped)."""
        for slot in self.slots:
            slot.conn.close()
            if slot.process.is_alive():
                slot.process.terminate()
        for slot in self.slots:
            slot.process.join(timeout=5)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=5)

    def run(self, chunks: Iterable[list[Job]]) -> Iterator[ChunkOutcome]:
        """Each chunk's outcomes, in input order; at most two chunks per worker are
        read ahead of the one the caller waits for."""
        state = _Run(iter(chunks), 2 * len(self.slots))
        while True:
            state.read_ahead()
            # Idle workers get their next chunk first, so that they analyse while the
            # caller stores what is done (not after).
            self._assign(state)
            if state.head_complete():
                yield state.pop_head()
                continue
            if state.finished():
                return
            self._wait(state)

    def _assign(self, state: _Run) -> None:
        for slot in self.slots:
            if slot.task is None and state.queue:
                slot.task = state.queue.popleft()
                try:
                    slot.conn.send(slot.task.jobs)
                except OSError:
                    pass  # the worker died: its sentinel says so in _wait
                except Exception as exc:  # a job that does not pickle: its chunk fails
                    self._fail(slot.task, state, f"cannot be sent to a worker ({exc!r})", 0)
                    slot.task = None

    def _wait(self, state: _Run) -> None:
        busy = [slot for slot in self.slots if slot.task is not None]
        if not busy:  # pragma: no cover - _assign gives every queued task a worker
            raise RuntimeError("nothing to wait for: the worker pool lost track of its tasks")
        ready = set(multiprocessing.connection.wait(
            [s.conn for s in busy] + [s.process.sentinel for s in busy]))
        for slot in busy:
            if slot.conn in ready or slot.process.sentinel in ready:
                self._collect(slot, state)

    def _collect(self, slot: _Slot, state: _Run) -> None:
        task = slot.task
        assert task is not None
        try:
            message = slot.conn.recv() if slot.conn.poll() else None
        except (EOFError, OSError):
            message = None
        if message is None and slot.process.is_alive():
            return  # woken by nothing yet: keep waiting for it
        slot.task = None
        if isinstance(message, ChunkOutcome):
            self.peaks[message.pid] = message.peak_rss_mb
            state.gathered[task.seq].put(task.first, message.outcomes, message.pid,
                                         message.peak_rss_mb)
        elif isinstance(message, _Broken):
            raise DetenteError(message.message)
        else:
            self._died(slot, task, state)

    def _died(self, slot: _Slot, task: _Task, state: _Run) -> None:
        """``slot``'s worker died on ``task``: start another; retry or fail its jobs."""
        slot.process.join(timeout=5)
        pid, why = slot.process.pid, _death(slot.process.exitcode)
        logger.warning("worker %s died (%s) on %d document(s)", pid, why, len(task.jobs))
        slot.conn.close()
        self.slots[self.slots.index(slot)] = self._start()
        if task.retry:
            self._fail(task, state, f"the worker process analysing it died ({why}) twice", pid)
            return
        retries = [_Task(task.seq, task.first + i, [job], retry=True)
                   for i, job in enumerate(task.jobs)]
        state.queue.extendleft(reversed(retries))  # first: the caller waits for them

    def _fail(self, task: _Task, state: _Run, why: str, pid: int) -> None:
        outcomes = [Outcome(job.hash, job.raw.source, error=(
            f"{job.raw.source}: {why}; the document was skipped and the run went on "
            "(if the worker was killed for memory, split the document or lower "
            "max_input_chars)")) for job in task.jobs]
        state.gathered[task.seq].put(task.first, outcomes, pid, self.peaks.get(pid, 0.0))


class _Run:
    """One run's chunks: read ahead, queued, gathering outcomes, and given back in order."""

    def __init__(self, chunks: Iterator[list[Job]], ahead: int) -> None:
        self.chunks, self.ahead = chunks, ahead
        self.queue: deque[_Task] = deque()
        self.gathered: dict[int, _Gathered] = {}
        self.read = self.head = 0  # chunks read; the next chunk to give back
        self.exhausted = False

    def read_ahead(self) -> None:
        while not self.exhausted and self.read - self.head < self.ahead:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.exhausted = True
                return
            self.gathered[self.read] = _Gathered([None] * len(chunk))
            self.queue.append(_Task(self.read, 0, chunk))
            self.read += 1

    def head_complete(self) -> bool:
        head = self.gathered.get(self.head)
        return head is not None and head.complete

    def pop_head(self) -> ChunkOutcome:
        done = self.gathered.pop(self.head).chunk_outcome()
        self.head += 1
        return done

    def finished(self) -> bool:
        return self.exhausted and self.head == self.read


def _death(exitcode: int | None) -> str:
    """How a worker process ended, in words."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"killed by {name}, as the out-of-memory killer does" if name == "SIGKILL" \
            else f"killed by {name}"
    return f"exit status {exitcode}"


def _serve(conn: Any, settings: Settings, factory: AnalyzerFactory, build: bool) -> None:
    """A worker's life: (build the analyzer,) then analyse each chunk sent, until told
    to stop (None) or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if build:
        try:
            init_worker(settings, factory)
        except Exception as exc:  # the parent reports it and stops the run
            conn.send(_Broken(f"a worker could not build the analyzer: {exc!r}"))
            return
    while True:
        try:
            jobs = conn.recv()
        except (EOFError, OSError):
            return
        if jobs is None:
            return
        done = analyze_chunk(jobs)
        try:
            conn.send(done)
        except OSError:
            return
        except Exception:  # a result that does not pickle: send it as a failure
            done.outcomes = [_sendable(o) for o in done.outcomes]
            conn.send(done)


def _sendable(outcome: Outcome) -> Outcome:
    """``outcome`` if it pickles, else a failed Outcome saying why."""
    try:
        pickle.dumps(outcome)
    except Exception as exc:
        return Outcome(outcome.hash, outcome.source,
                       error=failure_message(outcome.source, exc))
    return outcome
