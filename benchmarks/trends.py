"""Trends speed: one dyad's series over a 1,000,000-event store (target: <= 1 s).

    .venv/bin/python benchmarks/trends.py [--events 1000000] [--repeat 7] [--store PATH]

The store is generated once (``detente.analysis.synthetic``, direct inserts: five years
of weekly news, 40 steady pairs and unrelated filler, stories copied by 1.6 outlets on
average) and cached at ``--store`` (default /tmp/detente-bench-trends-<events>.db);
generation time does not count. Then, each ``--repeat`` times in turn, on a store opened
read-only: ``trends`` of the busiest dyad by week over all five years, by month, by week
over one year, and of a wildcard recipient (RUS -> *) by week; median and spread
(min-max) of each beside the target, and the median CPU time of the process (SQLite runs
in it), which a loaded machine disturbs less. ``alerts`` over the last quarter is timed once.
Writes ``benchmarks/results/trends.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import detente
from detente.analysis import synthetic as syn
from detente.analysis import trends
from detente.analysis.alerts import alerts

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
CODES = ("RUS", "UKR", "USA", "CHN", "FRA", "DEU", "GBR", "ISR", "PSE", "IND", "PAK", "IRN",
         "SAU", "TUR", "SYR", "JPN", "KOR", "PRK", "BRA", "ARG")


def stream_for(events: int) -> syn.Stream:
    """Five years of weeks, 40 pairs and filler sized to about ``events`` events."""
    pairs = tuple(syn.Pair(CODES[i % len(CODES)], CODES[(i + 1 + i // len(CODES)) % len(CODES)],
                           rate=60.0 if i == 0 else 18.0, hostility=0.2 + 0.6 * (i % 4) / 3)
                  for i in range(40))
    weeks = 260
    pair_events = sum(p.rate for p in pairs) * 4 / 3  # 1.33 events a pair story
    filler = max(0.0, events / weeks - pair_events)
    return syn.Stream(start=date(2019, 1, 7), weeks=weeks, pairs=pairs, filler=filler, seed=3)


def build(path: Path, events: int) -> None:
    """Generate the store at ``path`` unless it is there; bring a cached one up to date."""
    if path.exists():
        with detente.open(path):  # migrates a store cached by an older detente
            return
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    with detente.open(tmp) as db:
        # A throwaway file written once: no journal, a big page cache (one 1.6M-row
        # transaction spilling a small cache through the WAL takes ten times longer).
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"):
            db.conn.execute(f"PRAGMA {pragma}")
        written = syn.write_bulk(db.conn, stream_for(events))
        db.conn.execute("ANALYZE")
        db.conn.execute("PRAGMA journal_mode=WAL")
    tmp.rename(path)
    print(f"generated {written:,} events in {time.perf_counter() - started:.0f} s -> {path}",
          file=sys.stderr)


@dataclass(frozen=True)
class Timing:
    wall: list[float]
    cpu: list[float]  # this process's CPU seconds (SQLite runs in it): steadier under load


def timed(fn: Callable[[], Any], repeat: int, *, warm: bool = True) -> Timing:
    """Wall-clock and CPU seconds of ``repeat`` calls, after one untimed warm-up call."""
    if warm:
        fn()
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return Timing(wall, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--store", type=Path)
    args = parser.parse_args(argv)
    path = args.store or Path(f"/tmp/detente-bench-trends-{args.events}.db")
    build(path, args.events)
    db = detente.open(path, read_only=True)
    counts = {t: int(next(db.rows(f"SELECT count(*) FROM {t}"))[0])
              for t in ("events", "articles", "clusters", "event_sources")}
    cases: dict[str, Callable[[], Any]] = {
        "RUS->UKR by week, 5 years": lambda: trends(db, "RUS", "UKR", by="week"),
        "RUS->UKR by month, 5 years": lambda: trends(db, "RUS", "UKR", by="month"),
        "RUS->UKR by week, 2022": lambda: trends(db, "RUS", "UKR", since="2022-01-01",
                                                 until="2022-12-31"),
        "RUS->* by week, 5 years": lambda: trends(db, "RUS", None, by="week"),
    }
    rows = []
    for name, fn in cases.items():
        times = timed(fn, args.repeat)
        rows.append((name, statistics.median(times.wall), min(times.wall), max(times.wall),
                     statistics.median(times.cpu)))
    frame = trends(db, "RUS", "UKR")
    alert_s = timed(lambda: alerts(db, since="2023-10-01", until="2023-12-31"), 1,
                    warm=False).wall[0]
    report = render(counts, rows, args.repeat, len(frame), int(frame["events"].sum()), alert_s)
    print(report)
    out = ROOT / "benchmarks" / "results" / "trends.md"
    out.write_text(report, encoding="utf-8")
    return 0


def render(counts: dict[str, int], rows: list[tuple[str, float, float, float, float]], repeat: int,
           periods: int, dyad_events: int, alert_s: float) -> str:
    lines = [
        "# trends speed (benchmarks/trends.py)", "",
        "Store: " + ", ".join(f"{n:,} {t}" for t, n in counts.items())
        + f"; the dyad RUS->UKR: {dyad_events:,} events over {periods} weeks.", "",
        "| query | median (s) | spread min-max (s) | CPU median (s) | target (s) | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, median, low, high, cpu in rows:
        verdict = "ok" if median <= TARGET_S else "SLOW"
        lines.append(f"| {name} | {median:.3f} | {low:.3f}-{high:.3f} | {cpu:.3f} | {TARGET_S:.1f}"
                     f" | {verdict} |")
    lines += ["", f"Median of {repeat} runs each, store opened read-only, after one untimed "
              "warm-up run of each query (page cache).",
              f"`alerts` over one quarter (every coded dyad, 12 weeks of history): {alert_s:.1f} s.",
              "Machine load (1, 5, 15 min) at the end: "
              + ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
