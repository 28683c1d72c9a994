"""What every detente command shares: argument types that validate, and the exit codes.

Command modules build their argparse parsers with these ``type=`` functions, so a bad
value is refused before any work starts (argparse prints the message, exit code 2)::

    cmd.add_argument("--since", type=iso_date)
    cmd.add_argument("--week", type=iso_week)
    cmd.add_argument("--limit", type=positive_int)
"""

from __future__ import annotations

import argparse
import logging
import re
from datetime import date

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1  # nothing (or not all that was asked) was done: the message says why
EXIT_USAGE = 2  # a bad command line (argparse's code)
EXIT_PARTIAL = 3  # a batch ran to the end, but some inputs failed (each one reported)
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (`| head`), as 128 + SIGPIPE

EXIT_CODES_EPILOG = (
    "exit codes: 0 all done; 1 error (nothing written, or a single input failed); "
    "2 bad command line; 3 a batch (analyze of several inputs or --jsonl, ingest) "
    "finished but some inputs failed, each reported on stderr; 130 interrupted; "
    "141 stdout was closed early (e.g. piped into head): output cut short, no error printed"
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def iso_date(value: str) -> str:
    """A calendar date written ``YYYY-MM-DD`` (returned as written)."""
    if _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return value
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a real date (YYYY-MM-DD)") from None
    raise argparse.ArgumentTypeError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2022-01-31")


def iso_week(value: str) -> str:
    """An ISO week written ``YYYY-Www`` (``2023-W20``), returned as written."""
    match = _WEEK.fullmatch(value)
    if match:
        try:
            date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
            return value
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{value!r}: year {match.group(1)} has no week {match.group(2)}") from None
    raise argparse.ArgumentTypeError(f"{value!r} is not an ISO week: write it as YYYY-Www, e.g. 2023-W20")


def iso_month(value: str) -> str:
    """A month written ``YYYY-MM`` (``2023-05``), returned as written."""
    match = _MONTH.fullmatch(value)
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1:
        return value
    raise argparse.ArgumentTypeError(f"{value!r} is not a month: write it as YYYY-MM, e.g. 2023-05")


def positive_int(value: str) -> int:
    """A whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed here: give a number of at least 1")
    return number
