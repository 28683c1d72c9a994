"""Text from inputs, made safe to print: control characters and escape sequences shown, not run.

A page, a feed or a WARC header can carry ANSI escape sequences (``\\x1b[2J``, a
hyperlink, a title change) or bidirectional overrides that reorder what a reader sees.
Everything detente prints to a terminal from its inputs (error messages, skip reports,
table cells, log lines) goes through :func:`printable`, which writes such characters as
visible escapes (``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

logger = logging.getLogger(__name__)

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates (the "Trojan Source" characters).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Only C1 controls and the bidirectional characters need escaping inside JSON text:
# json.dumps already writes C0 controls as \\u00XX.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` as one line safe for a terminal: every control character written as an escape."""
    return _UNSAFE.sub(_escape, str(text))


def json_for_terminal(line: str) -> str:
    """A JSON text with C1 controls and bidi characters written as ``\\u`` escapes.

    Still the same JSON (these characters only occur inside strings, where ``\\uXXXX``
    means the same), but a terminal shows them instead of obeying them.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", line)


# What a table or JSON Lines text keeps as it is on a terminal: its own line breaks and tabs.
_UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class TerminalWriter:
    """A text stream for a terminal: what is written has its control characters shown.

    ``json=True`` for JSON text (C1 and bidi characters become ``\\uXXXX``, the same
    JSON); otherwise every control character but line breaks and tabs becomes an escape.
    """

    def __init__(self, stream: TextIO, *, json: bool = False) -> None:
        self.stream = stream
        self.json = json

    def write(self, text: str) -> int:
        safe = json_for_terminal(text) if self.json else _UNSAFE_IN_TEXT.sub(_escape, text)
        self.stream.write(safe)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


class PrintableFormatter(logging.Formatter):
    """A log formatter whose message line is :func:`printable` (tracebacks keep their lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record))
