"""Ingest memory: the parent's peak resident memory while ingesting a large generated corpus.

    .venv/bin/python benchmarks/ingest_memory.py [--size-mb 1024] [--jobs 2] [--full] [--no-write]

Generates a JSON Lines corpus of ``--size-mb`` MB of small distinct articles
(synthetic text from a seeded random generator: a title and a few paragraphs,
2-4 KB each; nothing copied from any data set) in a temporary folder, then runs
``detente ingest`` on it with ``-j`` = ``--jobs`` in a fresh process, and reports
that process's own peak resident set (``VmHWM``, the workers not included) beside
the limit of 300 MB, with the time and articles/s. While it runs, this script
samples the ingest process's resident set (``VmRSS``) to show whether it grows.

By default the analyzer is a light one, ``extract_only``: detente's real article
extraction (``detente.extract.extract_article``), then a result with the article
alone and a note; no spaCy, no NLP stages. Analysing a gigabyte with spaCy would
take many hours on two cores, and what is measured here is the parent's own work:
reading, hashing, queueing, storing. ``--full`` uses detente's real analyzer
instead, on a smaller corpus (``--size-mb``, default 5 then); the parent then also
holds the spaCy model it forks the workers from, so its peak is not comparable
with the limit.

Writes ``benchmarks/results/ingest_memory.md`` (the light run only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results/ingest_memory.md"
LIMIT_MB = 300.0
SEED = 20220128
NOTE = "benchmark analyzer: extraction only, no NLP stages"


# -- the light analyzer (runs in the ingest process and its workers) -------------------

class ExtractOnly:
    """Real extraction, a trivial result: the article alone, with a note."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def warm_up(self) -> None:
        from detente.extract import extract_article
        from detente.model import RawDocument

        extract_article(RawDocument(id="warm-up", text="Warm up\n\n" + "Some words here. " * 40))

    def analyze_many(self, items: Iterable[Any]) -> Iterator[Any]:
        from detente.errors import DetenteError
        from detente.extract import extract_article
        from detente.ingest.sources import ErrorRecord
        from detente.model import Result

        for item in items:
            if isinstance(item, ErrorRecord):
                yield item
                continue
            try:
                article = extract_article(item)
            except DetenteError as exc:
                yield ErrorRecord(id=item.id, error=str(exc))
                continue
            yield Result(id=item.id, article=article, notes=[NOTE])


def extract_only(settings: Any) -> ExtractOnly:
    """The analyzer factory of the light run (module-level: it pickles)."""
    return ExtractOnly(settings)


# -- the corpus -------------------------------------------------------------------------

SYLLABLES = ("ka", "ro", "min", "te", "sa", "vel", "dor", "i", "an", "ko", "lu", "ber", "sto",
             "na", "ri", "gal", "mo", "pe", "tra", "zu", "en", "ol", "har", "ki", "va", "del")


def _sentences(rng: random.Random, count: int) -> list[str]:
    """A pool of made-up sentences: capitalised, 8-20 pseudo-words, a full stop."""
    words = ["".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(6000)]
    pool = []
    for _ in range(count):
        picked = rng.choices(words, k=rng.randint(8, 20))
        pool.append(" ".join(picked).capitalize() + ".")
    return pool


def write_corpus(path: Path, size_mb: float, seed: int = SEED) -> int:
    """Distinct articles of 2-4 KB as JSON Lines until ``size_mb`` MB; returns how many."""
    rng = random.Random(seed)
    pool = _sentences(rng, 50_000)
    target = int(size_mb * 1024 * 1024)
    written = count = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            count += 1
            title = " ".join(rng.choices(pool, k=1)[0].split()[:7]).rstrip(".").title()
            paragraphs = [f"Report number {count} from the {rng.choice(pool).split()[0]} desk."]
            paragraphs += [" ".join(rng.choices(pool, k=rng.randint(4, 7)))
                           for _ in range(rng.randint(4, 6))]
            record = {
                "id": f"a{count}", "url": f"https://news.example/{count}",
                "published": f"2022-{1 + count % 12:02d}-{1 + count % 28:02d}",
                "text": f"{title} {count}\n\n" + "\n\n".join(paragraphs) + "\n",
            }
            line = json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
    return count


# -- the measured process ---------------------------------------------------------------

def child(corpus: Path, db_path: Path, jobs: int, full: bool) -> dict[str, Any]:
    """Ingest ``corpus``; this process's own peak resident set and the summary."""
    import detente
    from detente.ingest import workers
    from detente.ingest.runner import IngestOptions, ingest
    from detente.settings import load_settings

    factory = workers.default_analyzer if full else extract_only
    options = IngestOptions(jsonl=[corpus], jobs=jobs, progress=False, analyzer_factory=factory)
    settings = load_settings()
    start_mb = _status_mb("VmRSS")
    started = time.perf_counter()
    # What ingest does first (the workers are forked from it): built here to see its cost.
    workers.load_here(settings, factory)
    loaded = {"loaded_mb": _status_mb("VmRSS"), "load_peak_mb": _status_mb("VmHWM")}
    with detente.open(db_path) as db:
        summary = ingest(options, db, settings)
    return {
        "seconds": time.perf_counter() - started, "added": summary.added, "seen": summary.seen,
        "failed": summary.failed, "workers": summary.workers, "start_mb": start_mb, **loaded,
        "peak_mb": _status_mb("VmHWM"), "worker_peak_mb": max(summary.peak_rss_mb.values(), default=0.0),
    }


