"""A throwaway PostgreSQL cluster for the store tests: ``initdb`` in a temporary folder,
a server on a Unix socket only (no TCP port), stopped and removed afterwards.

CI runs as root, and PostgreSQL refuses to run as root, so the cluster is run as the
``postgres`` user (``runuser``) where the tests run as root. Where no PostgreSQL
server binaries are installed (Debian's ``postgresql`` package; ``make test`` installs
it through ``scripts/system-deps``), ``cluster_or_skip`` skips with a message saying so.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Cluster:
    socket_dir: str
    port: int = 5432

    def url(self, dbname: str = "postgres") -> str:
        """A libpq URL for ``dbname`` on this cluster, through its socket."""
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a fresh cluster; yield it; stop it and delete its files."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb) found")
    root = Path(tempfile.mkdtemp(prefix="detente-pg-"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    if os.geteuid() == 0:
        root.chmod(0o755)
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
    log = root / "server.log"
    try:
        subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True, timeout=120)
        options = f"-c listen_addresses='' -c unix_socket_directories={sock} -c fsync=off"
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", "/dev/null",
                                     "-o", options, "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, timeout=90)
        yield Cluster(str(sock))
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                     "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
        log.unlink(missing_ok=True)


@contextmanager
def cluster_or_skip() -> Iterator[Cluster]:
    """``throwaway_cluster()``, or skip the test when PostgreSQL is not installed."""
    if _bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not found: install Debian's postgresql "
                    "(make test does, through scripts/system-deps)")
    with throwaway_cluster() as cluster:
        yield cluster
