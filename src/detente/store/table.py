"""Plain-text tables of stored events for the terminal (``detente query``, the demo)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from ..terminal import printable
from . import Database, Filters
from .query import pairs_sql

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # 0: take what is left of the terminal


EVENT_COLUMNS = (Column("date", 10), Column("type", 9), Column("actor", 10),
                 Column("recipient", 10), Column("srcs", 4), Column("evidence", 0))


def render(columns: Sequence[Column], rows: Sequence[Sequence[object]], width: int | None = None) -> str:
    """Fixed-width rows under a header; the 0-width column is cut to fit the terminal."""
    total = width or shutil.get_terminal_size((120, 20)).columns
    fixed = sum(c.width + 2 for c in columns if c.width)
    widths = [c.width or max(20, total - fixed) for c in columns]
    lines = ["  ".join(c.title.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [_fit("" if v is None else str(v), w) for v, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _fit(text: str, width: int) -> str:
    # Cells hold text from the inputs: escape sequences are shown, never sent to the terminal.
    text = printable(" ".join(text.split()))
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def event_table(db: Database, filters: Filters, width: int | None = None) -> str:
    """Matching events, latest first: date, type, actor -> recipient, sources, evidence."""
    rows = [
        (r["date"], r["type"], _party(r["actor_code"], r["actor_sector"]),
         _party(r["recipient_code"], r["recipient_sector"]), r["num_articles"], r["sentence"])
        for r in db.event_rows(filters)
    ]
    if not rows:
        return "no matching events"
    return render(EVENT_COLUMNS, rows, width)


def pairs_table(db: Database, filters: Filters, width: int | None = None) -> str:
    """The busiest actor -> recipient pairs."""
    sql, params = pairs_sql(filters)
    columns = (Column("actor", 10), Column("recipient", 10), Column("events", 6),
               Column("mentions", 8), Column("coop", 5), Column("conflict", 8), Column("latest", 10))
    rows = [(r["actor_code"], r["recipient_code"], r["events"], r["mentions"],
             r["cooperation"], r["conflict"], r["latest"]) for r in db.rows(sql, params)]
    if not rows:
        return "no coded actor pairs yet"
    return render(columns, rows, width)


def _party(code: str | None, sector: str | None) -> str:
    if not code:
        return "-"
    return code + (f"/{sector}" if sector else "")
