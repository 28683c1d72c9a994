"""The SQL behind the analysis: dyad series, corpus volume, evidence, the actor network.

Every aggregation runs in the database (``GROUP BY`` period), so a series over a store
of millions of events reads a few hundred rows into pandas. The SQL is standard
(``count(DISTINCT ...)``, ``CASE``, ``coalesce``, ``substr``, ``||``, bound parameters),
with one exception kept in one place: :func:`period_start`, the expression that turns an
ISO date into the first day of its day, ISO week or month, written per dialect.

A dyad is an event's first coded actor and first coded recipient (``events.actor_code``,
``events.recipient_code``: indexed columns), as ``detente query``'s pairs are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import DetenteError
from .query import FACTUAL_MODALITIES, Sql

if TYPE_CHECKING:
    import pandas as pd

    from . import Database

logger = logging.getLogger(__name__)

PERIODS = ("day", "week", "month")
WILDCARDS = (None, "", "*", "ANY")
CONFLICT_QUADS = (3, 4)
COOPERATION_QUADS = (1, 2)
# An article's outlet: its publisher, else its URL (one page), else the article itself.
OUTLET = "coalesce(a.publisher, a.url, CAST(a.id AS TEXT))"


def period_start(by: str, column: str, dialect: str = "sqlite") -> str:
    """SQL for the first day (``YYYY-MM-DD``) of the ``by`` period holding ``column``.

    The one dialect-specific expression of the analysis. ``column`` holds an ISO date
    (``YYYY-MM-DD``, or ``YYYY-MM`` for month-precision events when ``by`` is month).
    """
    day = f"substr({column}, 1, 10)"
    if by == "day":
        return day
    if by == "month":
        return f"substr({column}, 1, 7) || '-01'"
    if by != "week":
        raise DetenteError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
    if dialect == "postgresql":
        return f"to_char(date_trunc('week', CAST({day} AS date)), 'YYYY-MM-DD')"
    # SQLite: forward to the week's Sunday (itself on a Sunday), back to its Monday.
    return f"date({day}, 'weekday 0', '-6 days')"


@dataclass(frozen=True)
class Dyad:
    """Who acts on whom; a ``None`` code or sector matches any (a wildcard)."""

    actor: str | None = None
    recipient: str | None = None
    actor_sector: str | None = None
    recipient_sector: str | None = None

    @classmethod
    def of(cls, actor: str | None, recipient: str | None, actor_sector: str | None = None,
           recipient_sector: str | None = None) -> Dyad:
        """A dyad from user input: codes upper-cased, ``*``/``ANY``/empty as wildcards."""
        return cls(_code(actor), _code(recipient), _code(actor_sector), _code(recipient_sector))


def _code(value: str | None) -> str | None:
    value = value.strip().upper() if value else None
    return None if value in WILDCARDS else value


@dataclass(frozen=True)
class Window:
    """Which events a series counts: the period size, inclusive ISO dates, factual only."""

    by: str = "week"
    since: str | None = None
    until: str | None = None
    factual: bool = True
    dialect: str = "sqlite"  # of the store the SQL is for: "sqlite" or "postgresql"


def dialect_of(db: Database) -> str:
    """The SQL dialect of ``db``: its ``dialect`` attribute where it has one, else SQLite."""
    return str(getattr(db, "dialect", "sqlite"))


def _event_where(
    sql: Sql, dyad: Dyad, window: Window, *, coded: bool = False, sources: bool = True
) -> None:
    """The dyad, window and factuality conditions on ``events e`` (and ``event_sources s``).

    With ``sources``, a report must itself be factual too: an article that only denies an
    event merged with a reported one is no support for it.
    """
    if window.factual:
        marks = ", ".join("?" * len(FACTUAL_MODALITIES))
        sql.add(f"e.negated = 0 AND e.modality IN ({marks})", *FACTUAL_MODALITIES)
        if sources:
            sql.add(f"(s.modality IS NULL OR s.modality IN ({marks}))", *FACTUAL_MODALITIES)
    if window.by == "month":
        sql.add("e.date_precision IN ('day', 'month')")
    else:
        sql.add("e.date_precision = 'day'")
    for column, value in (("actor_code", dyad.actor), ("recipient_code", dyad.recipient),
                          ("actor_sector", dyad.actor_sector),
                          ("recipient_sector", dyad.recipient_sector)):
        if value is not None:
            sql.add(f"e.{column} = ?", value)
    if coded:
        sql.add("e.actor_code IS NOT NULL AND e.recipient_code IS NOT NULL")
    if window.since:
        sql.add("e.date >= ?", window.since[:7] if window.by == "month" else window.since)
    if window.until:
        sql.add("e.date <= ?", window.until)


def _keys(per_dyad: bool) -> str:
    return "e.actor_code AS actor, e.recipient_code AS recipient, " if per_dyad else ""


def _group(per_dyad: bool) -> str:
    return "e.actor_code, e.recipient_code, " if per_dyad else ""


def event_counts_sql(dyad: Dyad, window: Window, *, per_dyad: bool = False) -> tuple[str, list[Any]]:
    """Events, summed intensity and absolute intensity per period, quad, type and CAMEO code."""
    sql = Sql()
    _event_where(sql, dyad, window, coded=per_dyad, sources=False)
    start = period_start(window.by, "e.date", window.dialect)
    return (
        f"SELECT {_keys(per_dyad)}{start} AS start, e.quad, e.type, e.cameo, count(*) AS events,"
        " sum(coalesce(e.intensity, 0)) AS intensity"
        f" FROM events e{sql.clause()}"
        f" GROUP BY {_group(per_dyad)}{start}, e.quad, e.type, e.cameo",
        sql.params,
    )


def reach_sql(dyad: Dyad, window: Window, *, per_dyad: bool = False) -> tuple[str, list[Any]]:
    """Per period: the independent stories and outlets reporting the dyad, and their weights.

    A story is a cluster of near-duplicate articles. Each story reporting the dyad's events
    in a period counts once, weighted by the largest |intensity| of its conflict events
    (``conflict``) and of its cooperation events (``cooperation``); ``conflict_stories`` and
    ``conflict_outlets`` count the stories and outlets reporting a conflict event (and the
    same for cooperation). One pass over the reports: rows a (story, outlet), the story's
    weights over its rows by window functions, each story summed on its first row.
    """
    sql = Sql()
    _event_where(sql, dyad, window, coded=per_dyad)
    start = period_start(window.by, "e.date", window.dialect)
    conflict = f"CASE WHEN e.quad IN {CONFLICT_QUADS} THEN abs(coalesce(e.intensity, 0)) END"
    cooperation = f"CASE WHEN e.quad IN {COOPERATION_QUADS} THEN abs(coalesce(e.intensity, 0)) END"
    reports = (
        f"SELECT {_keys(per_dyad)}{start} AS start, a.cluster_id AS story, {OUTLET} AS outlet,"
        f" max({conflict}) AS conflict, max({cooperation}) AS cooperation"
        " FROM events e JOIN event_sources s ON s.event_id = e.id"
        f" JOIN articles a ON a.id = s.article_id{sql.clause()}"
        f" GROUP BY {_group(per_dyad)}{start}, a.cluster_id, {OUTLET}"
    )
    keys = "r.actor, r.recipient, " if per_dyad else ""
    story = f"PARTITION BY {keys}r.start, r.story"
    stories = (
        f"SELECT r.*, max(r.conflict) OVER ({story}) AS story_conflict,"
        f" max(r.cooperation) OVER ({story}) AS story_cooperation,"
        f" row_number() OVER ({story} ORDER BY r.outlet) AS nth FROM ({reports}) r"
    )
    keys = keys.replace("r.", "m.")
    return (
        f"SELECT {keys}m.start, count(CASE WHEN m.nth = 1 THEN 1 END) AS stories,"
        " count(DISTINCT m.outlet) AS outlets,"
        " count(DISTINCT CASE WHEN m.conflict IS NOT NULL THEN m.outlet END) AS conflict_outlets,"
        " count(DISTINCT CASE WHEN m.cooperation IS NOT NULL THEN m.outlet END)"
        " AS cooperation_outlets,"
        " count(CASE WHEN m.nth = 1 THEN m.story_conflict END) AS conflict_stories,"
        " count(CASE WHEN m.nth = 1 THEN m.story_cooperation END) AS cooperation_stories,"
        " coalesce(sum(CASE WHEN m.nth = 1 THEN m.story_conflict END), 0) AS conflict,"
        " coalesce(sum(CASE WHEN m.nth = 1 THEN m.story_cooperation END), 0) AS cooperation"
        f" FROM ({stories}) m GROUP BY {keys}m.start",
        sql.params,
    )


def corpus_stories_sql(window: Window) -> tuple[str, list[Any]]:
    """Distinct stories per period in the whole corpus, by the articles' publication dates.

    Read from ``story_volume`` (migration 0007), which triggers keep as articles are
    stored: a story counts once in each period in which one of its articles was published.
    """
    sql = Sql()
    sql.add("period = ?", window.by)
    if window.since:
        sql.add("start >= ?", first_day(window.since, window.by))
    if window.until:
        sql.add("start <= ?", window.until)
    return f"SELECT start, stories AS total_stories FROM story_volume{sql.clause()}", sql.params


def first_day(day: str, by: str) -> str:
    """The first day (ISO) of the ``by`` period holding the ISO date ``day``."""
    when = date.fromisoformat(day[:10])
    if by == "week":
        when -= timedelta(days=when.weekday())
    elif by == "month":
        when = when.replace(day=1)
    return when.isoformat()


def evidence_sql(
    dyad: Dyad, window: Window, quads: tuple[int, ...], limit: int
) -> tuple[str, list[Any]]:
    """The reports behind a dyad's events in a window, strongest first (one row a source)."""
    sql = Sql()
    _event_where(sql, dyad, window)
    marks = ", ".join("?" * len(quads))
    sql.add(f"e.quad IN ({marks})", *quads)
    return (
        "SELECT e.id AS event_id, e.type, e.quad, e.intensity, e.date, s.article_id, a.title, a.url,"
        f" a.published, {OUTLET} AS outlet, a.cluster_id, s.sentence"
        " FROM events e JOIN event_sources s ON s.event_id = e.id"
        f" JOIN articles a ON a.id = s.article_id{sql.clause()}"
        " ORDER BY abs(coalesce(e.intensity, 0)) DESC, e.date, s.is_root DESC, s.id"
        f" LIMIT {int(limit)}",
        sql.params,
    )


