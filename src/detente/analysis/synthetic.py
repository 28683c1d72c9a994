"""A generated news stream with known ground truth, for tests, benchmarks and demos.

Weeks of steady relations between pairs of countries (each pair its own mix of
cooperation and conflict, Poisson story counts, weekly news-volume noise that lifts every
pair and the rest of the news alike), unrelated "filler" stories making up the bulk of the
corpus, stories copied by several outlets (one story cluster), and, in known weeks, bursts
of fighting or of rapprochement, coverage surges, or one story copied by many outlets.

Two ways into a store:

- :func:`write_results` sends each article through the real writer (``Database.add`` with
  ``detente.model.Result`` objects): MinHash clustering, event merging, all of it. A copy
  of a story shares its body, so the writer itself puts copies in one cluster.
- :func:`write_bulk` inserts the same rows directly (one cluster per story, one event per
  story event, one source per copy), about 50x faster: the 1,000,000-event benchmark store.
  It takes the store's connection, SQLite's or PostgreSQL's (``Database.conn``).
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..model import Article, Event, EventActor, Result

if TYPE_CHECKING:
    from ..store import Database

logger = logging.getLogger(__name__)

# PLOVER type -> (quad, typical intensity, CAMEO code, verb for the sentence)
TYPES: dict[str, tuple[int, float, str, str]] = {
    "AGREE": (1, 2.5, "030", "agreed with"),
    "CONSULT": (1, 3.0, "040", "held talks with"),
    "SUPPORT": (1, 5.0, "051", "praised"),
    "COOPERATE": (2, 9.5, "061", "signed a trade deal with"),
    "AID": (2, 10.0, "070", "sent aid to"),
    "REQUEST": (3, -1.0, "100", "called on"),
    "ACCUSE": (3, -3.0, "112", "accused"),
    "THREATEN": (3, -3.5, "138", "threatened"),
    "PROTEST": (4, -5.0, "140", "protested against"),
    "SANCTION": (4, -6.0, "163", "imposed sanctions on"),
    "COERCE": (4, -7.0, "170", "seized ships of"),
    "ASSAULT": (4, -9.0, "190", "shelled positions of"),
}
COOPERATIVE = ("AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID")
HOSTILE = ("REQUEST", "ACCUSE", "THREATEN", "PROTEST", "SANCTION", "COERCE")
BURST_TYPES = {"escalation": ("ASSAULT", "COERCE", "THREATEN"),
               "de-escalation": ("COOPERATE", "AGREE", "AID")}
FILLER_CODES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH")


@dataclass(frozen=True)
class Pair:
    """A dyad's steady relations: stories a week and the share of them that are hostile."""

    actor: str
    recipient: str
    rate: float = 5.0
    hostility: float = 0.3


@dataclass(frozen=True)
class Burst:
    """Extra stories of one kind for one pair in one week (0-based week number)."""

    actor: str
    recipient: str
    week: int
    direction: str  # "escalation" or "de-escalation"
    stories: int = 10


@dataclass(frozen=True)
class Echo:
    """One story about a pair copied by ``outlets`` outlets in one week."""

    actor: str
    recipient: str
    week: int
    outlets: int = 50
    type: str = "ASSAULT"


@dataclass(frozen=True)
class Stream:
    """What to generate. ``surges`` multiplies all coverage in the given weeks."""

    start: date = date(2023, 1, 2)  # a Monday
    weeks: int = 40
    pairs: tuple[Pair, ...] = (Pair("RUS", "UKR", 6, 0.7), Pair("FRA", "DEU", 5, 0.1))
    filler: float = 150.0  # unrelated stories a week
    outlets: int = 30
    mean_copies: float = 1.6  # outlets carrying a story, on average
    volume_noise: float = 0.15  # sd of the weekly log coverage factor
    bursts: tuple[Burst, ...] = ()
    echoes: tuple[Echo, ...] = ()
    surges: dict[int, float] = field(default_factory=dict)
    seed: int = 1


