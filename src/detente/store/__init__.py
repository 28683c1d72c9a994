"""The event database: the only code that reads or writes it.

SQLite by default (one file, WAL, FTS5). ``open(path)`` gives a ``Database``::

    import detente
    db = detente.open("detente.db", read_only=True)
    db.events(actor="RUS", type="ASSAULT", since="2022-01-01")   # a pandas DataFrame
    db.articles(text="courthouse")
    db.quotes(actor="UKR")

``read_only=True`` is for readers (query, export, the analyses, the web app): the file
is opened with SQLite's ``mode=ro`` and is never created, switched to WAL or migrated.
A file that is not a detente store is refused either way.

A ``postgresql://`` URL opens the store in a PostgreSQL database instead (psycopg 3;
``detente.store.pgschema``): the same schema, the same queries through a thin dialect
layer (``detente.store.backend``), full-text search by ``tsvector``, and any number of
ingest processes writing at once (``detente.store.writer``). ``Database.dialect`` says
which: ``"sqlite"`` or ``"postgresql"``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from ..errors import DetenteError
from ..model import Result
from ..terminal import printable
from . import dedup
from .backend import POSTGRESQL, SQLITE, Connection, is_url
from .exports import SourcedEvent, event_rows, sourced_events
from .query import (
    Filters,
    articles_sql,
    event_sources_sql,
    events_sql,
    pairs_sql,
    quotes_sql,
)
from .schema import connect, stored_version
from .writer import Written, write_result

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Database", "Filters", "SourcedEvent", "Written", "open"]

# Tables counted by ``Database.counts`` (what an ingest adds).
TABLES = (
    "articles", "clusters", "entities", "timexes", "quotes", "events", "event_sources",
)


class Database:
    """A detente store. Reads return pandas DataFrames; ``add`` writes one result."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.read_only = read_only
        self.conn: Connection
        if is_url(path):
            from .pgschema import connect_postgresql, shown_url

            self.dialect = POSTGRESQL
            self.path: str | Path = str(path)
            self.shown = shown_url(str(path))
            self.conn = connect_postgresql(str(path), read_only=read_only)
        else:
            self.dialect = SQLITE
            self.path = Path(path)
            self.shown = printable(str(self.path))
            self.conn = connect(self.path, read_only=read_only)

    # -- writing ---------------------------------------------------------------
    def add(
        self, result: Result, *, content_hash: str | None = None, source: str | None = None,
        signature: dedup.Signature | None = None,
    ) -> Written | None:
        """Store one analysed article (a ``detente.model.Result``) whole or not at all.

        ``content_hash`` identifies the input; without one it is derived from the
        article's URL and body. Returns None when that hash is already stored.
        """
        if self.read_only:
            raise DetenteError(f"{self.shown}: opened read-only; open it with "
                               "detente.open(path) to add articles")
        if content_hash is None:
            from ..ingest.hashing import result_hash

            content_hash = result_hash(result)
        return write_result(
            self.conn, result, content_hash=content_hash, source=source, signature=signature
        )

    def is_stored(self, content_hash: str) -> bool:
        """Whether an article with this content hash is stored (an index look-up)."""
        row = self.conn.execute("SELECT 1 FROM articles WHERE hash = ?", (content_hash,)).fetchone()
        return row is not None

    def has_document(self, doc_id: str) -> bool:
        """Whether an article with this document id (a fetched page's URL) is stored."""
        row = self.conn.execute("SELECT 1 FROM articles WHERE doc_id = ? LIMIT 1", (doc_id,)).fetchone()
        return row is not None

    # -- reading ---------------------------------------------------------------
    def events(self, **filters: Any) -> pd.DataFrame:
        """One row per real-world event, with mention/article/source counts."""
        return self._frame(*events_sql(Filters(**filters)))

    def event_sources(self, **filters: Any) -> pd.DataFrame:
        """One row per (event, reporting article), with the evidence sentence."""
        return self._frame(*event_sources_sql(Filters(**filters)))

    def articles(self, *, body: bool = False, **filters: Any) -> pd.DataFrame:
        """Stored articles (bodies only when ``body=True``)."""
        return self._frame(*articles_sql(Filters(**filters), body=body))

    def quotes(self, **filters: Any) -> pd.DataFrame:
        """Quotes with speakers; ``actor`` filters on the speaker's code."""
        return self._frame(*quotes_sql(Filters(**filters)))

    def pairs(self, **filters: Any) -> pd.DataFrame:
        """Actor -> recipient pairs, busiest first."""
        return self._frame(*pairs_sql(Filters(**filters)))

    # -- analysis (detente.analysis; imported when asked for) -------------------------
    def trends(self, actor: str | None = None, recipient: str | None = None,
               **options: Any) -> pd.DataFrame:
        """A dyad's series, one row a period (``detente.analysis.trends``)."""
        from ..analysis.series import trends

        return trends(self, actor, recipient, **options)

    def alerts(self, **options: Any) -> list[Any]:
        """Escalation and de-escalation alerts with their evidence
        (``detente.analysis.alerts.alerts``)."""
        from ..analysis.alerts import alerts

        return alerts(self, **options)

    def digest(self, week: str, **options: Any) -> Any:
        """The weekly digest's records (``detente.analysis.digest.digest``)."""
        from ..analysis.digest import digest

        return digest(self, week, **options)

    def results(self, filters: Filters | None = None) -> Iterator[str]:
        """The stored contract JSON of each matching article, one string each."""
        sql, params = articles_sql(filters or Filters(), result=True)
        for row in self.conn.execute(sql, params):
            yield str(row["result_json"])

    def event_rows(self, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
        """Matching merged events as dicts (the columns of :meth:`events`), streamed."""
        return event_rows(self.conn, filters or Filters())

    def sourced_events(self, filters: Filters | None = None) -> Iterator[SourcedEvent]:
        """Matching merged events, each with the articles reporting it, streamed."""
        return sourced_events(self.conn, filters or Filters())

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Iterator[Any]:
        """Run a read query; rows (``row[0]``, ``row["name"]``) are read as the caller takes
        them."""
        yield from self.conn.execute(sql, params)

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        return {t: int(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: 'ok' for a sound file (PostgreSQL: 'ok' when it answers;
        the server keeps its own files sound)."""
        if self.dialect == POSTGRESQL:
            return "ok" if self.conn.execute("SELECT 1").fetchone()[0] == 1 else "no answer"
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    @property
    def version(self) -> int:
        return stored_version(self.conn)

    def frame(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> pd.DataFrame:
        """A read query's rows as a DataFrame (the same columns on both backends)."""
        import pandas as pd

        if self.dialect == SQLITE:
            return pd.read_sql_query(sql, cast(sqlite3.Connection, self.conn), params=params)
        cursor = self.conn.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=True)

    def _frame(self, sql: str, params: list[Any]) -> pd.DataFrame:
        return self.frame(sql, params)

    # -- lifetime --------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open(path: str | Path = "detente.db", *, read_only: bool = False) -> Database:  # noqa: A001 - the public name is detente.open
    """Open the detente store at ``path``: read-write creates and migrates it as needed;
    ``read_only=True`` only reads a store that exists and is up to date."""
    return Database(path, read_only=read_only)