def network_sql(window: Window) -> tuple[str, list[Any]]:
    """Coded actor -> recipient edges with events, stories, intensity and quad counts."""
    sql = Sql()
    _event_where(sql, Dyad(), window, coded=True)
    quads = ", ".join(
        f"count(DISTINCT CASE WHEN e.quad = {q} THEN e.id END) AS quad{q}" for q in (1, 2, 3, 4)
    )
    return (
        "SELECT e.actor_code AS actor, e.recipient_code AS recipient,"
        " count(DISTINCT e.id) AS events, count(DISTINCT a.cluster_id) AS stories,"
        f" count(DISTINCT {OUTLET}) AS outlets, {quads}"
        " FROM events e JOIN event_sources s ON s.event_id = e.id"
        f" JOIN articles a ON a.id = s.article_id{sql.clause()}"
        " GROUP BY e.actor_code, e.recipient_code",
        sql.params,
    )


def intensity_sql(window: Window) -> tuple[str, list[Any]]:
    """Per coded dyad: mean and summed intensity over its distinct events."""
    sql = Sql()
    _event_where(sql, Dyad(), window, coded=True, sources=False)
    return (
        "SELECT e.actor_code AS actor, e.recipient_code AS recipient,"
        " avg(e.intensity) AS intensity_mean, sum(e.intensity) AS intensity"
        f" FROM events e{sql.clause()} GROUP BY e.actor_code, e.recipient_code",
        sql.params,
    )


def busiest_sql(window: Window, limit: int) -> tuple[str, list[Any]]:
    """Coded dyads by independent stories, busiest first."""
    sql = Sql()
    _event_where(sql, Dyad(), window, coded=True)
    return (
        "SELECT e.actor_code AS actor, e.recipient_code AS recipient,"
        " count(DISTINCT a.cluster_id) AS stories, count(DISTINCT e.id) AS events,"
        f" count(DISTINCT {OUTLET}) AS outlets"
        " FROM events e JOIN event_sources s ON s.event_id = e.id"
        f" JOIN articles a ON a.id = s.article_id{sql.clause()}"
        " GROUP BY e.actor_code, e.recipient_code"
        f" ORDER BY stories DESC, events DESC, actor, recipient LIMIT {int(limit)}",
        sql.params,
    )


def frame(db: Database, query: tuple[str, list[Any]]) -> pd.DataFrame:
    """Run one of these queries on ``db``; a DataFrame of its rows."""
    sql, params = query
    logger.debug("series query: %s %s", sql, params)
    return db.frame(sql, params)