@dataclass(frozen=True)
class StoryEvent:
    type: str
    actor: str
    recipient: str
    day: date
    sentence: str

    @property
    def quad(self) -> int:
        return TYPES[self.type][0]

    @property
    def intensity(self) -> float:
        return TYPES[self.type][1]

    @property
    def cameo(self) -> str:
        return TYPES[self.type][2]


@dataclass(frozen=True)
class Story:
    """One story: its events and the outlets that carried it (one article each)."""

    number: int
    day: date
    title: str
    events: tuple[StoryEvent, ...]
    outlets: tuple[str, ...]


def stories(stream: Stream) -> Iterator[Story]:
    """Every story of ``stream``, week by week."""
    rng = random.Random(stream.seed)
    number = 0
    for week in range(stream.weeks):
        monday = stream.start + timedelta(weeks=week)
        factor = math.exp(rng.gauss(0.0, stream.volume_noise)) * stream.surges.get(week, 1.0)
        for kinds, pair in _week_plan(stream, week, factor, rng):
            number += 1
            yield _story(stream, number, monday, kinds, pair, rng)
        for echo in (e for e in stream.echoes if e.week == week):
            number += 1
            yield _echo(stream, number, monday, echo, rng)


def _week_plan(
    stream: Stream, week: int, factor: float, rng: random.Random
) -> list[tuple[tuple[str, ...], tuple[str, str]]]:
    """(event types, pair) of each story of one week."""
    plan = []
    for pair in stream.pairs:
        for _ in range(_poisson(pair.rate * factor, rng)):
            pool = HOSTILE if rng.random() < pair.hostility else COOPERATIVE
            plan.append((tuple(rng.choice(pool) for _ in range(rng.choice((1, 1, 2)))),
                         (pair.actor, pair.recipient)))
    for burst in (b for b in stream.bursts if b.week == week):
        for _ in range(burst.stories):
            plan.append(((rng.choice(BURST_TYPES[burst.direction]),), (burst.actor, burst.recipient)))
    for _ in range(_poisson(stream.filler * factor, rng)):
        actor, recipient = rng.sample(FILLER_CODES, 2)
        plan.append(((rng.choice(COOPERATIVE + HOSTILE),), (actor, recipient)))
    rng.shuffle(plan)
    return plan


def _poisson(mean: float, rng: random.Random) -> int:
    """A Poisson draw (Knuth's method; means here are small or normal-approximated)."""
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _story(
    stream: Stream, number: int, monday: date, kinds: tuple[str, ...], pair: tuple[str, str],
    rng: random.Random,
) -> Story:
    day = monday + timedelta(days=rng.randrange(7))
    events = tuple(StoryEvent(kind, *pair, day, _sentence(kind, pair, number)) for kind in kinds)
    copies = min(stream.outlets, 1 + _poisson(stream.mean_copies - 1, rng))
    outlets = tuple(f"outlet{n:02d}" for n in rng.sample(range(stream.outlets), copies))
    return Story(number, day, f"Story {number}: {events[0].sentence}", events, outlets)


def _echo(stream: Stream, number: int, monday: date, echo: Echo, rng: random.Random) -> Story:
    day = monday + timedelta(days=rng.randrange(7))
    pair = (echo.actor, echo.recipient)
    event = StoryEvent(echo.type, *pair, day, _sentence(echo.type, pair, number))
    outlets = tuple(f"wire{n:03d}" for n in range(echo.outlets))
    return Story(number, day, f"Story {number}: {event.sentence}", (event,), outlets)


def _sentence(kind: str, pair: tuple[str, str], number: int) -> str:
    return f"{pair[0]} {TYPES[kind][3]} {pair[1]} (report {number})."


# -- through the real writer ----------------------------------------------------

def write_results(db: Database, stream: Stream) -> int:
    """Store every article of ``stream`` with ``Database.add``; returns articles stored."""
    stored = 0
    for story in stories(stream):
        body = _body(story)
        for outlet in story.outlets:
            if db.add(_result(story, outlet, body)) is not None:
                stored += 1
    return stored


def _body(story: Story) -> str:
    """Sentences of the story's events, then words unique to it (so stories do not cluster)."""
    rng = random.Random(story.number)
    words = " ".join(f"w{rng.randrange(10**6)}" for _ in range(60))
    return " ".join(e.sentence for e in story.events) + "\n\n" + words + "."


