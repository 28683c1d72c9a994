"""Periods: a day, an ISO week or a month; their labels, first days and ranges.

Labels are ``2023-05-16`` (day), ``2023-W20`` (ISO week), ``2023-05`` (month); a period
is identified by its first day (``start``), which is what the store's SQL groups by.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from ..errors import DetenteError
from ..store.series import PERIODS

logger = logging.getLogger(__name__)

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def check_period(by: str) -> str:
    """``by`` if it is a known period size, else a clear error."""
    if by not in PERIODS:
        raise DetenteError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
    return by


def parse_date(value: str, name: str = "date") -> date:
    """An ISO date (``YYYY-MM-DD``), or a clear error naming ``name``."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise DetenteError(f"{name} {value!r} is not a date: write YYYY-MM-DD") from exc


def first_day(day: date, by: str) -> date:
    """The first day of the ``by`` period holding ``day``."""
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(start: date, by: str) -> date:
    """The first day of the period after the one starting on ``start``."""
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_start(start: date, by: str) -> date:
    """The first day of the period before the one starting on ``start``."""
    return first_day(start - timedelta(days=1), by)


def shift(start: date, by: str, periods: int) -> date:
    """``start`` moved back by ``periods`` periods (forward when negative)."""
    for _ in range(abs(periods)):
        start = previous_start(start, by) if periods > 0 else next_start(start, by)
    return start


def last_day(start: date, by: str) -> date:
    """The last day of the period starting on ``start``."""
    return next_start(start, by) - timedelta(days=1)


def label(start: date, by: str) -> str:
    """``2023-05-16``, ``2023-W20`` or ``2023-05``."""
    if by == "day":
        return start.isoformat()
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m")


def parse_label(text: str, by: str) -> date:
    """The first day of the period labelled ``text`` (as :func:`label` writes it)."""
    text = text.strip()
    week, month = _WEEK.match(text), _MONTH.match(text)
    try:
        if by == "week" and week:
            return date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        if by == "month" and month:
            return date(int(month.group(1)), int(month.group(2)), 1)
        if by == "day":
            return date.fromisoformat(text)
    except ValueError as exc:
        raise DetenteError(f"period {text!r} does not exist: {exc}") from exc
    example = {"day": "2023-05-16", "week": "2023-W20", "month": "2023-05"}[check_period(by)]
    raise DetenteError(f"period {text!r} is not a {by}: write it like {example}")


def starts(first: date, last: date, by: str) -> list[date]:
    """The first days of every period from the one holding ``first`` to the one holding ``last``."""
    out = []
    current = first_day(first, by)
    while current <= last:
        out.append(current)
        current = next_start(current, by)
    return out
