"""The store as the web app holds it: one read-only ``Database`` per thread.

Requests run on a thread pool; a store handle (``detente.open(path, read_only=True)``:
SQLite ``mode=ro``, or a read-only PostgreSQL session for a ``postgresql://`` URL) is
kept per thread, opened on first use, so requests never share a cursor and nothing can
write.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from .. import store
from ..store import Database
from ..store.backend import Connection, is_url

logger = logging.getLogger(__name__)


class Store:
    """The database file behind the app, opened read-only once per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path: str | Path = str(path) if is_url(path) else Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Database] = []
        self.database()  # fail now, with a clear message, on a missing or unusable file

    def database(self) -> Database:
        """This thread's read-only ``Database`` (what the analysis functions take)."""
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = store.open(self.path, read_only=True)
            with self._lock:
                self._all.append(db)
        return db

    def conn(self) -> Connection:
        """This thread's read-only connection (for ``detente.store.pages``)."""
        return self.database().conn

    def stamp(self) -> tuple[int, int]:
        """The latest article and event ids: they change whenever something is stored."""
        row = self.conn().execute(
            "SELECT (SELECT max(id) FROM articles), (SELECT max(id) FROM events)").fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                try:
                    db.close()
                except sqlite3.ProgrammingError:  # a connection bound to another thread
                    logger.debug("a store handle of another thread is left to the collector")
            self._all.clear()
