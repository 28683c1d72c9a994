"""Opening the database and bringing its schema up to date.

The schema lives in ordered SQL files under ``data/store/migrations/``
(``0001_initial.sql``, ``0002_...``); ``schema_version`` records which have run.
Each migration runs in one transaction with its version row.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data import data_folder
from ..errors import DetenteError
from ..terminal import printable
from .backend import POSTGRESQL, SQLITE
from .dialect import for_dialect

logger = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One migration file: ``sql`` is what SQLite runs; ``source`` the file as written,
    with the blocks of both dialects (``detente.store.dialect``)."""

    version: int
    name: str
    sql: str
    source: str = ""

    def for_dialect(self, dialect: str) -> str:
        return for_dialect(self.source or self.sql, dialect)


def migrations() -> list[Migration]:
    """The schema migrations shipped with detente, in version order."""
    folder = data_folder("store/migrations")
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            source = entry.read_text("utf-8")
            found.append(Migration(int(match.group(1)), entry.name,
                                   for_dialect(source, SQLITE), source))
    return sorted(found, key=lambda m: m.version)


SQLITE_HEADER = b"SQLite format 3\x00"


def connect(path: str | Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open the detente store at ``path``.

    Read-write (``ingest``): a missing or empty file becomes a new store; a detente store
    is migrated to the latest schema. Read-only (every other command): SQLite's
    ``mode=ro``, so nothing is created, switched to WAL or migrated; a store older than
    this detente is refused with the command that upgrades it. Either way a file that is
    not a detente store (another application's SQLite database, or not SQLite at all) is
    refused before anything is written to it.
    """
    file = Path(path)
    shown = printable(str(path))
    if _inspect(file, shown, read_only) == "store":
        _refuse_foreign(file, shown)
    if read_only:
        return _open_read_only(file, shown)
    return _open_read_write(file, shown)


def _refuse_foreign(file: Path, shown: str) -> None:
    """A first look with SQLite's ``immutable=1``: no lock, no journal, no -wal or -shm
    file created, so another application's database is refused untouched.

    Without a lock the look can catch a file mid-write (a store being checkpointed by a
    running ingest) or miss tables still only in a write-ahead log: what it cannot read
    is left to the real opening, which checks again under SQLite's locks before anything
    is written. Only a clear answer -- tables, and no detente marker -- refuses here.
    """
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return
    try:
        tables = _tables(conn)
        if tables:
            _require_store(conn, tables, shown)
    except sqlite3.DatabaseError as exc:
        logger.debug("%s: unreadable without a lock (%s); checked when opened", file, exc)
    finally:
        conn.close()


def _inspect(file: Path, shown: str, read_only: bool) -> str:
    """'new' (missing or empty) or 'store'-to-check; refuses folders and non-SQLite files."""
    if file.is_dir():
        raise DetenteError(f"{shown}: is a folder, not a database file: give --db a file")
    if not file.exists():
        if read_only:
            raise DetenteError(f"{shown}: no such database; create it with "
                               f"'detente ingest --db {shown} ...'")
        return "new"
    try:
        with file.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DetenteError(f"{shown}: cannot read the database ({exc.strerror})") from exc
    if not header:
        if read_only:
            raise DetenteError(f"{shown}: the file is empty, not a detente store; create one "
                               f"with 'detente ingest --db {shown} ...'")
        return "new"
    if header != SQLITE_HEADER:
        raise DetenteError(f"{shown}: not a SQLite database, so not a detente store; detente "
                           "leaves it alone: give --db a store 'detente ingest' created")
    return "store"


def _open_read_only(file: Path, shown: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           timeout=30.0, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA query_only=ON")
        _require_store(conn, _tables(conn), shown)
        _require_current(conn, shown)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DetenteError(f"{shown}: cannot read the database, it may be damaged ({exc})") from exc
    except DetenteError:
        conn.close()
        raise
    return conn


def _open_read_write(file: Path, shown: str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(str(file), isolation_level=None, timeout=30.0)
    except sqlite3.Error as exc:
        raise DetenteError(f"{shown}: cannot open the database ({exc})") from exc
    conn.row_factory = sqlite3.Row
    try:
        tables = _tables(conn)
        if tables:  # checked again on the live file, before anything is written
            _require_store(conn, tables, shown)
        conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a killed process; only power loss may lose the last ones.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DetenteError(f"{shown}: cannot update the database, it may be damaged or "
                           f"read-only ({exc})") from exc
    except DetenteError:
        conn.close()
        raise
    return conn


def _tables(conn: Any) -> set[str]:
    """The tables of the store (of the current schema, on PostgreSQL)."""
    if getattr(conn, "dialect", SQLITE) == POSTGRESQL:
        sql = ("SELECT table_name FROM information_schema.tables"
               " WHERE table_schema = current_schema()")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {str(row[0]) for row in conn.execute(sql)}


def _require_store(conn: Any, tables: set[str], shown: str) -> None:
    """A detente store has its ``schema_version`` table with detente's first migration."""
    first = migrations()[0]
    marked = False
    if tables == {"schema_version"} and _empty_version_table(conn):
        return  # a store whose creation an older detente was killed in: created afresh
    if {"schema_version", "articles"} <= tables:
        row = conn.execute("SELECT name FROM schema_version WHERE version = ?",
                           (first.version,)).fetchone()
        marked = row is not None and row[0] == first.name
    if not marked:
        raise DetenteError(
            f"{shown}: {_kind(conn)}, but not a detente store (it has no detente schema "
            "marker); detente will not read or change it: give --db a store that "
            "'detente ingest' created, or a new file name")


def _empty_version_table(conn: Any) -> bool:
    return int(conn.execute("SELECT count(*) FROM schema_version").fetchone()[0]) == 0


def _kind(conn: Any) -> str:
    if getattr(conn, "dialect", SQLITE) == POSTGRESQL:
        return "a PostgreSQL database with tables"
    return "a SQLite database"


def _require_current(conn: Any, shown: str) -> None:
    latest = migrations()[-1].version
    version = stored_version(conn)
    if version > latest:
        raise DetenteError(f"{shown}: the store has schema version {version}, newer than this "
                           f"detente ({latest}): upgrade detente")
    missing = pending(conn)
    if missing:
        raise DetenteError(f"{shown}: the store lacks schema migration(s) "
                           f"{', '.join(str(m.version) for m in missing)} of this detente; this "
                           f"command only reads, so upgrade the store first with "
                           f"'detente migrate --db {shown}'")


def pending(conn: Any) -> list[Migration]:
    """detente's migrations not applied to the store, in order (read without writing). A
    migration is pending by its absence, not by its number: one merged after a later one
    still runs."""
    applied: set[int] = set()
    if "schema_version" in _tables(conn):
        applied = {int(row[0]) for row in conn.execute("SELECT version FROM schema_version")}
    return [m for m in migrations() if m.version not in applied]


def stored_version(conn: Any) -> int:
    """The highest migration applied to a store, read without writing (0: none)."""
    if "schema_version" not in _tables(conn):
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


# Created in the same transaction as the first migration, so that a store whose creation
# is killed half-way is an empty file again, never a file with a bare version table.
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
)


def schema_version(conn: sqlite3.Connection) -> int:
    """The highest migration applied, 0 for an empty database (whose version table this
    creates: for tests that build an older store by hand; ``migrate`` does not call it)."""
    conn.execute(_VERSION_TABLE)
    return stored_version(conn)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the database lacks, in order; returns the resulting version."""
    current = stored_version(conn)
    known = migrations()
    if known and current > known[-1].version:
        raise DetenteError(
            f"the database has schema version {current}, newer than this detente "
            f"({known[-1].version}): upgrade detente"
        )
    for migration in pending(conn):
        name = migration.name.replace("'", "''")
        conn.executescript(
            "BEGIN IMMEDIATE;\n" + _VERSION_TABLE + "\n" + migration.sql
            + f"\nINSERT INTO schema_version(version, name) VALUES ({migration.version}, '{name}');"
            + "\nCOMMIT;"
        )
    return stored_version(conn)
