"""Dyad series: one row a period of who did what to whom, with the escalation index.

``trends`` is one dyad's series (either side may be a wildcard); ``panel`` is every coded
dyad's series at once, what alerts and movers read. The counting runs in SQL
(``detente.store.series``); pandas only lays the few rows per period side by side,
fills empty periods with zeros and scores the index (``detente.analysis.index``).

Columns (one row a period, ``start`` ascending):

- ``period`` (``2023-W20``, ``2023-05-16``, ``2023-05``), ``start`` (ISO date);
- ``events`` (distinct events), ``stories`` (distinct story clusters reporting them),
  ``outlets`` (distinct publishers), ``quad1`` .. ``quad4`` (events per quad class);
- ``quad``: the quad class with the most events (ties go to the more conflictual), 0 when
  there is none; ``quad_mean``: the events' mean quad class;
- ``intensity`` (summed, PLOVER scale -10..10) and ``intensity_mean``;
- ``goldstein`` (summed) and ``goldstein_mean``: each event's Goldstein score from its
  CAMEO code (GDELT's table), else from the CAMEO code its PLOVER type converts from;
- ``conflict`` / ``cooperation``: intensity-weighted independent stories (see the index),
  ``conflict_stories``, ``cooperation_stories``, ``conflict_outlets``, ``cooperation_outlets``;
- ``total_stories``: the corpus's stories published that period, or the dyad's own stories
  where those are more (events dated before the articles that report them: a history);
  ``share`` (``stories / total_stories``);
- ``index``, ``baseline``, ``scale``, ``z`` (``detente.analysis.index``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DetenteError
from ..export import default_cameo, goldstein
from ..store import series as sql
from ..store.series import Dyad, Window
from . import periods
from .index import DEFAULT as DEFAULT_INDEX
from .index import IndexSettings, escalation_index, score

if TYPE_CHECKING:
    from ..store import Database

logger = logging.getLogger(__name__)

COUNT_COLUMNS = (
    "events", "stories", "outlets", "quad1", "quad2", "quad3", "quad4", "intensity",
    "goldstein", "conflict", "cooperation", "conflict_stories", "cooperation_stories",
    "conflict_outlets", "cooperation_outlets",
)
COLUMNS = (
    "period", "start", "events", "stories", "outlets", "quad1", "quad2", "quad3", "quad4",
    "quad", "quad_mean", "intensity", "intensity_mean", "goldstein", "goldstein_mean",
    "conflict", "cooperation", "conflict_stories", "cooperation_stories", "conflict_outlets",
    "cooperation_outlets", "total_stories", "share", "index", "baseline", "scale", "z",
)


def trends(
    db: Database, actor: str | None = None, recipient: str | None = None, *,
    by: str = "week", since: str | None = None, until: str | None = None,
    factual: bool = True, actor_sector: str | None = None, recipient_sector: str | None = None,
    settings: IndexSettings = DEFAULT_INDEX,
) -> pd.DataFrame:
    """One row a period of the dyad ``actor`` -> ``recipient`` (``None``/``*``: any).

    Empty periods between ``since`` and ``until`` (else the dyad's first and last) are
    zeros. Factual events only unless ``factual=False``. Columns: see the module doc.
    """
    window = _window(db, by, since, until, factual)
    dyad = Dyad.of(actor, recipient, actor_sector, recipient_sector)
    counts = _counts(db, dyad, _with_history(window, settings))
    if counts.empty and not (since and until):
        return pd.DataFrame(columns=list(COLUMNS))
    first = periods.parse_date(since) if since else date.fromisoformat(counts["start"].min())
    last = periods.parse_date(until) if until else date.fromisoformat(counts["start"].max())
    history_first = _history_start(first, by, settings) if since else first
    grid = _grid(history_first, last, by)
    out = _finish(grid.merge(counts, on="start", how="left"), db, window, history_first, last, settings)
    keep = out["start"] >= periods.first_day(first, by).isoformat()
    return out[keep].reset_index(drop=True)


def panel(
    db: Database, *, by: str = "week", since: str | None = None, until: str | None = None,
    factual: bool = True, settings: IndexSettings = DEFAULT_INDEX,
) -> pd.DataFrame:
    """Every coded dyad's series (``actor``, ``recipient`` and the trends columns).

    Each dyad's periods run from the first to the last period of the corpus in the range
    (plus ``settings.window`` periods of history before ``since``), empty ones as zeros;
    rows before ``since`` are dropped after scoring.
    """
    window = _window(db, by, since, until, factual)
    counts = _counts(db, Dyad(), _with_history(window, settings), per_dyad=True)
    if counts.empty:
        return pd.DataFrame(columns=["actor", "recipient", *COLUMNS])
    totals = sql.frame(db, sql.corpus_stories_sql(_with_history(window, settings)))
    starts = pd.concat([counts["start"], totals["start"]])
    first = date.fromisoformat(starts.min())
    last = periods.parse_date(until) if until else date.fromisoformat(starts.max())
    grid = _grid(first, last, by)
    dyads = counts[["actor", "recipient"]].drop_duplicates().sort_values(["actor", "recipient"])
    full = dyads.merge(grid, how="cross").merge(
        counts, on=["actor", "recipient", "start"], how="left")
    out = _finish(full, db, window, first, last, settings, totals=totals,
                  groups=len(dyads), keys=("actor", "recipient"))
    if since:
        out = out[out["start"] >= periods.first_day(periods.parse_date(since), by).isoformat()]
    return out.reset_index(drop=True)


def _window(db: Database, by: str, since: str | None, until: str | None, factual: bool) -> Window:
    periods.check_period(by)
    first = periods.parse_date(since, "--since") if since else None
    last = periods.parse_date(until, "--until") if until else None
    if first and last and first > last:
        raise DetenteError(f"--since {since} is after --until {until}: swap them")
    return Window(by, since, until, factual, sql.dialect_of(db))


def _history_start(first: date, by: str, settings: IndexSettings) -> date:
    return periods.shift(periods.first_day(first, by), by, settings.window)


def _with_history(window: Window, settings: IndexSettings) -> Window:
    """``window`` reaching back far enough to give its first period a baseline."""
    if not window.since:
        return window
    start = _history_start(date.fromisoformat(window.since), window.by, settings)
    return replace(window, since=start.isoformat())


def _grid(first: date, last: date, by: str) -> pd.DataFrame:
    starts = periods.starts(first, last, by)
    return pd.DataFrame({
        "period": [periods.label(s, by) for s in starts],
        "start": [s.isoformat() for s in starts],
    })


def _counts(db: Database, dyad: Dyad, window: Window, *, per_dyad: bool = False) -> pd.DataFrame:
    """Per period (and dyad): event, story and outlet counts, intensity and Goldstein sums."""
    keys = ["actor", "recipient", "start"] if per_dyad else ["start"]
    events = sql.frame(db, sql.event_counts_sql(dyad, window, per_dyad=per_dyad))
    if events.empty:
        return pd.DataFrame(columns=[*keys, *COUNT_COLUMNS])
    events["goldstein"] = events["events"] * _goldstein_scores(events)
    for q in (1, 2, 3, 4):
        events[f"quad{q}"] = events["events"].where(events["quad"] == q, 0)
    summed = events.groupby(keys, as_index=False)[
        ["events", "quad1", "quad2", "quad3", "quad4", "intensity", "goldstein"]
    ].sum()
    reach = sql.frame(db, sql.reach_sql(dyad, window, per_dyad=per_dyad))
    return summed.merge(reach, on=keys, how="left")


def _goldstein_scores(events: pd.DataFrame) -> pd.Series:
    """Each row's Goldstein score: its CAMEO code's, else its PLOVER type's CAMEO code's."""
    table, fallback = goldstein(), default_cameo()

    def one(cameo: object, kind: object) -> float:
        code = str(cameo) if isinstance(cameo, str) and cameo else fallback.get(str(kind), "")
        for key in (code, code[:3], code[:2]):
            if key in table:
                return table[key]
        return np.nan

    return pd.Series([one(c, t) for c, t in zip(events["cameo"], events["type"], strict=True)],
                     index=events.index, dtype=float)


def _finish(
    frame: pd.DataFrame, db: Database, window: Window, first: date, last: date,
    settings: IndexSettings, totals: pd.DataFrame | None = None, groups: int = 1,
    keys: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Fill empty periods, join the corpus volume, derive means, shares, index and score.

    ``frame`` holds ``groups`` series of equal length one after the other (one a dyad).
    """
    frame[list(COUNT_COLUMNS)] = frame[list(COUNT_COLUMNS)].fillna(0)
    if totals is None:
        span = replace(window, since=first.isoformat(), until=periods.last_day(
            periods.first_day(last, window.by), window.by).isoformat())
        totals = sql.frame(db, sql.corpus_stories_sql(span))
    frame = frame.merge(totals, on="start", how="left")
    # Events can be dated before the articles reporting them are published (a history):
    # the volume of such a period is at least the dyad's own stories.
    frame["total_stories"] = np.maximum(frame["total_stories"].fillna(0), frame["stories"].fillna(0))
    counted = [c for c in COUNT_COLUMNS if c not in ("intensity", "goldstein", "conflict",
                                                     "cooperation")]
    frame = frame.astype(dict.fromkeys([*counted, "total_stories"], "int64"))
    _derive(frame, settings)
    _score(frame, groups, settings)
    return frame[[*keys, *COLUMNS]]


def _derive(frame: pd.DataFrame, settings: IndexSettings) -> None:
    events = frame["events"].where(frame["events"] > 0)
    quads = frame[["quad1", "quad2", "quad3", "quad4"]].to_numpy()
    # argmax of the reversed columns: the most events, ties to the higher quad.
    frame["quad"] = np.where(quads.sum(axis=1) > 0, 4 - np.argmax(quads[:, ::-1], axis=1), 0)
    frame["quad_mean"] = (quads * np.arange(1, 5)).sum(axis=1) / events
    frame["intensity_mean"] = frame["intensity"] / events
    frame["goldstein_mean"] = frame["goldstein"] / events
    total = frame["total_stories"].where(frame["total_stories"] > 0)
    frame["share"] = (frame["stories"] / total).fillna(0.0)
    frame["index"] = escalation_index(frame["conflict"], frame["cooperation"],
                                      frame["total_stories"], settings)


def _score(frame: pd.DataFrame, groups: int, settings: IndexSettings) -> None:
    """Baseline, scale and z of each of the ``groups`` equal-length series in ``frame``."""
    index = frame["index"].to_numpy().reshape(groups, -1)
    total = frame["total_stories"].to_numpy().reshape(groups, -1)
    scores = score(index, total, settings)  # every series at once, each on its own past
    frame["baseline"] = scores.baseline.ravel()
    frame["scale"] = scores.scale.ravel()
    frame["z"] = scores.z.ravel()
