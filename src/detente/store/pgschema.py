"""Opening a PostgreSQL store (``--db postgresql://...``) and bringing its schema up to date.

The same rules as for a SQLite file (``docs/security.md``):

- read-only (every command but ``ingest`` and ``migrate``): the session is set to
  ``default_transaction_read_only = on``, so nothing can be written through it; no
  migration runs; a database without detente's schema marker, or one that lacks this
  detente's migrations, is refused with what to do;
- read-write (``ingest``, ``migrate``): detente creates its schema in an empty database
  only; a database holding other tables and no detente marker is refused untouched.

Several ingest processes may open one new database at once: the check and the
migrations run under a session-level advisory lock (:data:`MIGRATE_LOCK`), so one
process creates the schema and the others find it done. Each migration runs in one
transaction with its ``schema_version`` row.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..errors import DetenteError
from ..terminal import printable
from .backend import POSTGRESQL, PgConnection
from .schema import _require_current, _require_store, _tables, migrations, pending, stored_version

logger = logging.getLogger(__name__)

# Advisory lock keys (any two constants; detente's own).
MIGRATE_LOCK = 0x64657465_6E746501  # 'detente' 01: creating or migrating the schema
WRITE_LOCK = 0x64657465_6E746502  # 'detente' 02: one article's write transaction

SCHEMA_VERSION_TABLE = (
    'CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT COLLATE "C"'
    " NOT NULL, applied_at TEXT NOT NULL DEFAULT"
    " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
)
_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


def shown_url(url: str) -> str:
    """``url`` for messages: printable, any password replaced by ``***``."""
    return printable(_PASSWORD.sub(r"\1:***@", url))


def connect_postgresql(url: str, *, read_only: bool = False) -> PgConnection:
    """A connection to the detente store in the PostgreSQL database at ``url``."""
    shown = shown_url(url)
    conn = PgConnection(_connect(url, shown))
    try:
        if read_only:
            conn.execute("SET default_transaction_read_only = on")
            _require_store(conn, _tables(conn), shown)
            _require_current(conn, shown)
        else:
            _create_or_migrate(conn, shown)
    except BaseException:
        conn.close()
        raise
    return conn


def _connect(url: str, shown: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=30)
    except psycopg.Error as exc:
        raise DetenteError(f"{shown}: cannot connect to PostgreSQL ({str(exc).strip()}); check "
                           "the URL, that the server runs and that the database exists") from exc


def _create_or_migrate(conn: PgConnection, shown: str) -> None:
    import psycopg

    conn.execute("SELECT pg_advisory_lock(?)", (MIGRATE_LOCK,))
    try:
        tables = _tables(conn)
        if tables:  # detente creates its schema in an empty database only
            _require_store(conn, tables, shown)
        migrate(conn)
    except psycopg.Error as exc:
        raise DetenteError(f"{shown}: cannot create or migrate detente's schema ({exc}); the "
                           "role needs CREATE on the database's schema") from exc
    finally:
        conn.execute("SELECT pg_advisory_unlock(?)", (MIGRATE_LOCK,))


def migrate(conn: PgConnection) -> int:
    """Apply every migration the database lacks, in order; returns the resulting version."""
    conn.script(SCHEMA_VERSION_TABLE)
    current = stored_version(conn)
    latest = migrations()[-1].version
    if current > latest:
        raise DetenteError(f"the database has schema version {current}, newer than this "
                           f"detente ({latest}): upgrade detente")
    for migration in pending(conn):
        name = migration.name.replace("'", "''")
        logger.info("migrating the PostgreSQL store: %s", migration.name)
        conn.script(
            "BEGIN;\n" + migration.for_dialect(POSTGRESQL)
            + f"\nINSERT INTO schema_version(version, name) VALUES ({migration.version}, '{name}');"
            + "\nCOMMIT;"
        )
    return stored_version(conn)
