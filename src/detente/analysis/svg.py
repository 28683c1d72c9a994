"""A small inline SVG chart writer: stacked bars, for the email-safe HTML digest.

No matplotlib and no external resource: the chart is one ``<svg>`` element with explicit
``width``/``height`` (mail clients and browsers then give it a size before any CSS), a
``<title>`` and a text legend, all text escaped. It is well-formed XML, so it can sit
inside an XHTML-clean page.

    svg = stacked_bars(["Mon", "Tue"], [Series("conflict", "#c0392b", [1, 3])], title="Events")
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

logger = logging.getLogger(__name__)

# The frame: room for the y labels on the left, the x labels and legend below.
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 52
FONT = 'font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#333333"'


@dataclass(frozen=True)
class Series:
    """One stacked layer: its name (for the legend), colour (#rrggbb) and a value per bar."""

    name: str
    colour: str
    values: Sequence[float]


def stacked_bars(
    labels: Sequence[str], series: Sequence[Series], *, title: str,
    width: int = 560, height: int = 220,
) -> str:
    """An SVG document fragment of bars, one per label, stacked by series."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    top = max([sum(s.values[i] for s in series) for i in range(len(labels))] + [0.0])
    scale = _nice(top)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        *_grid(scale, plot_w, plot_h),
        *_bars(labels, series, scale, plot_w, plot_h),
        *_legend(series, height),
        "</svg>",
    ]
    return "\n".join(parts)


def _nice(top: float) -> float:
    """The axis maximum: the data's top rounded up to 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= top:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= top:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _grid(scale: float, plot_w: int, plot_h: int) -> list[str]:
    lines = []
    for tick in (0.0, scale / 2, scale):
        y = TOP + plot_h - plot_h * tick / scale
        label = f"{tick:g}"
        lines.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}"'
                     ' stroke="#dddddd" stroke-width="1"/>')
        lines.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
                     f"{escape(label)}</text>")
    return lines


def _bars(
    labels: Sequence[str], series: Sequence[Series], scale: float, plot_w: int, plot_h: int
) -> list[str]:
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.6, 1.0)
    out = []
    for i, label in enumerate(labels):
        x = LEFT + slot * i + (slot - bar) / 2
        base = float(TOP + plot_h)
        for layer in series:
            value = layer.values[i]
            if value <= 0:
                continue
            h = plot_h * value / scale
            base -= h
            out.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                       f' fill={quoteattr(layer.colour)}><title>{escape(label)}: '
                       f"{escape(layer.name)} {value:g}</title></rect>")
        out.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle"'
                   f" {FONT}>{escape(label)}</text>")
    return out


def _legend(series: Sequence[Series], height: int) -> list[str]:
    out, x, y = [], LEFT, height - 14
    for layer in series:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill={quoteattr(layer.colour)}/>')
        out.append(f'<text x="{x + 14}" y="{y}" {FONT}>{escape(layer.name)}</text>')
        x += 20 + 6 * len(layer.name)  # about 6 px a character at 11 px
    return out