def _status_mb(field: str, pid: int | str = "self") -> float:
    """A memory line of /proc/PID/status in MB (``ru_maxrss`` where there is no /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    load: float  # the one-minute load average


def run_child(corpus: Path, db_path: Path, jobs: int, full: bool) -> tuple[dict[str, Any], list[Sample]]:
    """The ingest in a fresh process, its resident set sampled every half second."""
    cmd = [sys.executable, __file__, "--child", str(corpus), str(db_path), str(jobs)]
    cmd += ["--full"] if full else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    samples = []
    started = time.perf_counter()
    while proc.poll() is None:
        rss = _status_mb("VmRSS", proc.pid)
        if proc.poll() is None:
            samples.append(Sample(time.perf_counter() - started, rss, os.getloadavg()[0]))
        time.sleep(0.5)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"the ingest process failed (exit {proc.returncode})")
    return json.loads(out.strip().splitlines()[-1]), samples


def growth(samples: list[Sample]) -> list[str]:
    """The resident set at each tenth of the run."""
    if not samples:
        return []
    end = samples[-1].seconds
    marks = []
    for tenth in range(1, 11):
        at = next((s for s in samples if s.seconds >= end * tenth / 10), samples[-1])
        marks.append(f"{at.rss_mb:.0f}")
    return marks


def _mean_load(samples: list[Sample]) -> float:
    return sum(s.load for s in samples) / len(samples) if samples else 0.0


def report(size_mb: float, articles: int, r: dict[str, Any], samples: list[Sample],
           jobs: int, full: bool) -> list[str]:
    rate = r["added"] / r["seconds"] if r["seconds"] else 0.0
    analyzer = ("detente's real analyzer (spaCy and every stage)" if full else
                "extract_only: real extraction, then the article alone with a note; no spaCy")
    lines = [
        f"corpus: {size_mb:g} MB of JSON Lines, {articles} generated articles (2-4 KB each)",
        f"analyzer: {analyzer}",
        f"-j {jobs}: {r['added']} articles added, {r['failed']} failed, in {r['seconds']:.0f}s "
        f"= {rate:.0f} articles/s",
        f"parent peak resident set (VmHWM): {r['peak_mb']:.0f} MB"
        + ("" if full else f" (limit {LIMIT_MB:.0f} MB): {'met' if r['peak_mb'] <= LIMIT_MB else 'NOT met'}"),
        f"parent resident set after imports: {r['start_mb']:.0f} MB; with the analyzer built "
        f"(peak while building it: {r['load_peak_mb']:.0f} MB): {r['loaded_mb']:.0f} MB; "
        "at each tenth of the run: " + ", ".join(growth(samples)) + " MB",
        f"peak per worker: {r['worker_peak_mb']:.0f} MB",
        f"mean load average during the run: {_mean_load(samples):.1f} on {os.cpu_count()} cores"
        + (" (other work was competing: the speed is not reliable)"
           if _mean_load(samples) > jobs + 1.5 else ""),
    ]
    return lines


def write_results(lines: list[str], args: argparse.Namespace) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "## Ingest memory (streaming)\n\n"
        "`benchmarks/ingest_memory.py`: a generated JSON Lines corpus of small distinct "
        "articles, ingested in a fresh process; the parent's own peak memory (workers not "
        "included). The analyzer is a light stand-in (real extraction, a trivial result, no "
        "spaCy), so what is measured is the parent's reading, hashing, queueing and storing. "
        f"Machine: {os.cpu_count()} cores. Command: "
        f"`.venv/bin/python benchmarks/ingest_memory.py {' '.join(sys.argv[1:])}`\n\n"
        + "\n".join(f"- {line}" for line in lines) + "\n",
        "utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, help="corpus size (default 1024; 5 with --full)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="detente's real analyzer (slow)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        corpus, db_path, jobs = args.child
        print(json.dumps(child(Path(corpus), Path(db_path), int(jobs), args.full)))
        return
    size_mb = args.size_mb or (5.0 if args.full else 1024.0)
    with tempfile.TemporaryDirectory(prefix="detente-ingest-memory-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        t = time.perf_counter()
        articles = write_corpus(corpus, size_mb)
        print(f"generated {articles} articles ({size_mb:g} MB) in {time.perf_counter() - t:.0f}s",
              flush=True)
        result, samples = run_child(corpus, Path(tmp) / "ingest.db", args.jobs, args.full)
    lines = report(size_mb, articles, result, samples, args.jobs, args.full)
    print("\n".join(lines))
    if not args.no_write and not args.full:
        write_results(lines, args)
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