def _result(story: Story, outlet: str, body: str) -> Result:
    article = Article(
        title=story.title, publisher=outlet, url=f"https://{outlet}.example/{story.number}",
        published=story.day, body=body,
    )
    events, offset = [], 0
    for e in story.events:
        start = body.index(e.sentence, offset)
        offset = start + len(e.sentence)
        events.append(Event(
            type=e.type, mode=None, context=[], actor=[EventActor(e.actor, e.actor, e.actor)],
            recipient=[EventActor(e.recipient, e.recipient, e.recipient)],
            date=e.day.isoformat(), date_precision="day", negated=False, modality="asserted",
            location=None, intensity=e.intensity, quad=e.quad, cameo=e.cameo,
            sentence=e.sentence, start=start, end=offset, confidence=0.9,
        ))
    return Result(id=f"{outlet}-{story.number}", article=article, events=events)


# -- direct inserts -----------------------------------------------------------

@dataclass
class _Ids:
    article: int = 0
    event: int = 0


def write_bulk(conn: Any, stream: Stream, *, batch: int = 20000) -> int:
    """Insert ``stream`` with plain INSERTs into an empty, migrated store; returns events."""
    ids, rows = _Ids(), _Rows()
    conn.execute("BEGIN")
    for story in stories(stream):
        rows.add(story, ids)
        if len(rows.events) >= batch:
            rows.flush(conn)
    rows.flush(conn)
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        _advance_ids(conn)
    conn.execute("COMMIT")
    return ids.event


def _advance_ids(conn: Any) -> None:
    """PostgreSQL's identity columns do not see ids inserted explicitly: move them on, so
    the writer's next rows get fresh ids."""
    for table in ("clusters", "articles", "events", "event_sources"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                     f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")


@dataclass
class _Rows:
    clusters: list[tuple[int, int]] = field(default_factory=list)
    articles: list[tuple[object, ...]] = field(default_factory=list)
    events: list[tuple[object, ...]] = field(default_factory=list)
    sources: list[tuple[object, ...]] = field(default_factory=list)

    def add(self, story: Story, ids: _Ids) -> None:
        first = ids.article + 1
        self.clusters.append((story.number, first))
        for outlet in story.outlets:
            ids.article += 1
            self.articles.append((
                ids.article, f"s{story.number}-{outlet}", f"{outlet}-{story.number}",
                f"https://{outlet}.example/{story.number}", story.title, outlet,
                story.day.isoformat(), "", story.number, "{}", "2024-01-01T00:00:00Z",
            ))
        for e in story.events:
            ids.event += 1
            self.events.append((
                ids.event, f"{e.type}|{e.actor}|{e.recipient}|0", e.type, e.quad, e.cameo,
                e.actor, json.dumps([e.actor]), e.recipient, json.dumps([e.recipient]),
                e.day.isoformat(), "day", 0, "asserted", e.intensity, story.number, first,
                "2024-01-01T00:00:00Z",
            ))
            for article in range(first, ids.article + 1):
                self.sources.append((ids.event, article, e.sentence, 0, len(e.sentence), 1, "{}"))

    def flush(self, conn: Any) -> None:
        conn.executemany("INSERT INTO clusters(id, first_article_id) VALUES (?, ?)", self.clusters)
        conn.executemany(
            "INSERT INTO articles(id, hash, doc_id, url, title, publisher, published, body,"
            " cluster_id, result_json, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", self.articles)
        conn.executemany(
            "INSERT INTO events(id, merge_key, type, quad, cameo, actor_code, actor_codes,"
            " recipient_code, recipient_codes, date, date_precision, negated, modality, intensity,"
            " cluster_id, first_article_id, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            self.events)
        conn.executemany(
            'INSERT INTO event_sources(event_id, article_id, sentence, start, "end", is_root,'
            " event_json) VALUES (?,?,?,?,?,?,?)", self.sources)
        for rows in (self.clusters, self.articles, self.events, self.sources):
            rows.clear()
