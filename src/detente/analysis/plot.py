"""Charts: a dyad's series with its alerts marked, PNG or SVG by the file's suffix.

Headless (matplotlib's Agg backend, no display). The upper panel is the escalation
index with its baseline band (baseline +- threshold x scale) and the alerts marked
(red triangles up: escalation; green triangles down: de-escalation); the lower panel is
the independent stories a period, conflict and cooperation stacked.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DetenteError
from ..outputs import atomic_output
from .alerts import DEESCALATION, DEFAULT_ALERTS, ESCALATION, AlertSettings, alert_rows
from .series import trends

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..store import Database

logger = logging.getLogger(__name__)

SUFFIXES = (".png", ".svg")


def plot(
    db: Database, actor: str | None, recipient: str | None, by: str = "week",
    path: str | Path = "dyad.svg", *, since: str | None = None, until: str | None = None,
    settings: AlertSettings = DEFAULT_ALERTS,
) -> Path:
    """Write the chart of ``actor`` -> ``recipient`` to ``path`` (``.png`` or ``.svg``)."""
    out = Path(path)
    if out.suffix.lower() not in SUFFIXES:
        raise DetenteError(f"{out}: name the chart .png or .svg")
    frame = trends(db, actor, recipient, by=by, since=since, until=until, settings=settings.index)
    if frame.empty:
        raise DetenteError(
            f"no events for {actor or '*'} -> {recipient or '*'} in the store: "
            "check the codes (detente query --db DB lists the pairs)"
        )
    figure = draw(frame, f"{actor or '*'} \u2192 {recipient or '*'} ({by})", settings)
    try:
        with atomic_output(out, binary=True, what="the chart") as fh:
            figure.savefig(fh, format=out.suffix.lower()[1:], bbox_inches="tight")
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return out


def draw(frame: pd.DataFrame, title: str, settings: AlertSettings = DEFAULT_ALERTS) -> Figure:
    """A matplotlib Figure of a trends frame (index, baseline band, alerts, stories)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = [date.fromisoformat(s) for s in frame["start"]]
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 5), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    top.plot(days, frame["index"], color="#333333", linewidth=1.4, label="escalation index")
    band = settings.threshold * np.maximum(frame["scale"].fillna(0).to_numpy(), 1e-9)
    base = frame["baseline"].to_numpy(dtype=float)
    top.fill_between(days, base - band, base + band, color="#9ecae1", alpha=0.4,
                     label=f"baseline \u00b1 {settings.threshold:g} scale")
    _mark(top, frame, days, settings)
    top.axhline(0, color="#999999", linewidth=0.6)
    top.set_title(title)
    top.set_ylabel("index")
    top.legend(loc="upper left", fontsize="small")
    bottom.bar(days, frame["conflict_stories"], color="#d6604d", width=_width(days), label="conflict")
    bottom.bar(days, frame["cooperation_stories"], bottom=frame["conflict_stories"],
               color="#4393c3", width=_width(days), label="cooperation")
    bottom.set_ylabel("stories")
    bottom.legend(loc="upper left", fontsize="small")
    figure.autofmt_xdate()
    return figure


def _mark(axes: Axes, frame: pd.DataFrame, days: list[date], settings: AlertSettings) -> None:
    hits = alert_rows(frame, settings)
    for direction, marker, colour in ((ESCALATION, "^", "#b2182b"), (DEESCALATION, "v", "#1a9850")):
        rows = hits[hits["z"] > 0] if direction == ESCALATION else hits[hits["z"] < 0]
        when = [days[i] for i in rows.index]
        axes.scatter(when, rows["index"], marker=marker, s=70, color=colour, zorder=3,
                     label=f"{direction} alert")


def _width(days: list[date]) -> float:
    if len(days) < 2:
        return 5.0
    return 0.8 * (days[1] - days[0]).days
