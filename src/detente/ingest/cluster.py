"""Analysis on a Dask cluster: ``IngestOptions(dask="local[:N]" | "tcp://HOST:PORT")``.

``local[:N]`` starts a ``distributed.LocalCluster`` of N single-threaded worker
processes on this machine (N defaults to its cores); ``tcp://HOST:PORT`` connects to a
running scheduler (``dask scheduler``, then ``dask worker tcp://HOST:PORT --nthreads 1``
on each machine; detente and its model installed there).

Each worker has the analyzer built and warmed once, when it joins: an
:class:`AnalyzerPlugin` (a ``distributed.WorkerPlugin``) whose ``setup`` runs
``workers.load_here`` with the run's settings; a worker that joins later, or one the
nanny restarts, gets it too. On Linux a local cluster's workers are forked from this
process with the analyzer built here already (as the local pool's are: they start at
once and share its pages), and the plugin finds it loaded. Tasks are chunks of jobs,
analysed by ``workers.analyze_chunk`` exactly as the local worker pool does it. A
local cluster runs without the Dask housekeeping that competes with the analysis
(the profiler, the 20 ms event-loop tick, host metrics, work stealing, memory limits).

Chunks stream to the cluster: at most ``2 * workers`` are read ahead of the one the
writer waits for (submitted, running, or done and held back), and each one that
completes makes room for the next. Outcomes come back to this process, which stays
the single writer, and are handed on in input order (a small reorder buffer): story
clusters and merged events depend on the order articles are stored in, so the stored
rows and their ids are those of a local run.

A chunk whose task fails (its worker died, or its result could not be sent back) is
tried again one document at a time; a document that fails again alone is reported
failed and the run goes on. A cluster left with no workers for ``NO_WORKERS_S``
seconds ends the run with an error instead of hanging it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from distributed import WorkerPlugin

from ..errors import DetenteError, InputError
from ..settings import Settings
from . import workers
from .workers import AnalyzerFactory, ChunkOutcome, Job, Outcome, failure_message

logger = logging.getLogger(__name__)

__all__ = ["AnalyzerPlugin", "DaskCluster", "DaskTarget", "analyze_on_worker", "parse_target"]

PLUGIN = "detente-analyzer"
# Seconds to wait for a remote scheduler to answer, and for its first worker.
CONNECT_S = 30.0
# Seconds a cluster may have no worker at all before the run gives up.
NO_WORKERS_S = 120.0
# How often the writer looks up from waiting to check that the cluster has workers.
POLL_S = 5.0


@dataclass(frozen=True)
class DaskTarget:
    """Where to analyse: a new local cluster of ``workers`` processes (None: one a
    core), or the scheduler at ``address``."""

    address: str | None = None
    workers: int | None = None

    def describe(self) -> str:
        if self.address:
            return f"the Dask scheduler at {self.address}"
        return f"a local Dask cluster of {self.workers or 'one worker a core'}"


def parse_target(spec: str) -> DaskTarget:
    """``local``, ``local:N`` or ``tcp://HOST:PORT`` as a DaskTarget; InputError otherwise."""
    text = spec.strip()
    advice = "use local, local:N (N worker processes) or tcp://HOST:PORT (a running scheduler)"
    if text == "local":
        return DaskTarget()
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not (count.isascii() and count.isdigit()) or int(count) < 1:
            raise InputError(f"--dask {spec}", "the number of workers must be a whole number >= 1",
                             advice)
        return DaskTarget(workers=int(count))
    if text.startswith("tcp://"):
        host, _, port = text.removeprefix("tcp://").rpartition(":")
        if not host or not (port.isascii() and port.isdigit()):
            raise InputError(f"--dask {spec}", "the scheduler address needs a host and a port",
                             advice)
        return DaskTarget(address=text)
    raise InputError(f"--dask {spec}", "not a Dask cluster this ingest can use", advice)


# -- on the workers --------------------------------------------------------------------

