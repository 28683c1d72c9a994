"""Calendar arithmetic for the time stage: ISO weeks, quarters, month shifts, feasts."""

from __future__ import annotations

import logging
from datetime import date, timedelta

logger = logging.getLogger(__name__)


def iso_week(day: date) -> str:
    """TIMEX3 week value: "2022-W04"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_of(day: date) -> int:
    """The calendar quarter (1-4) of ``day``."""
    return (day.month - 1) // 3 + 1


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months away."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the computus' own names
    m = (a + 11 * h + 19 * l) // 433
    month = (h + l - 7 * m + 90) // 25
    return date(year, month, (h + l - 7 * m + 33 * month + 19) % 32)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 = Monday) of a month; ``n`` = -1: the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _parse_value(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a calendar TIMEX3 value ("1995", "1995-05", "1995-05-22")."""
    parts = value.split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4 or len(parts) > 3:
        return None
    if not all(p.isdigit() and len(p) == 2 for p in parts[1:]):
        return None
    numbers = [int(p) for p in parts]
    return numbers[0], numbers[1] if len(numbers) > 1 else None, numbers[2] if len(numbers) > 2 else None


def shift_value(value: str, unit: str, delta: int) -> str | None:
    """The ``unit`` ("D", "W", "M", "Y") holding ``value`` moved by ``delta`` units.

    ``value`` is a reference date from the text ("1995-05-22"); the result has the
    unit's granularity ("the following year" -> "1996", "that week" -> "1995-W21").
    None when ``value`` is coarser than the unit (a year gives no week).
    """
    parsed = _parse_value(value)
    if parsed is None:
        return None
    year, month, day = parsed
    if unit == "Y":
        return str(year + delta)
    if month is None:
        return None
    if unit == "M":
        y, m = shift_month(year, month, delta)
        return f"{y}-{m:02d}"
    if day is None:
        return None
    if unit == "W":
        return iso_week(date(year, month, day) + timedelta(days=7 * delta))
    if unit == "D":
        return (date(year, month, day) + timedelta(days=delta)).isoformat()
    return None


def reference_day(value: str) -> date | None:
    """The day a calendar value names, when it names one ("1995-05-22")."""
    parsed = _parse_value(value)
    if parsed is None or parsed[1] is None or parsed[2] is None:
        return None
    return date(parsed[0], parsed[1], parsed[2])


def underspecified(known: str, unit: str) -> str | None:
    """A TIMEX3 value with the unknown ``unit`` as X placeholders: "1989" + W -> "1989-WXX"."""
    year, _, rest = known.partition("-")
    if unit == "W":
        return f"{year}-WXX"
    if unit == "M":
        return f"{year}-XX"
    if unit == "D":
        return f"{year}-{rest[:2]}-XX" if rest[:2].isdigit() else f"{year}-XX-XX"
    return None


def resolve_anaphor(reference: str, unit: str, delta: int) -> str | None:
    """``unit`` ("D", "W", "M", "Y") ``delta`` away from the text's reference date.

    "the following year" after "May 22, 1995" is "1996"; "that week" after a
    bare "1989" is "1989-WXX" (the year is known, the week is not); a shifted
    unit finer than the reference ("the following day" after "1989") has no value.
    """
    if unit not in ("D", "W", "M", "Y"):
        return None
    value = shift_value(reference, unit, delta)
    if value is None and delta == 0 and _parse_value(reference) is not None:
        return underspecified(reference, unit)
    return value
