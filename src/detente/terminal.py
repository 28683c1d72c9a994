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


class PrintableFormatter(logging.Formatter):
    """A log formatter whose message line is :func:`printable` (tracebacks keep their lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record))