def run_key(settings: Settings, factory: AnalyzerFactory) -> str:
    """What identifies the analyzer a run needs: its settings and its factory."""
    name = f"{getattr(factory, '__module__', '')}.{getattr(factory, '__qualname__', factory)}"
    return hashlib.sha256(f"{settings!r}|{name}".encode()).hexdigest()[:16]


class AnalyzerPlugin(WorkerPlugin):
    """Builds and warms this run's analyzer on each worker, once, as the worker joins."""

    name = PLUGIN

    def __init__(self, settings: Settings, factory: AnalyzerFactory) -> None:
        self.settings, self.factory = settings, factory
        self.key = run_key(settings, factory)
        self.lock: threading.Lock | None = None

    def setup(self, worker: Any) -> None:
        # A worker of several threads analyses one chunk at a time: the analyzer
        # (a spaCy pipeline) is not shared between threads.
        self.lock = threading.Lock()
        workers.load_here(self.settings, self.factory)  # built already where forked with it
        logger.info("worker %s: analyzer ready", getattr(worker, "address", "?"))

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings, "factory": self.factory, "key": self.key}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.settings, self.factory, self.key = state["settings"], state["factory"], state["key"]
        self.lock = None


def analyze_on_worker(jobs: list[Job], key: str) -> ChunkOutcome:
    """A task: ``jobs`` analysed by this worker's analyzer (its :class:`AnalyzerPlugin`)."""
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN)
    if not isinstance(plugin, AnalyzerPlugin) or plugin.lock is None or plugin.key != key:
        raise DetenteError(
            f"Dask worker {worker.address} has no analyzer for this run (another detente "
            "ingest with other settings registered its own on this cluster): run one "
            "ingest at a time on a cluster, or one cluster per setting")
    with plugin.lock:
        return workers.analyze_chunk(jobs)


# -- in this process -------------------------------------------------------------------

@dataclass
class _Task:
    """Jobs sent as one task: a chunk, or one of its documents tried alone."""

    seq: int  # the chunk's place in the input
    first: int  # where ``jobs`` start within the chunk
    jobs: list[Job]
    alone: bool = False


@dataclass
class _Chunk:
    """One chunk's outcomes as they come back (a chunk tried again comes back in parts)."""

    outcomes: list[Outcome | None]
    pid: int = 0
    peak_rss_mb: float = 0.0

    def put(self, first: int, outcomes: list[Outcome], pid: int = 0, peak: float = 0.0) -> None:
        self.outcomes[first:first + len(outcomes)] = outcomes
        if pid:
            self.pid, self.peak_rss_mb = pid, max(peak, self.peak_rss_mb)

    def complete(self) -> bool:
        return all(o is not None for o in self.outcomes)

    def done(self) -> ChunkOutcome:
        return ChunkOutcome([o for o in self.outcomes if o is not None], self.pid,
                            self.peak_rss_mb)


@dataclass
class _Stream:
    """The chunks of one run: read ahead, in flight, and given back in input order."""

    chunks: Iterator[list[Job]]
    ahead: int
    held: dict[int, _Chunk] = field(default_factory=dict)
    read: int = 0  # chunks read so far
    head: int = 0  # the next chunk to give back
    exhausted: bool = False

    def next_chunks(self) -> Iterator[_Task]:
        """New tasks while fewer than ``ahead`` chunks are held."""
        while not self.exhausted and self.read - self.head < self.ahead:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.exhausted = True
                return
            self.held[self.read] = _Chunk([None] * len(chunk))
            yield _Task(self.read, 0, chunk)
            self.read += 1

    def ready(self) -> Iterator[ChunkOutcome]:
        """The chunks at the head whose outcomes are all in, in input order."""
        while self.head in self.held and self.held[self.head].complete():
            yield self.held.pop(self.head).done()
            self.head += 1

    def finished(self) -> bool:
        return self.exhausted and self.head == self.read

    def check_room(self) -> None:
        """With nothing in flight, there must be room to read on (else a held chunk
        waits for a task that no longer exists)."""
        if self.exhausted or self.read - self.head >= self.ahead:
            raise RuntimeError("nothing to wait for: the Dask run lost track of its tasks")


