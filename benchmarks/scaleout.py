"""Scale-out: ingest on a Dask ``LocalCluster`` beside the local worker pool (issue 17).

    .venv/bin/python benchmarks/scaleout.py [--copies 6] [--workers 2] [--repeat 3] [--no-write]

Corpus: the bundled sample (``detente.demo.sample_files()``: re3d's openly licensed
documents and the seed page), ``--copies`` times, each copy's texts made distinct by
a trailing line (a new content hash, the same parse work): 534 documents by default.
No gold data.

Each run is ``detente ingest`` of the whole corpus into a new SQLite store, in a fresh
process, at ``-j N`` (the local worker pool) or ``dask="local:N"``, the two alternating
(local, dask, local, dask, ...) so that a change in the machine's load hits both.
Time is wall-clock from just before ``ingest()`` to its end: the analyzer's load in
the parent and the fork (local), or the cluster's start, the workers' model loads and
its shutdown (Dask) are inside it. Reported: the median and spread (min-max) of
articles/s of each, and the ratio of the medians (target: Dask >= 0.9x local), CPU
seconds per article (this process and its workers: less sensitive to other load), and
whether the two stores hold the same rows (every table, ids included, less the
wall-clock columns). Writes ``benchmarks/results/scaleout.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results/scaleout.md"


@dataclass
class Run:
    """One measured ingest."""

    kind: str  # "local" or "dask"
    articles: int
    failed: int
    seconds: float
    parent_cpu: float  # CPU seconds (user + system) of the ingest process
    workers_cpu: float  # ... and of its worker processes
    load_before: float
    load_after: float

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


# -- corpus ------------------------------------------------------------------------------

def write_corpus(path: Path, copies: int) -> int:
    """The sample corpus ``copies`` times as one JSONL file; returns its documents."""
    from detente.demo import sample_files

    records: list[dict[str, Any]] = []
    for file in sample_files():
        if file.suffix == ".jsonl":
            records += [json.loads(line) for line in file.read_text("utf-8").splitlines()]
        else:
            records.append({"id": file.name, "text": file.read_text("utf-8")})
    with path.open("w", encoding="utf-8") as fh:
        for copy in range(copies):
            for rec in records:
                text = rec.get("text") or ""
                text = text if copy == 0 else f"{text}\n\n(copy {copy})"
                fh.write(json.dumps({**rec, "id": f"{rec['id']}#{copy}", "text": text}) + "\n")
    return len(records) * copies


# -- a child: one ingest -------------------------------------------------------------------

def child(kind: str, corpus: Path, db_path: Path, workers: int) -> dict[str, float]:
    import detente
    from detente.ingest.runner import IngestOptions, ingest

    options = IngestOptions(jsonl=[corpus], progress=False, jobs=workers,
                            dask=f"local:{workers}" if kind == "dask" else None)
    with detente.open(db_path) as db:
        started, mine, theirs = time.perf_counter(), _cpu(SELF), _cpu(CHILDREN)
        summary = ingest(options, db)
        seconds = time.perf_counter() - started
    return {"articles": summary.added, "failed": summary.failed, "seconds": seconds,
            "workers": summary.workers, "parent_cpu": _cpu(SELF) - mine,
            "workers_cpu": _cpu(CHILDREN) - theirs}


SELF, CHILDREN = resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN


def _cpu(who: int) -> float:
    """CPU seconds (user + system) of this process, or of its finished children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(kind: str, corpus: Path, db_path: Path, workers: int) -> Run:
    before = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(corpus), str(db_path),
                          str(workers)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"the {kind} ingest failed:\n{out.stderr[-3000:]}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return Run(kind, int(got["articles"]), int(got["failed"]), float(got["seconds"]),
               float(got["parent_cpu"]), float(got["workers_cpu"]), before, os.getloadavg()[0])


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in rowid order, less the wall-clock columns."""
    from detente.store import TABLES

    with contextlib.closing(sqlite3.connect(path)) as conn:
        out = {}
        for table in TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                    if r[1] != "added_at"]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY rowid").fetchall()
        return out


# -- the report ----------------------------------------------------------------------------

def summarise(runs: list[Run], kind: str) -> tuple[float, float, float]:
    rates = [r.rate for r in runs if r.kind == kind]
    return statistics.median(rates), min(rates), max(rates)


def cpu_per_article(runs: list[Run], kind: str) -> float:
    return statistics.median((r.parent_cpu + r.workers_cpu) / max(r.articles, 1)
                             for r in runs if r.kind == kind)


def report(runs: list[Run], docs: int, workers: int, same: dict[str, int], command: str) -> str:
    local, dask = summarise(runs, "local"), summarise(runs, "dask")
    ratio = dask[0] / local[0] if local[0] else 0.0
    cpu_local, cpu_dask = cpu_per_article(runs, "local"), cpu_per_article(runs, "dask")
    loads = [r.load_before for r in runs] + [r.load_after for r in runs]
    lines = [
        "## Scale-out: Dask `LocalCluster` beside the local worker pool (`benchmarks/scaleout.py`)",
        "",
        f"Corpus: {docs} documents (the bundled sample, re3d + the seed page, each copy made "
        "distinct). Machine: "
        f"{os.cpu_count()} cores, shared with other work: load average {min(loads):.1f}-"
        f"{max(loads):.1f} during the runs. Command: `{command}`",
        "",
        "| run | kind | articles | failed | seconds | articles/s | CPU s parent | CPU s workers "
        "| load before | load after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(runs, 1):
        label = f"-j {workers}" if r.kind == "local" else f"dask local:{workers}"
        lines.append(f"| {i} | {label} | {r.articles} | {r.failed} | {r.seconds:.1f} | "
                     f"{r.rate:.2f} | {r.parent_cpu:.1f} | {r.workers_cpu:.1f} | "
                     f"{r.load_before:.1f} | {r.load_after:.1f} |")
    lines += [
        "",
        "| | median articles/s | min | max |",
        "|---|---|---|---|",
        f"| local -j {workers} | {local[0]:.2f} | {local[1]:.2f} | {local[2]:.2f} |",
        f"| dask local:{workers} | {dask[0]:.2f} | {dask[1]:.2f} | {dask[2]:.2f} |",
        "",
        f"- Dask / local (medians): {ratio:.2f}x (target >= 0.9x): "
        f"{'met' if ratio >= 0.9 else 'NOT met'}",
        f"- CPU seconds per article, all processes (varies less with the machine's load): "
        f"local {cpu_local:.3f}, Dask {cpu_dask:.3f} ({cpu_dask / cpu_local:.2f}x)",
        "- same stored rows (every table, ids included, less `added_at`): "
        + ("yes, " if all(v == 0 for v in same.values()) else "NO, ")
        + ", ".join(f"{t} {n} differing" for t, n in same.items() if n)
        + ("" if any(same.values()) else "articles, clusters, entities, timexes, quotes, "
           "events, event_sources all equal"),
    ]
    return "\n".join(lines) + "\n"


def differences(a: Path, b: Path) -> dict[str, int]:
    left, right = dump(a), dump(b)
    # Rows in one store but not the other (1 at least where only their order differs).
    return {t: 0 if left[t] == right[t] else max(1, len(set(left[t]) ^ set(right[t])))
            for t in left}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "CORPUS", "DB", "WORKERS"))
    args = parser.parse_args()
    if args.child:
        kind, corpus, db, workers = args.child
        print(json.dumps(child(kind, Path(corpus), Path(db), int(workers))))
        return
    command = "benchmarks/scaleout.py " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        docs = write_corpus(corpus, args.copies)
        runs: list[Run] = []
        for i in range(args.repeat):
            for kind in ("local", "dask"):
                run = measure(kind, corpus, Path(tmp) / f"{kind}{i}.db", args.workers)
                runs.append(run)
                print(f"{kind:5} {i + 1}: {run.articles} articles in {run.seconds:.1f}s "
                      f"({run.rate:.2f}/s), CPU {run.parent_cpu:.1f}+{run.workers_cpu:.1f}s, load {run.load_before:.1f}->{run.load_after:.1f}",
                      flush=True)
        same = differences(Path(tmp) / "local0.db", Path(tmp) / "dask0.db")
    text = report(runs, docs, args.workers, same, command)
    print("\n" + text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
