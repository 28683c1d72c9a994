"""Alerts, movers and the busiest dyads, each with what it rests on.

An **alert** is a dyad-period whose escalation score ``z`` (``detente.analysis.index``)
reaches ``threshold`` (3.5 by default) in either direction, *and* whose support is real:

- ``escalation`` (``z >= threshold``): at least ``min_stories`` (3) independent stories
  reporting the dyad's conflict events (quads 3-4) that period, from at least
  ``min_outlets`` (2) distinct outlets;
- ``de-escalation`` (``z <= -threshold``): the same over its cooperation events (quads 1-2).

A story copied by fifty outlets is one story cluster, so it never makes an alert alone. A
de-escalation is a surge of cooperation against the dyad's past; a conflict that merely
goes quiet has no stories to show and raises none. Each alert carries its evidence: up to
``evidence`` reports, one per story, strongest first, each ``{article_id, title, url, date,
type, sentence}``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..store import series as sql
from ..store.series import Dyad, Window
from . import periods
from .index import DEFAULT as DEFAULT_INDEX
from .index import IndexSettings
from .series import panel

if TYPE_CHECKING:
    from ..store import Database

logger = logging.getLogger(__name__)

ESCALATION, DEESCALATION = "escalation", "de-escalation"


@dataclass(frozen=True)
class AlertSettings:
    """When a score becomes an alert (defaults documented in docs/analysis.md)."""

    threshold: float = 3.5
    min_stories: int = 3
    min_outlets: int = 2
    evidence: int = 5
    index: IndexSettings = DEFAULT_INDEX


DEFAULT_ALERTS = AlertSettings()


@dataclass(frozen=True)
class Evidence:
    """One report behind an alert."""

    article_id: int
    title: str | None
    url: str | None
    date: str | None
    type: str
    sentence: str
    outlet: str | None = None
    event_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Alert:
    """A dyad-period that broke from its own past, with the reports it rests on."""

    actor: str
    recipient: str
    period: str
    start: str
    direction: str
    index: float
    baseline: float
    z: float
    stories: int
    outlets: int
    by: str = "week"
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["evidence"] = [e.to_dict() for e in self.evidence]
        return out


@dataclass(frozen=True)
class Mover:
    """A dyad whose index changed most from the period before."""

    actor: str
    recipient: str
    period: str
    start: str
    index: float
    previous: float
    change: float
    z: float | None
    stories: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Busy:
    """A dyad and how much was reported about it."""

    actor: str
    recipient: str
    stories: int
    events: int
    outlets: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def alerts(
    db: Database, *, since: str | None = None, until: str | None = None, by: str = "week",
    factual: bool = True, settings: AlertSettings = DEFAULT_ALERTS,
) -> list[Alert]:
    """Escalation and de-escalation alerts of every coded dyad, strongest first."""
    frame = panel(db, by=by, since=since, until=until, factual=factual, settings=settings.index)
    hits = alert_rows(frame, settings)
    found = [_alert(db, row, by, factual, settings) for row in hits.itertuples(index=False)]
    logger.info("%d alerts over %d dyad-periods", len(found), len(frame))
    return sorted(found, key=lambda a: (-abs(a.z), a.start, a.actor, a.recipient))


def alert_rows(frame: pd.DataFrame, settings: AlertSettings = DEFAULT_ALERTS) -> pd.DataFrame:
    """The rows of a trends or panel frame that are alerts (score and support)."""
    if frame.empty:
        return frame
    up = ((frame["z"] >= settings.threshold) & (frame["conflict_stories"] >= settings.min_stories)
          & (frame["conflict_outlets"] >= settings.min_outlets))
    down = ((frame["z"] <= -settings.threshold)
            & (frame["cooperation_stories"] >= settings.min_stories)
            & (frame["cooperation_outlets"] >= settings.min_outlets))
    return frame[up | down]


def _alert(db: Database, row: Any, by: str, factual: bool, settings: AlertSettings) -> Alert:
    escalation = row.z > 0
    quads = sql.CONFLICT_QUADS if escalation else sql.COOPERATION_QUADS
    start = date.fromisoformat(row.start)
    return Alert(
        actor=row.actor, recipient=row.recipient, period=row.period, start=row.start,
        direction=ESCALATION if escalation else DEESCALATION, index=float(row.index),
        baseline=float(row.baseline), z=float(row.z),
        stories=int(row.conflict_stories if escalation else row.cooperation_stories),
        outlets=int(row.conflict_outlets if escalation else row.cooperation_outlets), by=by,
        evidence=evidence(db, row.actor, row.recipient, start, by, quads=quads,
                          limit=settings.evidence, factual=factual),
    )


def evidence(
    db: Database, actor: str | None, recipient: str | None, start: date, by: str = "week", *,
    quads: tuple[int, ...] = (1, 2, 3, 4), limit: int = 5, factual: bool = True,
) -> list[Evidence]:
    """The strongest reports of the dyad's events in the period from ``start``: one a story."""
    end = periods.last_day(periods.first_day(start, by), by)
    window = Window(by, periods.first_day(start, by).isoformat(), end.isoformat(), factual,
                    sql.dialect_of(db))
    rows = sql.frame(db, sql.evidence_sql(Dyad.of(actor, recipient), window, quads, 50 * limit))
    out: list[Evidence] = []
    seen: set[int] = set()
    for row in rows.itertuples(index=False):
        if row.cluster_id in seen:
            continue
        seen.add(row.cluster_id)
        out.append(Evidence(int(row.article_id), row.title, row.url, row.date or row.published,
                            row.type, row.sentence, row.outlet, int(row.event_id)))
        if len(out) == limit:
            break
    return out


