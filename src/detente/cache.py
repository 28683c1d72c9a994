"""An on-disk cache for derived indexes that are slow to build and never change.

Every worker process builds the same indexes at start-up (the GeoNames place index
takes about a second); the first build is kept under ``$DETENTE_CACHE_DIR`` (default
``$XDG_CACHE_HOME/detente`` or ``~/.cache/detente``) and later processes load it in a
tenth of the time. Set ``DETENTE_CACHE_DIR=off`` to build in memory every time. The
cache is only a copy: a file that is missing, unreadable or from another version is
rebuilt, and a cache directory that cannot be written is simply not used.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import __version__

logger = logging.getLogger(__name__)

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where derived indexes are kept, or None when caching is off."""
    configured = os.environ.get("DETENTE_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "none"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "detente"


def cached(name: str, build: Callable[[], T]) -> T:
    """``build()``'s value, kept on disk as ``name`` (tagged with detente's version)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-detente{__version__}.pickle"
    try:
        with path.open("rb") as fh:
            value: T = pickle.load(fh)  # noqa: S301 - written by this module, in the user's cache
        return value
    except Exception:  # missing, partial, or from an older Python: build anew
        pass
    value = build()
    _write(path, value)
    return value


def _write(path: Path, value: object) -> None:
    """Write atomically (a temp file renamed), so parallel workers never read half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return  # a read-only home: run without the cache
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a full disk: leave no partial file behind
        Path(tmp).unlink(missing_ok=True)