class DaskCluster:
    """A connection to a Dask cluster with this run's analyzer on every worker.

    Use as a context manager: on leaving, a cluster started here is shut down and a
    connection to a remote one is closed (its workers keep running).
    """

    def __init__(self, target: DaskTarget, settings: Settings, factory: AnalyzerFactory,
                 workers_wanted: int | None = None) -> None:
        self.target = target
        self.key = run_key(settings, factory)
        self.cluster: Any = None
        self.client: Any = None
        try:
            self.client = self._connect(settings, factory, workers_wanted)
            self._register(AnalyzerPlugin(settings, factory))
            self.workers = self._count_workers()
        except BaseException:
            self.close()
            raise
        self.run_id = uuid.uuid4().hex[:12]

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- start and stop

    def _connect(self, settings: Settings, factory: AnalyzerFactory,
                 workers_wanted: int | None) -> Any:
        import dask
        from distributed import Client, LocalCluster

        if self.target.address:
            try:
                return Client(self.target.address, timeout=CONNECT_S)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as exc:
                raise DetenteError(
                    f"cannot reach {self.target.describe()} ({exc}): check the address and "
                    "that `dask scheduler` is running there") from exc
        count = workers_wanted or self.target.workers or workers_count()
        if workers.CAN_FORK:  # built once here; the workers are forked with it
            workers.load_here(settings, factory)
        config = {
            # A task whose worker dies is not retried by the scheduler: it comes back
            # to us at once and its documents are tried alone (as the local pool does).
            "distributed.scheduler.allowed-failures": 0,
            # One task on a worker at a time (the rest wait at the scheduler), so that a
            # worker's death implicates only the task it was running.
            "distributed.scheduler.worker-saturation": 1.0,
            # Forked, the workers start at once and share the analyzer's pages, as the
            # local pool's do; a worker restarted later (after a crash) is spawned and
            # builds its own (the plugin).
            "distributed.worker.multiprocessing-method": "fork" if workers.CAN_FORK else "spawn",
            # The workers' statistical profiler samples the analysing thread's stack
            # every 10 ms, for a dashboard this cluster does not serve: a few percent.
            "distributed.worker.profile.enabled": False,
            # Housekeeping that wakes every process's event loop many times a second
            # (taking the GIL from the analysing thread) and is not needed here: the
            # blocked-loop check (20 ms), host metrics (500 ms), work stealing (100 ms).
            "distributed.admin.tick.interval": "1s",
            "distributed.admin.system-monitor.interval": "5s",
            "distributed.scheduler.work-stealing": False,
        }
        with dask.config.set(config):
            self.cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, memory_limit=0)  # no limit, as the local pool
        return Client(self.cluster)  # type: ignore[no-untyped-call]

    def _register(self, plugin: AnalyzerPlugin) -> None:
        if self.target.address:
            try:
                self.client.wait_for_workers(1, timeout=CONNECT_S)
            except TimeoutError as exc:
                raise DetenteError(
                    f"{self.target.describe()} has no workers after {CONNECT_S:.0f}s: start "
                    f"some with `dask worker {self.target.address} --nthreads 1`") from exc
        try:
            self.client.register_plugin(plugin, name=PLUGIN)
        except DetenteError:
            raise
        except Exception as exc:
            raise DetenteError(
                f"a Dask worker of {self.target.describe()} could not build the analyzer: "
                f"{exc!r}") from exc

    def _count_workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    def close(self) -> None:
        """Close the connection; shut down the cluster if it was started here."""
        if self.client is not None:
            if self.target.address:  # leave a shared cluster's workers without our model
                try:
                    self.client.unregister_worker_plugin(PLUGIN)
                except Exception:  # already gone, or the scheduler went away
                    logger.debug("unregistering the analyzer plugin failed", exc_info=True)
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    # -- the run

    def run(self, chunks: Iterable[list[Job]],
            completed: Callable[[int], None] | None = None) -> Iterator[ChunkOutcome]:
        """Each chunk's outcomes, in input order. ``completed(n)`` is called as each task
        of ``n`` documents completes on the cluster (in whatever order they finish)."""
        stream = _Stream(iter(chunks), 2 * self.workers)
        pending: dict[Any, _Task] = {}
        try:
            while True:
                for task in stream.next_chunks():
                    pending[self._submit(task)] = task
                yield from stream.ready()
                if stream.finished():
                    return
                if not pending:  # the chunks just given back made room: read on
                    stream.check_room()
                    continue
                for future in self._wait(pending):
                    task = pending.pop(future)
                    self._collect(future, task, stream, pending)
                    if completed is not None:
                        completed(len(task.jobs))
        finally:
            if pending and self.client is not None:
                self.client.cancel(list(pending))

    def _submit(self, task: _Task, priority: int = 0) -> Any:
        part = f"-{task.first}" if task.alone else ""
        return self.client.submit(analyze_on_worker, task.jobs, self.key, pure=False,
                                  key=f"detente-{self.run_id}-{task.seq}{part}",
                                  priority=priority)

    def _wait(self, pending: dict[Any, _Task]) -> list[Any]:
        """The futures of ``pending`` that are done, once one is; an error if the
        cluster stays without workers for NO_WORKERS_S."""
        from distributed import wait

        without = None
        while True:
            try:
                done = wait(  # type: ignore[no-untyped-call]
                    list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            if done:
                return [f for f in pending if f in done]
            without = self._check_workers(without)

    def _check_workers(self, since: float | None) -> float | None:
        """When the cluster was first seen without workers (None: it has some)."""
        if self.client.scheduler_info(n_workers=-1).get("workers"):
            return None
        now = time.monotonic()
        if since is not None and now - since > NO_WORKERS_S:
            raise DetenteError(
                f"{self.target.describe()} has had no workers for {NO_WORKERS_S:.0f}s: "
                "the run stops here (re-run the same ingest to resume it)")
        return since if since is not None else now

    def _collect(self, future: Any, task: _Task, stream: _Stream,
                 pending: dict[Any, _Task]) -> None:
        try:
            done: ChunkOutcome = future.result()
        except DetenteError:
            raise
        except Exception as exc:
            self._failed(task, exc, stream, pending)
            return
        stream.held[task.seq].put(task.first, done.outcomes, done.pid, done.peak_rss_mb)

    def _failed(self, task: _Task, exc: Exception, stream: _Stream,
                pending: dict[Any, _Task]) -> None:
        """``task`` raised on the cluster: a chunk's documents are tried alone, first
        (the writer waits for them); a document alone is reported failed."""
        why = _why(exc)
        if not task.alone:
            logger.warning("a Dask task of %d document(s) failed (%s): each tried alone",
                           len(task.jobs), why)
            for i, job in enumerate(task.jobs):
                alone = _Task(task.seq, task.first + i, [job], alone=True)
                pending[self._submit(alone, priority=1)] = alone
            return
        job = task.jobs[0]
        if _killed(exc):
            error = (f"{job.raw.source}: the Dask worker analysing it died ({why}) twice; the "
                     "document was skipped and the run went on (if the worker was killed for "
                     "memory, split the document or lower max_input_chars)")
        else:
            error = failure_message(job.raw.source, exc)
        stream.held[task.seq].put(task.first, [Outcome(job.hash, job.raw.source, error=error)])


def _killed(exc: BaseException) -> bool:
    from distributed.scheduler import KilledWorker

    return isinstance(exc, KilledWorker)


def _why(exc: BaseException) -> str:
    if _killed(exc):
        return "its worker process died"
    text = repr(exc)
    return text if len(text) <= 300 else text[:300] + "..."


def workers_count() -> int:
    """Worker processes of a ``local`` cluster by default: one a core."""
    from .runner import default_jobs

    return default_jobs()

