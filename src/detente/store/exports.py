"""Reads for the exports: merged events row by row, each with the articles reporting it.

The events come from one streaming query; their sources from one more query per
``BATCH`` events (never one per event), in the order they were stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .backend import Connection
from .query import Filters, events_sql

logger = logging.getLogger(__name__)

# Events whose sources are fetched together: few queries, bounded memory.
BATCH = 500


@dataclass(frozen=True)
class EventSource:
    """One article reporting an event, with the sentence that reports it."""

    url: str | None
    publisher: str | None
    published: str | None
    sentence: str


@dataclass(frozen=True)
class SourcedEvent:
    """A merged event (the columns of ``events_sql``) and every article reporting it."""

    row: dict[str, Any]
    sources: list[EventSource]


def event_rows(conn: Connection, filters: Filters) -> Iterator[dict[str, Any]]:
    """Matching merged events, latest first, one dict a row, read as they are used."""
    sql, params = events_sql(filters)
    for row in conn.execute(sql, params):
        yield dict(row)


def sourced_events(
    conn: Connection, filters: Filters, batch: int = BATCH
) -> Iterator[SourcedEvent]:
    """Matching merged events, each with its sources (stored order)."""
    rows = event_rows(conn, filters)
    while chunk := list(islice(rows, batch)):
        sources = _sources_of(conn, [int(row["event_id"]) for row in chunk])
        for row in chunk:
            yield SourcedEvent(row, sources.get(int(row["event_id"]), []))


def _sources_of(conn: Connection, event_ids: list[int]) -> dict[int, list[EventSource]]:
    marks = ",".join("?" * len(event_ids))
    found: dict[int, list[EventSource]] = {}
    for row in conn.execute(
        "SELECT s.event_id, a.url, a.publisher, a.published, s.sentence FROM event_sources s"
        f" JOIN articles a ON a.id = s.article_id WHERE s.event_id IN ({marks})"
        " ORDER BY s.event_id, s.id", event_ids,
    ):
        found.setdefault(int(row["event_id"]), []).append(
            EventSource(row["url"], row["publisher"], row["published"], row["sentence"])
        )
    return found
