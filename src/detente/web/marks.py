"""Marking spans of a story's text as well-formed HTML.

A story carries entities inside quotes inside event sentences, and spans that cross
(a quote that ends in the middle of an event's sentence). ``mark`` turns the text and
its spans into HTML in which every tag nests: a span that crosses another is closed
and reopened around the boundary. All text is escaped; links are put on the text
itself (the innermost span with a link wins), so anchors never nest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Span:
    """A stretch of text to mark: ``text[start:end]`` (end exclusive)."""

    start: int
    end: int
    kind: str  # a CSS class: entity, quote, event, timex, speaker
    href: str | None = None
    title: str | None = None
    anchor: str | None = None  # an element id, given to the first piece only


def _order(span: Span, rank: int) -> tuple[int, int, int]:
    """Outer spans first: earlier start, then longer, then the order given."""
    return (span.start, -span.end, rank)


def _clip(spans: Sequence[Span], size: int) -> list[Span]:
    kept = []
    for span in spans:
        start, end = max(0, span.start), min(size, span.end)
        if start < end:
            kept.append(Span(start, end, span.kind, span.href, span.title, span.anchor))
        else:
            logger.debug("span %s outside the text (length %d): not marked", span, size)
    return kept


def _open_tag(span: Span, first: bool) -> str:
    attrs = [f'class="{escape(span.kind)}"']
    if span.title:
        attrs.append(f'title="{escape(span.title)}"')
    if first and span.anchor:
        attrs.append(f'id="{escape(span.anchor)}"')
    return f"<mark {' '.join(attrs)}>"


def _piece(text: str, active: Sequence[Span]) -> str:
    href = next((s.href for s in reversed(active) if s.href), None)
    if href is None:
        return str(escape(text))
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def mark(text: str, spans: Sequence[Span]) -> Markup:
    """``text`` escaped, with each span as a ``<mark>`` element; always well-formed."""
    kept = _clip(spans, len(text))
    rank = {id(s): i for i, s in enumerate(kept)}
    cuts = sorted({0, len(text), *(s.start for s in kept), *(s.end for s in kept)})
    opened: set[int] = set()
    stack: list[Span] = []
    out: list[str] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        active = sorted((s for s in kept if s.start <= left and right <= s.end),
                        key=lambda s: _order(s, rank[id(s)]))
        common = 0
        while common < min(len(stack), len(active)) and stack[common] is active[common]:
            common += 1
        out.extend("</mark>" for _ in stack[common:])
        for span in active[common:]:
            out.append(_open_tag(span, id(span) not in opened))
            opened.add(id(span))
        stack = active
        out.append(_piece(text[left:right], active))
    out.extend("</mark>" for _ in stack)
    return Markup("".join(out))
