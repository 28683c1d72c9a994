"""The text the NLP stages read: the body, then each photo caption.

Captions carry facts too ("Ukrainian soldiers take part in an exercise ... on Friday,
Jan. 28, 2022"), so they are parsed with the body, after it, each in a paragraph of its
own. Afterwards every item found in a caption is moved into that caption's frame:
``caption`` = its index in ``article.captions``, offsets into the caption's text. Items
in the body keep ``caption = None`` and body offsets, as the contract says.

A text longer than the parser takes is analysed in pieces (:func:`split_pieces`, cut at
paragraph breaks where it can); each piece's items are moved back into the whole
text's frame with :func:`shift` before :func:`relocate` runs.
"""

from __future__ import annotations

import logging
import re
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
    moved: set[int] = set()  # triggers and speakers already moved (items may share one)
    result.events = [e for e in result.events if _move_event(e, layout, moved)]
    kept = []
    for quote in result.quotes:
        part = _part(quote.start, layout)
        if _move(quote, layout):
            if quote.speaker is not None and _part(quote.speaker.start, layout) != part:
                quote.speaker = None  # a body speaker cannot be cited inside a caption
            elif quote.speaker is not None and id(quote.speaker) not in moved:
                moved.add(id(quote.speaker))  # quotes may share one speaker, too
                _move(quote.speaker, layout)
            kept.append(quote)
    result.quotes = kept


def _move_event(event: Event, layout: Layout, moved: set[int]) -> bool:
    """:func:`_move`, the trigger's offsets shifted with the event's (once, where
    several events share one trigger)."""
    before = event.start
    if not _move(event, layout):
        return False
    if event.trigger is not None and id(event.trigger) not in moved:
        moved.add(id(event.trigger))
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


# -- long texts: analysed in pieces ------------------------------------------------------

# Where a piece may end, by preference: after a paragraph break, after a sentence's end
# (a full stop, question or exclamation mark, closing quotes or brackets, then a space),
# after any whitespace; else exactly at the limit.
_PARAGRAPH = "\n\n"
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    """A stretch of an analysis text: ``text`` is ``whole[start:start + len(text)]``."""

    start: int
    text: str


def split_pieces(text: str, limit: int) -> list[Piece]:
    """``text`` as consecutive pieces of at most ``limit`` characters that together
    make it up exactly; each cut after the last paragraph break that fits, else after a
    sentence's end, else after whitespace, else at the limit."""
    if limit < 1:
        raise ValueError(f"a piece must be allowed at least one character, not {limit}")
    pieces, start = [], 0
    while len(text) - start > limit:
        cut = _cut(text, start, start + limit)
        pieces.append(Piece(start, text[start:cut]))
        start = cut
    pieces.append(Piece(start, text[start:]))
    return pieces


def _cut(text: str, lo: int, hi: int) -> int:
    """Where the piece starting at ``lo`` ends: after ``lo``, at most at ``hi``."""
    found = text.rfind(_PARAGRAPH, lo, hi)
    if found > lo:
        return found + len(_PARAGRAPH)
    for pattern in (_SENTENCE_END, _WHITESPACE):
        end = _last_match_end(pattern, text, lo, hi)
        if end is not None:
            return end
    return hi


def _last_match_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """The end of the last match of ``pattern`` inside ``text[lo:hi]`` that ends after ``lo``."""
    last = None
    for match in pattern.finditer(text, lo, hi):
        last = match.end()
    return last if last is not None and last > lo else None


def shift(result: Result, by: int) -> None:
    """Move every offset of ``result``'s items ``by`` characters (a piece's start), so
    that they index the whole text the piece was cut from. An object that several
    items share (one trigger of two events) moves once."""
    if not by:
        return
    spans: list[_Spanned] = [*result.entities, *result.timexes]
    for quote in result.quotes:
        spans.append(quote)
        if quote.speaker is not None:
            spans.append(quote.speaker)
    for event in result.events:
        spans.append(event)
        if event.trigger is not None:
            spans.append(event.trigger)
    for item in {id(item): item for item in spans}.values():
        item.start += by
        item.end += by
