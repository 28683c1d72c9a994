"""Pairing quotation marks in raw text: straight or curly, double or single.

A paragraph that opens a double quote without closing it continues into the next
paragraph when that one opens with a quotation mark again (the newspaper
convention for quotes that run over several paragraphs); otherwise the quote is
closed at the end of its paragraph.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
STRAIGHT_DOUBLE = '"'
SINGLE_OPEN = "‘"
SINGLE_CLOSE = "’"
STRAIGHT_SINGLE = "'"
TWO_SINGLES = "''"
QUOTE_CHARS = frozenset(DOUBLE_OPEN + DOUBLE_CLOSE + STRAIGHT_DOUBLE + SINGLE_OPEN)
_CANDIDATES = re.compile("''|[" + re.escape(DOUBLE_OPEN + DOUBLE_CLOSE + STRAIGHT_DOUBLE + SINGLE_OPEN + SINGLE_CLOSE + STRAIGHT_SINGLE) + "]")
# A transcript line opening with a stray mark before a speaker label ('"PENCE: Well, ...'):
# the mark opens no quotation (the label pass reads the line as what PENCE said).
_TRANSCRIPT_LABEL = re.compile(r"[\s]*[\"“]([A-Z][A-Z.'’ -]{1,30}):\s")
# Characters after which a single quote mark opens a quotation (not an apostrophe).
_SINGLE_OPENERS = frozenset(" \t([—–-“\"/:")


@dataclass(frozen=True)
class MarkedSpan:
    """A stretch of text inside quotation marks, marks included.

    ``end`` is just after the closing mark, or the paragraph end when the quote
    was never closed (``closed`` False). ``paragraphs`` counts the paragraphs it
    runs over.
    """

    start: int
    end: int
    closed: bool = True
    paragraphs: int = 1
    single: bool = False


@dataclass
class _State:
    double_at: int | None = None
    single_at: int | None = None
    paragraphs: int = 1
    nested: bool = False  # a curly quotation open inside a straight one


def _lines(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    end = text.find("\n")
    while end >= 0:  # str.find, not a walk over every character
        spans.append((start, end))
        start = end + 1
        end = text.find("\n", start)
    spans.append((start, len(text)))
    return spans


def _opens_single(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return before in _SINGLE_OPENERS and after.isalnum()


def _closes_single(text: str, i: int, line_end: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < line_end else " "
    return not before.isspace() and not after.isalnum()


def _scan_line(text: str, begin: int, end: int, state: _State, out: list[MarkedSpan]) -> None:
    # a quotation carried over from the previous paragraph re-opens this one
    stripped = len(text[begin:end]) - len(text[begin:end].lstrip())
    reopen_at = begin + stripped if state.double_at is not None else -1
    if _TRANSCRIPT_LABEL.match(text, begin, end):
        reopen_at = begin + stripped
    for match in _CANDIDATES.finditer(text, begin, end):
        i = match.start()
        paired = match.end() - i == 2  # '' as a double mark (NYT house style)
        ch = STRAIGHT_DOUBLE if paired else text[i]
        if i == reopen_at and (ch in DOUBLE_OPEN or ch == STRAIGHT_DOUBLE):
            continue
        ch = _direction(text, i, ch, state.double_at is not None)
        if ch == STRAIGHT_DOUBLE and state.double_at is None and not text[match.end() : end].strip():
            continue  # a straight mark ending its line opens nothing: a stray
        if ch in DOUBLE_OPEN or (ch == STRAIGHT_DOUBLE and state.double_at is None):
            if state.double_at is None:
                state.double_at, state.single_at = i, None
            elif text[state.double_at] == STRAIGHT_DOUBLE and not paired and state.double_at != i:
                if STRAIGHT_DOUBLE in text[i:end]:
                    state.nested = True  # '"... the question: “Is it fair?” ..."': held inside
                else:
                    # '"Trump walked on, chanting “U-S-A!”': a curly quotation inside a straight
                    # one that never closes (a blockquote's stray mark); the curly one is the quotation
                    state.double_at, state.single_at = i, None
        elif ch in DOUBLE_CLOSE or ch == STRAIGHT_DOUBLE:
            if state.nested and ch in DOUBLE_CLOSE:
                state.nested = False
            elif state.double_at is not None:
                out.append(MarkedSpan(state.double_at, match.end(), True, state.paragraphs))
                state.double_at, state.paragraphs, state.nested = None, 1, False
        elif state.double_at is None:
            _scan_single(text, i, end, state, out)


def _direction(text: str, i: int, ch: str, open_now: bool) -> str:
    """Curly marks typed the wrong way round: a ” that opens, a “ that closes."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch == "”" and not open_now and before.isspace() and after.isalnum():
        return "“"
    if ch == "“" and open_now and not before.isspace() and (after.isspace() or after in ".,;:"):
        return "”"
    return ch


def _scan_single(text: str, i: int, end: int, state: _State, out: list[MarkedSpan]) -> None:
    ch = text[i]
    if ch not in (SINGLE_OPEN, SINGLE_CLOSE, STRAIGHT_SINGLE):
        return
    if state.single_at is None:
        if ch != SINGLE_CLOSE and _opens_single(text, i):
            state.single_at = i
    elif ch != SINGLE_OPEN and _closes_single(text, i, end):
        out.append(MarkedSpan(state.single_at, i + 1, True, 1, single=True))
        state.single_at, state.nested = None, False


def _next_line_opens(text: str, lines: list[tuple[int, int]], index: int) -> bool:
    for begin, end in lines[index + 1 :]:
        stripped = text[begin:end].lstrip()
        if stripped and _TRANSCRIPT_LABEL.match(text, begin, end):
            return False
        if stripped:
            return stripped[0] in DOUBLE_OPEN or stripped.startswith((STRAIGHT_DOUBLE, TWO_SINGLES))
    return False


def find_marked_spans(text: str) -> list[MarkedSpan]:
    """Every quotation in ``text``, in order, as character spans including the marks."""
    out: list[MarkedSpan] = []
    state = _State()
    lines = _lines(text)
    for index, (begin, end) in enumerate(lines):
        _scan_line(text, begin, end, state, out)
        state.single_at, state.nested = None, False
        if state.double_at is None:
            continue
        if _next_line_opens(text, lines, index):
            if text[begin:end].strip():
                state.paragraphs += 1
            continue
        last = begin + len(text[begin:end].rstrip())
        if last > state.double_at + 1:
            out.append(MarkedSpan(state.double_at, last, False, state.paragraphs))
        state.double_at, state.paragraphs, state.nested = None, 1, False
    return sorted(out, key=lambda m: m.start)
