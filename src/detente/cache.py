"""An on-disk cache for derived indexes that are slow to build and never change.

Every worker process builds the same indexes at start-up (the GeoNames place index
takes a few seconds); the first build is kept under ``$DETENTE_CACHE_DIR`` (default
``$XDG_CACHE_HOME/detente`` or ``~/.cache/detente``) and later processes load it in a
fraction of the time. Set ``DETENTE_CACHE_DIR=off`` to build in memory every time. The
cache is only a copy: a file that is missing, unreadable, damaged or from another
version is rebuilt, and a cache directory that cannot be written is simply not used.

Nothing read from the cache can run code. A value is kept as JSON (the default), or as
numpy arrays (``.npy`` records read with ``allow_pickle=False``, so plain numbers and
strings only) where a caller gives :func:`cached` a codec: a pair of functions to and
from JSON-able data (:class:`JsonCodec`) or to and from named arrays
(:class:`ArraysCodec`). A value the codec cannot hold is simply not cached. Each file
starts with a header line naming detente, the format and the length of what follows,
checked before anything is decoded; files are written whole (a temporary file renamed),
so a shorter one is a damaged one and is rebuilt.
"""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, TypeVar

from . import __version__

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAGIC = "detente-cache/1"


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class JsonCodec(Generic[T]):
    """A value kept as JSON: ``to_json`` gives JSON-able data, ``from_json`` the value back."""

    to_json: Callable[[T], Any] = _same
    from_json: Callable[[Any], T] = _same
    format: str = "json"

    def dump(self, value: T) -> bytes:
        return json.dumps(self.to_json(value), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")

    def load(self, fh: BinaryIO) -> T:
        return self.from_json(json.loads(fh.read()))


@dataclass(frozen=True)
class ArraysCodec(Generic[T]):
    """A value kept as named numpy arrays: ``.npy`` records in a row, read with
    ``allow_pickle=False`` (so never an object array), straight from the file."""

    to_arrays: Callable[[T], Mapping[str, np.ndarray[Any, Any]]]
    from_arrays: Callable[[Mapping[str, np.ndarray[Any, Any]]], T]
    format: str = "npy"

    def dump(self, value: T) -> bytes:
        import numpy as np

        arrays = self.to_arrays(value)
        buffer = io.BytesIO()
        buffer.write(json.dumps(list(arrays)).encode("utf-8") + b"\n")
        for array in arrays.values():
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
        return buffer.getvalue()

    def load(self, fh: BinaryIO) -> T:
        import numpy as np

        names = json.loads(fh.readline())
        arrays = {str(name): np.lib.format.read_array(fh, allow_pickle=False) for name in names}
        if fh.read(1):
            raise ValueError("data after the last array")
        return self.from_arrays(arrays)


JSON: JsonCodec[Any] = JsonCodec()


def cache_dir() -> Path | None:
    """Where derived indexes are kept, or None when caching is off."""
    configured = os.environ.get("DETENTE_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "none"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "detente"


def cached(name: str, build: Callable[[], T], codec: JsonCodec[T] | ArraysCodec[T] = JSON) -> T:
    """``build()``'s value, kept on disk as ``name`` (tagged with detente's version)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-detente{__version__}.{codec.format}"
    try:
        with _open_regular(path) as fh:
            _check_header(fh, codec.format)
            return codec.load(fh)
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged, foreign or from an older layout: build anew
        logger.info("cache %s unusable (%s): rebuilding it", path, exc)
    value = build()
    try:
        data = codec.dump(value)
    except (TypeError, ValueError) as exc:  # a value the codec cannot hold: do without the cache
        logger.info("cache %s: cannot store the value as %s (%s)", name, codec.format, exc)
        return value
    _write(path, codec.format, data)
    return value


def _header(fmt: str, data: bytes) -> bytes:
    return f"{MAGIC} {fmt} {len(data)}\n".encode("ascii")


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file (a named pipe or a link to a
    device planted in the cache folder would hang or never end)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_header(fh: BinaryIO, fmt: str) -> None:
    """Detente's header line, this codec's format, and the length written (not truncated)."""
    parts = fh.readline(200).rstrip(b"\n").split(b" ")
    if len(parts) != 3 or parts[0] != MAGIC.encode("ascii") or parts[1] != fmt.encode("ascii"):
        raise ValueError(f"not a detente {fmt} cache file")
    if not parts[2].isdigit() or os.fstat(fh.fileno()).st_size - fh.tell() != int(parts[2]):
        raise ValueError("not the length it was written with")


def _write(path: Path, fmt: str, data: bytes) -> None:
    """Write atomically (a temp file renamed), so parallel workers never read half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return  # a read-only home: run without the cache
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_header(fmt, data))
            fh.write(data)
        os.replace(tmp, path)
    except OSError:  # a full disk: leave no partial file behind
        Path(tmp).unlink(missing_ok=True)
