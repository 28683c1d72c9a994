"""Web app speed: p50/p95 page latency over a 10,000-article store (target: p95 <= 200 ms).

    .venv/bin/python benchmarks/web.py [--articles 10000] [--requests 40] [--store PATH]

The store is generated once through ``Database.add`` (the real writer: MinHash clusters,
event merging, FTS) and cached at ``--store`` (default
/tmp/detente-bench-web-<articles>.db); generation time does not count. Its stories follow
``detente.analysis.synthetic`` (a year of weeks, steady pairs with bursts, filler, copies
by 1.6 outlets on average), each article written out as a news story of about 3,000
characters: the event sentences, quotes by named officials, time expressions and
entities, all annotated.

The app runs under uvicorn in a child process on 127.0.0.1 (as ``detente serve`` runs
it); requests go over HTTP with httpx. After a warm-up (one request a page type), each
page type is asked ``--requests`` times, each time with parameters drawn at random from a
pool (other stories, actors, dyads, days, weeks), so most requests are a first view; the
digest's weeks are then asked again (analyses are kept while the store is unchanged).
Writes ``benchmarks/results/web.md``.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx

import detente
from detente.analysis import synthetic as syn
from detente.model import (
    Actor,
    Article,
    Entity,
    Event,
    EventActor,
    Quote,
    Result,
    Speaker,
    Timex,
    Trigger,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 200.0
START = date(2023, 1, 2)
WEEKS = 52
CODES = ("RUS", "UKR", "USA", "CHN", "FRA", "DEU", "GBR", "ISR", "PSE", "IRN", "TUR", "IND")
NAMES = {"RUS": "Sergei Lavrov", "UKR": "Dmytro Kuleba", "USA": "Antony Blinken",
         "CHN": "Wang Yi", "FRA": "Catherine Colonna", "DEU": "Annalena Baerbock"}
WORDS = ("officials", "talks", "border", "ministry", "statement", "capital", "region", "forces",
         "agreement", "sanctions", "week", "meeting", "analysts", "government", "troops", "aid")


def stream(articles: int) -> syn.Stream:
    """A year of weekly news sized to about ``articles`` articles (1.6 outlets a story)."""
    pairs = tuple(syn.Pair(CODES[i], CODES[(i + 1) % len(CODES)], rate=8.0, hostility=0.2 + 0.05 * i)
                  for i in range(len(CODES)))
    bursts = (syn.Burst("RUS", "UKR", 30, "escalation", 20),
              syn.Burst("FRA", "DEU", 40, "de-escalation", 20))
    filler = max(0.0, articles / 1.6 / WEEKS - sum(p.rate for p in pairs))
    return syn.Stream(start=START, weeks=WEEKS, pairs=pairs, filler=filler, bursts=bursts, seed=16)


class Writer:
    """A story as a full, annotated news article (offsets tracked as text is added)."""

    def __init__(self) -> None:
        self.body = ""
        self.entities: list[Entity] = []
        self.timexes: list[Timex] = []
        self.quotes: list[Quote] = []

    def add(self, text: str) -> int:
        start = len(self.body)
        self.body += text
        return start

    def actor(self, code: str) -> None:
        start = self.add(code)
        self.entities.append(Entity(code, "GPE", start, start + len(code), Actor(code, code, None)))

    def quote(self, code: str, rng: random.Random) -> None:
        name = NAMES.get(code, f"Minister {code.title()}")
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 20))).capitalize()
        q_start = self.add(f'"{words},"') + 1
        q_end = len(self.body) - 1
        self.add(" said ")
        s_start = self.add(name)
        speaker = Speaker(name, s_start, s_start + len(name), name, code, "GOV")
        self.entities.append(Entity(name, "PERSON", s_start, s_start + len(name), Actor(name, code, "GOV")))
        self.add(" on ")
        t_start = self.add("Tuesday")
        self.timexes.append(Timex("Tuesday", t_start, t_start + 7, "DATE", None))
        self.add(". ")
        self.quotes.append(Quote(self.body[q_start:q_end], q_start, q_end, "direct", "said", speaker))


def rich_result(story: syn.Story, outlet: str) -> Result:
    rng = random.Random(story.number)
    w, events = Writer(), []
    for e in story.events:
        start = len(w.body)
        w.actor(e.actor)
        verb = syn.TYPES[e.type][3]
        t_start = w.add(" " + verb) + 1
        w.add(" ")
        w.actor(e.recipient)
        w.add(f" (report {story.number}). ")
        trigger = Trigger(verb.split()[0], t_start, t_start + len(verb.split()[0]))
        events.append(Event(
            e.type, None, [], [EventActor(e.actor, e.actor, e.actor)],
            [EventActor(e.recipient, e.recipient, e.recipient)], e.day.isoformat(), "day", False,
            "asserted", None, e.intensity, e.quad, e.cameo, w.body[start:len(w.body) - 1], start,
            len(w.body) - 1, 0.9, trigger=trigger,
        ))
    w.add("\n\n")
    for _ in range(3):
        w.quote(rng.choice([story.events[0].actor, story.events[0].recipient]), rng)
        w.add("\n\n")
    while len(w.body) < 3000:  # words of this story only, so that stories do not cluster
        w.add(" ".join(f"{rng.choice(WORDS)}{rng.randrange(10**5)}" for _ in range(40)) + ".\n\n")
    article = Article(title=story.title, publisher=outlet, url=f"https://{outlet}.example/{story.number}",
                      published=story.day, body=w.body)
    return Result(f"{outlet}-{story.number}", article, w.entities, w.timexes, w.quotes, events)


def build(path: Path, articles: int) -> None:
    if path.exists():
        detente.open(path).close()  # a cached store: brought up to this detente's schema
        return
    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    started, written = time.perf_counter(), 0
    with detente.open(tmp) as db:
        db.conn.execute("PRAGMA synchronous=OFF")
        for story in syn.stories(stream(articles)):
            for outlet in story.outlets:
                written += db.add(rich_result(story, outlet)) is not None
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.execute("ANALYZE")
    tmp.rename(path)
    print(f"generated {written:,} articles in {time.perf_counter() - started:.0f} s -> {path}",
          file=sys.stderr)


def pools(path: Path, rng: random.Random) -> dict[str, list[str]]:
    """URLs to draw from, per page type."""
    db = detente.open(path, read_only=True)
    ids = [r[0] for r in db.rows("SELECT id FROM articles")]
    pairs = [(r[0], r[1]) for r in db.rows(
        "SELECT actor_code, recipient_code FROM events WHERE actor_code IS NOT NULL"
        " AND recipient_code IS NOT NULL GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 40")]
    db.close()
    days = [(START + timedelta(days=d)).isoformat() for d in range(WEEKS * 7)]
    weeks = [f"{(START + timedelta(weeks=k)).isocalendar()[0]}-W{(START + timedelta(weeks=k)).isocalendar()[1]:02d}"
             for k in range(WEEKS)]
    words = [*WORDS, *CODES, "report", "said Tuesday", "shelled positions", "trade deal"]
    return {
        "home /": ["/"],
        "search /search?q=": [f"/search?q={w.replace(' ', '+')}" for w in words]
        + [f"/search?actor={c}&page={p}" for c in CODES for p in (1, 2)],
        "article /article/{id}": [f"/article/{i}" for i in rng.sample(ids, 200)],
        "actor /actor/{code}": [f"/actor/{c}" for c in CODES],
        "dyad /dyad/{a}/{r}": [f"/dyad/{a}/{r}" for a, r in pairs]
        + [f"/dyad/{a}/{r}?period={rng.choice(weeks)}" for a, r in pairs[:20]],
        "day /day/{date}": [f"/day/{d}" for d in days],
        "digest /digest/{week}": [f"/digest/{w}" for w in weeks],
        "api /api/article/{id}": [f"/api/article/{i}" for i in rng.sample(ids, 100)],
        "api /api/dyad/{a}/{r}": [f"/api/dyad/{a}/{r}" for a, r in pairs],
    }


def serve(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = ("import uvicorn, sys; from detente.web import create_app;"
            f"uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port={port}, log_level='warning')")
    child = subprocess.Popen([sys.executable, "-c", code, str(path)])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/static/style.css", timeout=2)
            return child, base
        except httpx.TransportError:
            time.sleep(0.2)
    child.kill()
    raise SystemExit("the app did not start within 120 s")


def timed(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
    return elapsed


def measure(base: str, pool: dict[str, list[str]], requests: int, rng: random.Random) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for urls in pool.values():
            timed(client, urls[0])  # warm-up: imports, the codebook, this page's templates
        for kind, urls in pool.items():
            picks = [rng.choice(urls) for _ in range(requests)]
            out[kind] = [timed(client, url) for url in picks]
            if kind.startswith("digest"):  # the same weeks again: kept per store state
                out[kind + " (seen before)"] = [timed(client, url) for url in picks]
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def table(results: dict[str, list[float]], articles: int, started: Callable[[], float]) -> str:
    lines = [
        f"Web app latency over a {articles:,}-article store (uvicorn on 127.0.0.1, httpx client,"
        f" {len(next(iter(results.values())))} requests a page type after warm-up; target p95 <="
        f" {TARGET_MS:.0f} ms)", "",
        "| page | p50 ms | p95 ms | max ms | p95 <= target |", "| --- | ---: | ---: | ---: | --- |",
    ]
    for kind, values in results.items():
        lines.append(f"| {kind} | {statistics.median(values):.1f} | {p95(values):.1f} | {max(values):.1f}"
                     f" | {'yes' if p95(values) <= TARGET_MS else 'NO'} |")
    everything = [v for values in results.values() for v in values]
    lines += ["", f"All pages: p50 {statistics.median(everything):.1f} ms, p95 {p95(everything):.1f} ms;"
              f" measured in {started():.0f} s."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path = args.store or Path(f"/tmp/detente-bench-web-{args.articles}.db")
    build(path, args.articles)
    with detente.open(path, read_only=True) as db:
        counts = db.counts()
    print(f"store {path}: {counts}", file=sys.stderr)
    rng = random.Random(args.seed)
    child, base = serve(path)
    t0 = time.perf_counter()
    try:
        results = measure(base, pools(path, rng), args.requests, rng)
    finally:
        child.terminate()
        child.wait(timeout=30)
    report = table(results, counts["articles"], lambda: time.perf_counter() - t0)
    print(report)
    out = ROOT / "benchmarks" / "results" / "web.md"
    out.write_text("# Web app latency (benchmarks/web.py)\n\n" + report + "\n", encoding="utf-8")
    return 0 if all(p95(v) <= TARGET_MS for v in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
