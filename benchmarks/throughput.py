"""Ingest throughput: `detente ingest` (every stage plus the store) beside plain `nlp.pipe`.

    .venv/bin/python benchmarks/throughput.py [--limit N] [--jobs 1 2] [--scale 10] [--repeat 3] [--breakdown]
                                              [--no-write]

Corpus: the 181 scrapinghub text dumps (``textdumps.jsonl`` "text") and the 84
PolNeAR dev articles (``polnear_dev.jsonl`` "text"), each once, as one JSONL file.

In one run, each measurement in a fresh process (so model loads and peak memory
are its own): plain spaCy ``nlp.pipe`` with the model as shipped (``spacy.load`` of
the model detente uses, nothing added or changed) over exactly the texts detente
parses (each English article's body and captions, extracted beforehand, untimed; pages
in other languages are not parsed by either side), at ``n_process`` = each of
``--jobs``; once, at the lowest ``-j``, ``nlp.pipe`` with detente's own parse (the
model with its attribute ruler compiled, the paragraph splitter and the codebook
ruler: ``parse_pipeline_for``), so that the ingest's cost on top of its own parse
shows beside its ratio to plain spaCy; then
``detente ingest`` into a new database at ``-j`` = each of ``--jobs``; then the
same ingest again (re-ingest: rows added, time); and, with ``--scale K``, ingest of
K copies of the corpus (each copy's texts made distinct) at the highest ``-j``.
Times are wall-clock from just after imports to the end, model load included on
both sides; CPU seconds (user + system, workers included) are reported beside them,
as they vary less with other load. ``--repeat N`` times each pipe/ingest pair N times
in turn and keeps the median of each, since one run on a shared machine swings by 5-10%. Peak memory: the largest resident set of any one worker (``ru_maxrss``).
``--breakdown`` adds where the time goes (extraction, parse, each stage, store).
Writes ``benchmarks/results/throughput.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))
SOURCES = (
    (SHARED / "gold/extraction/scrapinghub/textdumps.jsonl", "scrapinghub"),
    (SHARED / "gold/quotes/polnear_dev.jsonl", "polnear"),
)
RESULTS = ROOT / "benchmarks/results/throughput.md"
PLAIN, OWN_PARSE = "plain", "own-parse"


@dataclass
class Run:
    """One measured run."""

    name: str
    jobs: int
    articles: int
    words: int
    seconds: float
    peak_mb: float
    added_rows: int = 0
    cpu_seconds: float = 0.0  # user + system, the workers' included

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


# -- corpus --------------------------------------------------------------------------

def write_corpus(path: Path, limit: int | None, scale: int) -> int:
    """The benchmark corpus as JSONL (``scale`` copies, each made distinct); returns docs."""
    records = []
    for source, tag in SOURCES:
        for line in source.read_text("utf-8").splitlines():
            obj = json.loads(line)
            records.append({"id": f"{tag}-{obj['id']}", "text": obj["text"]})
    records = records[:limit] if limit else records
    with path.open("w", encoding="utf-8") as fh:
        for copy in range(scale):
            for rec in records:
                # A different trailing line per copy: a new content hash, the same parse work.
                text = rec["text"] if copy == 0 else f"{rec['text']}\n\n(copy {copy})"
                fh.write(json.dumps({"id": f"{rec['id']}#{copy}", "text": text}) + "\n")
    return len(records) * scale


def bodies(corpus: Path) -> list[str]:
    """Exactly the texts detente parses (extraction only, no model): each English article's
    body with its captions; pages in other languages or without a body are not parsed."""
    from detente.ingest.sources import read_jsonl
    from detente.model import RawDocument
    from detente.pipeline import text_to_parse

    texts = (text_to_parse(doc) for doc in read_jsonl(corpus) if isinstance(doc, RawDocument))
    return [t for t in texts if t is not None]


# -- children: each measurement runs in its own process -------------------------------

def child_pipe(corpus: Path, jobs: int, kind: str = PLAIN) -> dict[str, float]:
    texts = bodies(corpus)
    from detente.nlp.pipeline import load_pipeline, parse_pipeline_for
    from detente.settings import load_settings

    settings = load_settings()
    started, cpu0 = time.perf_counter(), _cpu()
    if kind == PLAIN:  # the model as shipped
        nlp = load_pipeline(settings.model, with_ruler=False, with_stages=False)
    else:  # the parse detente's stages read, without the stages
        nlp = parse_pipeline_for(settings)
    count = sum(1 for _ in nlp.pipe(texts, batch_size=settings.batch_size, n_process=jobs))
    seconds = time.perf_counter() - started
    peak = max(_rss(resource.RUSAGE_SELF), _rss(resource.RUSAGE_CHILDREN) if jobs > 1 else 0.0)
    words = sum(len(t.split()) for t in texts)
    return {"seconds": seconds, "peak_mb": peak, "articles": count, "words": words,
            "cpu": _cpu() - cpu0}


def child_ingest(corpus: Path, db_path: Path, jobs: int) -> dict[str, float]:
    import detente
    import detente.pipeline  # noqa: F401  imports before the clock, as on the nlp.pipe side
    from detente.ingest.runner import IngestOptions, ingest

    started, cpu0 = time.perf_counter(), _cpu()
    with detente.open(db_path) as db:
        before = sum(db.counts().values())
        summary = ingest(IngestOptions(jsonl=[corpus], jobs=jobs, progress=False), db)
        added = sum(db.counts().values()) - before
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": max(summary.peak_rss_mb.values(), default=0.0),
            "articles": summary.added, "added_rows": added, "failed": summary.failed,
            "cpu": _cpu() - cpu0}


def child_breakdown(corpus: Path) -> dict[str, float]:
    """Seconds spent in each part of detente's work, in one process, model loads excluded."""
    import detente
    from detente.extract import extract_article
    from detente.ingest.sources import read_jsonl
    from detente.model import RawDocument, Result
    from detente.nlp.components import STAGE_FUNCTIONS
    from detente.nlp.context import DocContext
    from detente.nlp.layout import layout_of
    from detente.nlp.pipeline import parse_pipeline_for
    from detente.pipeline import Analyzer, skip_note
    from detente.store import dedup

    raws = [r for r in read_jsonl(corpus) if isinstance(r, RawDocument)]
    analyzer = Analyzer()
    nlp = parse_pipeline_for(analyzer.settings)
    extract_article(raws[0])  # load the extraction models outside the clock
    parts: dict[str, float] = {}

    def clock(name: str, started: float) -> None:
        parts[name] = parts.get(name, 0.0) + time.perf_counter() - started

    t = time.perf_counter()
    articles = [extract_article(r) for r in raws]
    clock("extraction", t)
    parsed = [(r, a) for r, a in zip(raws, articles, strict=True)
              if skip_note(a, analyzer.settings) is None]
    t = time.perf_counter()
    docs = list(nlp.pipe([layout_of(a).text for _, a in parsed], batch_size=8))
    clock("spaCy parse", t)
    results = []
    for (raw, article), doc in zip(parsed, docs, strict=True):
        ctx = DocContext(anchor=article.published)
        for name, stage in STAGE_FUNCTIONS.items():
            t = time.perf_counter()
            stage(doc, ctx)
            clock(f"stage {name}", t)
        results.append(Result(id=raw.id, article=article, entities=ctx.entities,
                              timexes=ctx.timexes, quotes=ctx.quotes, events=ctx.events))
    t = time.perf_counter()
    signatures = [dedup.signature(r.article.body) for r in results]
    clock("minhash (worker)", t)
    with tempfile.TemporaryDirectory() as tmp, detente.open(Path(tmp) / "b.db") as db:
        t = time.perf_counter()
        for result, sig in zip(results, signatures, strict=True):
            db.add(result, signature=sig)
        clock("store write (parent)", t)
    parts["articles"] = float(len(raws))
    return parts