def movers(
    db: Database, period: str, *, by: str = "week", limit: int = 10, factual: bool = True,
    settings: IndexSettings = DEFAULT_INDEX,
) -> list[Mover]:
    """Dyads whose index changed most from the period before ``period`` (``2023-W20``)."""
    start = periods.parse_label(period, periods.check_period(by))
    return _movers(_two_periods(db, start, by, factual, settings), start, by, limit)


def alerts_and_movers(
    db: Database, period: str, *, by: str = "week", limit: int = 10, factual: bool = True,
    settings: AlertSettings = DEFAULT_ALERTS,
) -> tuple[list[Alert], list[Mover]]:
    """``period``'s alerts (strongest first) and its movers, from one scoring of the panel
    (what the digest and the web app's home page show: half the work of asking apart)."""
    start = periods.parse_label(period, periods.check_period(by))
    frame = _two_periods(db, start, by, factual, settings.index)
    if frame.empty:
        return [], []
    now = frame[frame["start"] == start.isoformat()]
    hits = alert_rows(now, settings)
    found = [_alert(db, row, by, factual, settings) for row in hits.itertuples(index=False)]
    found.sort(key=lambda a: (-abs(a.z), a.start, a.actor, a.recipient))
    return found, _movers(frame, start, by, limit)


def _two_periods(db: Database, start: date, by: str, factual: bool,
                 settings: IndexSettings) -> pd.DataFrame:
    """The panel of ``start``'s period and the one before, each scored on its history."""
    before = periods.previous_start(start, by)
    return panel(db, by=by, since=before.isoformat(),
                 until=periods.last_day(start, by).isoformat(), factual=factual, settings=settings)


def _movers(frame: pd.DataFrame, start: date, by: str, limit: int) -> list[Mover]:
    if frame.empty:
        return []
    before = periods.previous_start(start, by)
    now = frame[frame["start"] == start.isoformat()]
    prev = frame[frame["start"] == before.isoformat()][["actor", "recipient", "index", "stories"]]
    both = now.merge(prev, on=["actor", "recipient"], how="left", suffixes=("", "_prev")).fillna(
        {"index_prev": 0.0, "stories_prev": 0})
    both = both[(both["stories"] > 0) | (both["stories_prev"] > 0)]
    both = both.assign(change=both["index"] - both["index_prev"])
    both = both.reindex(both["change"].abs().sort_values(ascending=False).index).head(limit)
    return [
        Mover(str(row.actor), str(row.recipient), row.period, row.start, float(row.index),
              float(row.index_prev), float(row.change),
              None if math.isnan(row.z) else float(row.z), int(row.stories))
        for row in both.itertuples(index=False)
    ]


def busiest(
    db: Database, since: str | None = None, until: str | None = None, limit: int = 10, *,
    factual: bool = True,
) -> list[Busy]:
    """Coded dyads with the most independent stories between ``since`` and ``until``."""
    for name, value in (("since", since), ("until", until)):
        if value:
            periods.parse_date(value, f"--{name}")
    rows = sql.frame(db, sql.busiest_sql(
        Window("day", since, until, factual, sql.dialect_of(db)), limit))
    return [Busy(r.actor, r.recipient, int(r.stories), int(r.events), int(r.outlets))
            for r in rows.itertuples(index=False)]
