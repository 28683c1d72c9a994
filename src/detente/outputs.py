"""Output files written whole or not at all.

``atomic_output(path)`` gives a file object to write; what is written goes to a
temporary file beside ``path`` (same folder, so the same file system), which is flushed,
fsync'd and renamed over ``path`` only when the ``with`` block ends without an error. An
existing file is never truncated first: a failure (an exception, a full disk, a killed
process) leaves it byte-identical, and the temporary file is removed. Targets that are
not regular files (``/dev/stdout``, a named pipe, ``/dev/null``) are written directly.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import DetenteError
from .terminal import printable

logger = logging.getLogger(__name__)

# What a failing write, flush, fsync or rename reports (other OSErrors come from reading
# the inputs inside the ``with`` block and go up as they are).
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS,
                 errno.EACCES, errno.EPERM, errno.EXDEV, errno.EBUSY}


@contextmanager
def atomic_output(path: str | Path, *, binary: bool = False, what: str = "the output") -> Iterator[IO[Any]]:
    """A file to write ``what`` into, appearing at ``path`` only once wholly written."""
    target = Path(path)
    shown = printable(str(path))
    special = _check_target(target, shown)
    if special:
        with _direct(target, shown, binary, what) as fh:
            yield fh
        return
    fd, tmp = _temp_beside(target, shown, what)
    try:
        with _fdopen(fd, binary) as fh:
            yield fh
            fh.flush()
            os.fchmod(fh.fileno(), _mode_for(target))
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno not in _WRITE_ERRORS:
            raise
        raise DetenteError(f"{shown}: could not write {what} ({_reason(exc)}); "
                           "any file that was there is unchanged") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def _check_target(target: Path, shown: str) -> bool:
    """Refuse what cannot be an output file; True where ``target`` is a device or pipe."""
    try:
        info = target.stat()
    except FileNotFoundError:
        folder = target.parent
        if not folder.is_dir():
            raise DetenteError(f"{shown}: the folder {printable(str(folder))} does not exist; "
                               "create it first or choose another output") from None
        return False
    except OSError as exc:
        raise DetenteError(f"{shown}: cannot use it as the output ({_reason(exc)})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise DetenteError(f"{shown}: is a folder; give the output a file name inside it")
    if stat.S_ISREG(info.st_mode):
        if not info.st_mode & 0o222:
            raise DetenteError(f"{shown}: the file is read-only; detente will not replace it "
                               "(make it writable or choose another output)")
        return False
    return True


def _temp_beside(target: Path, shown: str, what: str) -> tuple[int, str]:
    """A new file (descriptor and name) in ``target``'s folder, only its owner may read."""
    try:
        return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise DetenteError(f"{shown}: cannot write {what} in that folder ({_reason(exc)}); "
                           "choose a folder you can write to") from exc


def _fdopen(fd: int, binary: bool) -> IO[Any]:
    # The descriptor mkstemp opened, never the name again: nothing can swap the file between.
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


@contextmanager
def _direct(target: Path, shown: str, binary: bool, what: str) -> Iterator[IO[Any]]:
    """A device or a pipe: no rename is possible, so write straight to it."""
    try:
        fh = target.open("wb") if binary else target.open("w", encoding="utf-8", newline="")
        with fh:
            yield fh
    except OSError as exc:
        raise DetenteError(f"{shown}: could not write {what} ({_reason(exc)})") from exc


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or what the umask gives a new file (mkstemp's are 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def is_terminal(stream: IO[Any] | None = None) -> bool:
    """Whether ``stream`` (default stdout) is a terminal."""
    stream = stream or sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