def _cpu() -> float:
    """CPU seconds of this process and its finished children (workers), user + system."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _rss(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def _spawn(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.exit(f"the measurement {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- the run ---------------------------------------------------------------------------

def measure(corpus: Path, jobs_list: list[int], work: Path, words: int, repeat: int = 1) -> list[Run]:
    """Each -j: nlp.pipe then ingest, ``repeat`` times in turn (pairs under like conditions);
    the run kept for each is the one with the median time. Then a re-ingest."""
    kept = []
    for jobs in jobs_list:
        pipes, ingests = [], []
        for round_ in range(repeat):
            r = _spawn("pipe", str(corpus), str(jobs))
            pipes.append(Run("nlp.pipe", jobs, int(r["articles"]), words, r["seconds"],
                             r["peak_mb"], cpu_seconds=r["cpu"]))
            print(_line(pipes[-1]), flush=True)
            db = work / f"ingest-j{jobs}-{round_}.db"
            r = _spawn("ingest", str(corpus), str(db), str(jobs))
            ingests.append(Run("detente ingest", jobs, int(r["articles"]), words, r["seconds"],
                               r["peak_mb"], int(r["added_rows"]), r["cpu"]))
            print(_line(ingests[-1]), f"(pair {round_ + 1}: "
                  f"{pipes[-1].seconds / ingests[-1].seconds:.2f}x)", flush=True)
        kept += [_median(pipes), _median(ingests)]
    jobs = jobs_list[0]
    r = _spawn("pipe", str(corpus), str(jobs), OWN_PARSE)
    kept.append(Run("nlp.pipe, detente's parse", jobs, int(r["articles"]), words, r["seconds"],
                    r["peak_mb"], cpu_seconds=r["cpu"]))
    print(_line(kept[-1]), flush=True)
    jobs = jobs_list[-1]
    r = _spawn("ingest", str(corpus), str(work / f"ingest-j{jobs}-0.db"), str(jobs))
    kept.append(Run("re-ingest", jobs, int(r["articles"]), 0, r["seconds"], r["peak_mb"],
                    int(r["added_rows"])))  # nothing is parsed: no words/s
    print(_line(kept[-1]), flush=True)
    return kept


def _median(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.seconds)
    return ordered[len(ordered) // 2]


def _line(run: Run) -> str:
    return (f"{run.name:15} -j{run.jobs}  {run.articles:5d} articles  {run.seconds:8.1f}s  "
            f"{run.articles_per_s:7.2f} art/s  {run.words_per_s:8.0f} words/s  "
            f"peak {run.peak_mb:5.0f} MB/worker  rows added {run.added_rows}  "
            f"CPU {run.cpu_seconds:.1f}s")


def verdicts(runs: list[Run], scaled: Run | None) -> list[str]:
    """Each Done-when condition of the issue with the measured figure."""
    pipe = {r.jobs: r for r in runs if r.name == "nlp.pipe"}
    ing = {r.jobs: r for r in runs if r.name == "detente ingest"}
    again = next(r for r in runs if r.name == "re-ingest")
    own = {r.jobs: r for r in runs if r.name == "nlp.pipe, detente's parse"}
    out = []
    for jobs, run in sorted(ing.items()):
        ratio = run.words_per_s / pipe[jobs].words_per_s
        out.append(f"ingest / plain nlp.pipe at -j {jobs}: {ratio:.2f}x (target >= 0.85x): "
                   f"{'met' if ratio >= 0.85 else 'NOT met'}")
        if jobs in own:
            out.append(
                f"ingest / nlp.pipe of detente's own parse at -j {jobs}: "
                f"{run.words_per_s / own[jobs].words_per_s:.2f}x (extraction, stages and store "
                f"on top of the parse); detente's parse / plain: "
                f"{own[jobs].words_per_s / pipe[jobs].words_per_s:.2f}x")
        if run.cpu_seconds and pipe[jobs].cpu_seconds:
            share = run.cpu_seconds / pipe[jobs].cpu_seconds - 1.0
            out.append(f"in CPU time at -j {jobs} (varies less with other load): ingest took "
                       f"{share:+.1%} against plain nlp.pipe, i.e. {1 / (1 + share):.2f}x")
    if 1 in ing and 2 in ing:
        speedup = ing[2].words_per_s / ing[1].words_per_s
        out.append(f"ingest -j 2 / -j 1: {speedup:.2f}x (target >= 1.7x): "
                   f"{'met' if speedup >= 1.7 else 'NOT met'}")
    peak = max(r.peak_mb for r in ing.values())
    out.append(f"peak memory per worker: {peak:.0f} MB (target <= 600 MB): "
               f"{'met' if peak <= 600 else 'NOT met'}")
    first = ing[again.jobs]
    share = again.seconds / first.seconds
    out.append(f"re-ingest: {again.added_rows} rows added in {again.seconds:.1f}s = {share:.1%} "
               f"of the first run (target 0 rows, <= 5%): "
               f"{'met' if again.added_rows == 0 and share <= 0.05 else 'NOT met'}")
    if scaled is not None:
        base = ing[scaled.jobs]
        factor = scaled.seconds / base.seconds
        copies = scaled.articles / max(base.articles, 1)
        out.append(f"{copies:.0f}x corpus: {scaled.seconds:.1f}s = {factor:.2f}x the 1x time "
                   f"(target <= {1.1 * copies:.1f}x): {'met' if factor <= 1.1 * copies else 'NOT met'}")
    return out


def breakdown_lines(parts: dict[str, float]) -> list[str]:
    """Where one process's time goes, per article and as a share."""
    n = parts.pop("articles")
    total = sum(parts.values())
    return [f"time share {name}: {secs / n * 1000:.1f} ms/article ({secs / total:.0%})"
            for name, secs in parts.items()]


