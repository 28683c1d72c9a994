"""The two backends behind ``Database``: SQLite files and PostgreSQL servers.

The store's code writes one SQL dialect, SQLite's, with ``?`` parameters, and talks to a
connection through the few methods ``sqlite3.Connection`` has (``execute``,
``executemany``, ``close``). :class:`PgConnection` gives a psycopg 3 connection those
methods, and :func:`translate` is the one place where SQL is turned into PostgreSQL's:

- ``?`` parameters become ``%s`` (a literal ``%`` is doubled), outside quoted text only;
- full-text look-ups on SQLite's FTS5 tables (``SELECT rowid FROM articles_fts WHERE
  articles_fts MATCH ?``) become look-ups on a ``tsvector`` column with a GIN index
  (``SELECT id FROM articles WHERE fts @@ plainto_tsquery('simple', ?)``);
- ``json_each(x)`` (a JSON list of codes) becomes ``json_array_elements_text(x)``.

Rows read the same on both: ``row[0]``, ``row["name"]`` and ``dict(row)``. PostgreSQL's
``numeric`` (what ``sum`` of integers gives) reads as an int, or a float when it has a
fraction, as SQLite's numbers do. What cannot be translated is written per dialect where
it is used (``Database.dialect``: ``"sqlite"`` or ``"postgresql"``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import DetenteError

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
URL_SCHEMES = ("postgresql://", "postgres://")

# The text search configuration: 'simple' lower-cases and does not stem, as SQLite's FTS5
# (unicode61) does, so a word query finds the same articles on both backends.
TS_CONFIG = "simple"

_QUOTED = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\")")
_FTS = re.compile(r"SELECT rowid FROM (articles|quotes)_fts WHERE \1_fts MATCH \?")
_JSON_EACH = re.compile(r"json_each\(([\w.]+)\)")


def is_url(target: object) -> bool:
    """Whether ``target`` (a ``--db`` value) names a PostgreSQL database."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


class Cursor(Protocol):
    """What the store reads from a query: rows one at a time or all at once."""

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The methods of ``sqlite3.Connection`` the store uses; :class:`PgConnection` has them."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    def close(self) -> None: ...


def translate(sql: str) -> str:
    """SQLite-dialect SQL with ``?`` parameters -> PostgreSQL SQL with ``%s`` parameters."""
    sql = _FTS.sub(lambda m: f"SELECT id FROM {m.group(1)} WHERE fts @@ plainto_tsquery("
                             f"'{TS_CONFIG}', ?)", sql)
    sql = _JSON_EACH.sub(r"json_array_elements_text(CAST(\1 AS json)) AS value", sql)
    parts = _QUOTED.split(sql)
    for i in range(0, len(parts), 2):  # even parts lie outside quotes
        parts[i] = parts[i].replace("%", "%%").replace("?", "%s")
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace("%", "%%")
    return "".join(parts)


class Row(tuple[Any, ...]):
    """A row read by index, by column name, or as a dict (``dict(row)``), as sqlite3.Row."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self.names.index(key))
            except ValueError:
                raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: Any) -> Any:
    names = tuple(d.name for d in cursor.description or ())
    cls = type("Row", (Row,), {"names": names, "__slots__": ()})

    def make(values: Sequence[Any]) -> Row:
        row: Row = cls(values)
        return row
    return make


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class PgCursor:
    """A psycopg cursor read like a sqlite3 cursor."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.cursor = cursor

    @property
    def description(self) -> Any:
        return self.cursor.description

    def fetchone(self) -> Any:
        return self.cursor.fetchone() if self.cursor.description else None

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall() if self.cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        if self.cursor.description:
            yield from self.cursor


class PgConnection:
    """A psycopg 3 connection (autocommit, as the SQLite one) speaking the store's SQL."""

    dialect = POSTGRESQL

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn
        _register_numbers(conn)

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> PgCursor:
        cursor = self.raw.cursor(row_factory=_row_factory)
        with _server_errors():
            cursor.execute(translate(sql), list(parameters))  # type: ignore[call-overload]
        return PgCursor(cursor)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> None:
        rows = [list(p) for p in parameters]
        if rows:
            with self.raw.cursor() as cursor, _server_errors():
                cursor.executemany(translate(sql), rows)  # type: ignore[arg-type]

    def script(self, sql: str) -> None:
        """Run several statements (a migration) as they are: no parameters, no translation.
        A failure rolls back what the script began."""
        from psycopg.pq import TransactionStatus

        try:
            self.raw.execute(sql.encode("utf-8"))
        except BaseException:
            if self.raw.info.transaction_status != TransactionStatus.IDLE:
                self.raw.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.raw.close()


@contextmanager
def _server_errors() -> Iterator[None]:
    """The server gone, unreachable or shutting down: a clear error, not a traceback."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError as exc:
        raise DetenteError(f"the PostgreSQL server failed ({str(exc).strip()}): check that it "
                           "runs and can be reached, then run the command again") from exc


def _register_numbers(conn: psycopg.Connection[Any]) -> None:
    from psycopg.types.numeric import NumericLoader

    class PlainNumericLoader(NumericLoader):
        def load(self, data: Any) -> Any:
            return _plain_number(super().load(data))

    conn.adapters.register_loader("numeric", PlainNumericLoader)
