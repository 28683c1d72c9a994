"""The text the NLP stages read: the body, then each photo caption.

Captions carry facts too ("Ukrainian soldiers take part in an exercise ... on Friday,
Jan. 28, 2022"), so they are parsed with the body, after it, each in a paragraph of its
own. Afterwards every item found in a caption is moved into that caption's frame:
``caption`` = its index in ``article.captions``, offsets into the caption's text. Items
in the body keep ``caption = None`` and body offsets, as the contract says.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from dataclasses import dataclass
from typing import Protocol

from ..model import Article, Event, Result

logger = logging.getLogger(__name__)


class _Spanned(Protocol):
    start: int
    end: int

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Layout:
    text: str
    body_end: int
    caption_starts: tuple[int, ...]


def layout_of(article: Article) -> Layout:
    """The analysis text of ``article`` and where each part starts."""
    parts, starts = [article.body], []
    offset = len(article.body)
    for caption in article.captions:
        offset += len(SEPARATOR)
        starts.append(offset)
        parts.append(caption.text)
        offset += len(caption.text)
    return Layout(SEPARATOR.join(parts), len(article.body), tuple(starts))


def relocate(result: Result, layout: Layout) -> None:
    """Move caption items into their caption's frame; drop any that straddle parts."""
    if not layout.caption_starts:
        return
    result.entities = [e for e in result.entities if _move(e, layout)]
    result.timexes = [t for t in result.timexes if _move(t, layout)]
    result.events = [e for e in result.events if _move_event(e, layout)]
    kept = []
    for quote in result.quotes:
        part = _part(quote.start, layout)
        if _move(quote, layout):
            if quote.speaker is not None and _part(quote.speaker.start, layout) != part:
                quote.speaker = None  # a body speaker cannot be cited inside a caption
            elif quote.speaker is not None:
                _move(quote.speaker, layout)
            kept.append(quote)
    result.quotes = kept


def _move_event(event: Event, layout: Layout) -> bool:
    """:func:`_move`, the trigger's offsets shifted with the event's."""
    before = event.start
    if not _move(event, layout):
        return False
    if event.trigger is not None:
        shift = before - event.start
        event.trigger.start -= shift
        event.trigger.end -= shift
    return True


def _part(offset: int, layout: Layout) -> int | None:
    """None for the body, else the caption index holding ``offset``."""
    if offset < layout.body_end + len(SEPARATOR):
        return None
    return bisect_right(layout.caption_starts, offset) - 1


def _move(item: _Spanned, layout: Layout) -> bool:
    """Shift ``item`` into its part's frame; False when it straddles two parts."""
    part = _part(item.start, layout)
    if part is None:
        return item.end <= layout.body_end
    base = layout.caption_starts[part]
    last = part + 1 == len(layout.caption_starts)
    limit = len(layout.text) if last else layout.caption_starts[part + 1] - len(SEPARATOR)
    if item.end > limit:
        return False
    item.start, item.end = item.start - base, item.end - base
    if hasattr(item, "caption"):
        item.caption = part
    return True