def write_results(runs: list[Run], checks: list[str], args: argparse.Namespace, docs: int) -> None:
    rows = "\n".join(
        f"| {r.name} | {r.jobs} | {r.articles} | {r.seconds:.1f} | {r.articles_per_s:.2f} | "
        f"{r.words_per_s:.0f} | {r.peak_mb:.0f} | {r.added_rows} | {r.cpu_seconds:.1f} |"
        for r in runs
    )
    subset = f" (first {args.limit} documents only)" if args.limit else ""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "## Throughput (`benchmarks/throughput.py`)\n\n"
        f"Corpus: {docs} documents{subset}: scrapinghub text dumps + PolNeAR dev articles. "
        f"Machine: {os.cpu_count()} cores; load average at the end {os.getloadavg()[0]:.1f}"
        f"{_load_note()}. "
        f"Command: `.venv/bin/python benchmarks/throughput.py {' '.join(sys.argv[1:])}`\n\n"
        "| run | -j | articles | seconds | articles/s | words/s | peak MB/worker | rows added "
        "| CPU s |\n|---|---|---|---|---|---|---|---|---|\n" + rows + "\n\n"
        + "\n".join(f"- {c}" for c in checks) + "\n",
        "utf-8",
    )


def _load_note() -> str:
    """Whether other work competed for the cores while the figures were taken."""
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        return " (above the core count: other work was competing, speed figures are not reliable)"
    return " (no other work competing)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="use only the first N documents (a quick check)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scale", type=int, default=0, help="also time K copies of the corpus")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time each nlp.pipe/ingest pair N times in turn; report the medians")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time each part of detente's work (one more pass at -j 1)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "breakdown":
            result = child_breakdown(Path(rest[0]))
        elif kind == "pipe":
            result = child_pipe(Path(rest[0]), int(rest[1]), *rest[2:])
        else:
            result = child_ingest(Path(rest[0]), Path(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="detente-throughput-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        docs = write_corpus(corpus, args.limit, 1)
        words = sum(len(t.split()) for t in bodies(corpus))
        print(f"corpus: {docs} documents, {words} words in the extracted bodies", flush=True)
        runs = measure(corpus, sorted(args.jobs), work, words, args.repeat)
        scaled = None
        if args.scale > 1:
            big = work / "corpus-scaled.jsonl"
            big_docs = write_corpus(big, args.limit, args.scale)
            jobs = max(args.jobs)
            r = _spawn("ingest", str(big), str(work / "scaled.db"), str(jobs))
            scaled = Run(f"ingest {args.scale}x", jobs, int(r["articles"]), words * args.scale,
                         r["seconds"], r["peak_mb"], int(r["added_rows"]), r["cpu"])
            runs.append(scaled)
            print(_line(scaled), f"({big_docs} documents)", flush=True)
        checks = verdicts(runs, scaled)
        print("\n".join(checks))
        split = breakdown_lines(_spawn("breakdown", str(corpus))) if args.breakdown else []
        print("\n".join(split))
        if not args.no_write:
            write_results(runs, checks + split, args, docs)
            print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
