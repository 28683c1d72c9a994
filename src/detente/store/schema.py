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

from ..data import data_folder
from ..errors import DetenteError

logger = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The schema migrations shipped with detente, in version order."""
    folder = data_folder("store/migrations")
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the database at ``path``, migrated to the latest schema."""
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
    except sqlite3.Error as exc:
        raise DetenteError(f"{path}: cannot open the database ({exc})") from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a killed process; only power loss may lose the last ones.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DetenteError(f"{path}: not a detente database or damaged ({exc})") from exc
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The highest migration applied, 0 for an empty database."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
    )
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database; returns the resulting version."""
    current = schema_version(conn)
    known = migrations()
    if known and current > known[-1].version:
        raise DetenteError(
            f"the database has schema version {current}, newer than this detente "
            f"({known[-1].version}): upgrade detente"
        )
    for migration in known:
        if migration.version <= current:
            continue
        name = migration.name.replace("'", "''")
        conn.executescript(
            "BEGIN IMMEDIATE;\n" + migration.sql
            + f"\nINSERT INTO schema_version(version, name) VALUES ({migration.version}, '{name}');"
            + "\nCOMMIT;"
        )
        current = migration.version
    return current
