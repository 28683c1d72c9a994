"""A dyad's series as an SVG chart, drawn on the server (no script, no network).

Conflict events stand above the axis, cooperation events below it, one column a
period; each column links to that period's evidence. Alerts are marked over their
column (a triangle up for escalation, down for de-escalation).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 820, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 34


@dataclass(frozen=True)
class Column:
    """One period of the series."""

    period: str  # its label: 2022-W04, 2022-01-28, 2022-01
    conflict: int
    cooperation: int
    href: str
    alert: str | None = None  # escalation | de-escalation
    selected: bool = False


def _ticks(columns: Sequence[Column], step: float, base: float) -> list[str]:
    every = max(1, len(columns) // 8)
    out = []
    for i, col in enumerate(columns):
        if i % every == 0:
            x = LEFT + (i + 0.5) * step
            out.append(f'<text class="tick" x="{x:.1f}" y="{base:.1f}" text-anchor="middle">'
                       f"{escape(col.period)}</text>")
    return out


def _column(col: Column, x: float, width: float, mid: float, scale: float) -> str:
    up, down = col.conflict * scale, col.cooperation * scale
    label = f"{col.period}: {col.conflict} conflict, {col.cooperation} cooperation events"
    if col.alert:
        label += f"; {col.alert} alert"
    parts = [
        f'<a href="{escape(col.href)}" class="column{" selected" if col.selected else ""}">',
        f"<title>{escape(label)}</title>",
        f'<rect class="hit" x="{x:.1f}" y="{TOP}" width="{width:.1f}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="transparent"/>',
        f'<rect class="conflict" x="{x:.1f}" y="{mid - up:.1f}" width="{width:.1f}" '
        f'height="{up:.1f}" fill="#b3261e"/>',
        f'<rect class="cooperation" x="{x:.1f}" y="{mid:.1f}" width="{width:.1f}" '
        f'height="{down:.1f}" fill="#1e6bb3"/>',
    ]
    if col.alert:
        parts.append(_alert_mark(col.alert, x + width / 2))
    parts.append("</a>")
    return "".join(parts)


def _alert_mark(direction: str, cx: float) -> str:
    y = TOP - 4
    if direction == "escalation":
        points = f"{cx - 6:.1f},{y:.1f} {cx + 6:.1f},{y:.1f} {cx:.1f},{y - 10:.1f}"
    else:
        points = f"{cx - 6:.1f},{y - 10:.1f} {cx + 6:.1f},{y - 10:.1f} {cx:.1f},{y:.1f}"
    return f'<polygon class="alert {escape(direction)}" points="{points}" fill="#e0a000"/>'


def series_svg(columns: Sequence[Column], title: str) -> Markup:
    """The chart of ``columns`` as an inline ``<svg>`` element."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(columns))
    width = min(40.0, max(1.0, step * 0.8))
    peak = max([1, *(max(c.conflict, c.cooperation) for c in columns)])
    scale = (plot_h / 2) / peak
    mid = TOP + plot_h / 2
    body = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{LEFT}" y1="{mid:.1f}" x2="{WIDTH - RIGHT}" y2="{mid:.1f}"'
        ' stroke="#444"/>',
        f'<text class="legend" x="4" y="{TOP + 12}">conflict {peak}</text>',
        f'<text class="legend" x="4" y="{TOP + plot_h - 2}">cooperation {peak}</text>',
    ]
    body += [_column(col, LEFT + i * step + (step - width) / 2, width, mid, scale)
             for i, col in enumerate(columns)]
    body += _ticks(columns, step, HEIGHT - 10)
    body.append("</svg>")
    return Markup("".join(body))
