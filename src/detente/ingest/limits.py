"""Reading untrusted files within limits.

Only regular files are opened (a FIFO would hang the run, ``/dev/zero`` would fill
memory); files are read in bounded pieces, gzip is decompressed as a stream with a
cap on its output size and on its ratio, and JSON Lines are split into lines no
longer than a cap. Every refusal is an ``InputError`` naming the input and the
setting that sets the limit (see ``detente.settings``).
"""

from __future__ import annotations

import codecs
import logging
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

logger = logging.getLogger(__name__)

# Compressed bytes read at a time, and decompressed bytes made at a time: small
# steps, so that a gzip bomb is caught after a few MB of output.
READ_STEP = 1 << 16
# Bytes of a plain input read at a time (its size is checked first where it has one).
READ_CHUNK = 1 << 20
INFLATE_STEP = 1 << 20
# The ratio is checked only past this much output: a small page may compress well.
RATIO_FLOOR = 1 << 20
GZIP_WBITS = 16 + zlib.MAX_WBITS

_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
# Byte-order marks, longest first: UTF-32 LE begins like UTF-16 LE.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for binary reading; InputError unless it is a regular file.

    Checked with ``stat`` before opening (so a FIFO is never opened), and again on
    the open file, which is opened non-blocking in case it was swapped meanwhile.
    """
    source = str(path)
    try:
        _require_regular(os.stat(path).st_mode, path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(source, f"cannot read the file: {exc.strerror or exc}", "check the path") from exc
    try:
        _require_regular(os.fstat(fd).st_mode, path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


@contextmanager
def read_errors(source: str) -> Iterator[None]:
    """An OSError while reading (a disk error, a file gone) as an InputError naming ``source``."""
    try:
        yield
    except OSError as exc:
        raise InputError(source, f"cannot read the file: {exc.strerror or exc}", "check the file") from exc


def _require_regular(mode: int, path: Path) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
    if path.is_symlink():
        kind = f"a link to {kind} ({os.readlink(path)})"
    raise InputError(
        str(path), f"is {kind}, not a regular file: skipped",
        "detente reads only regular files; copy the data into a file",
    )


def read_bounded(stream: BinaryIO, limit: int, source: str) -> bytes:
    """All of ``stream``, refused (InputError) past ``limit`` bytes without reading on.

    A regular file's size is checked first, so a large one is refused unread.
    """
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, ValueError, AttributeError):  # a pipe or an in-memory stream
        size = 0
    if size > limit:
        raise _too_large(source, f"the file has {size:,} bytes", limit)
    data = bytearray()
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - len(data))):
        data += chunk
        if len(data) > limit:
            raise _too_large(source, "the input has more bytes", limit)
    return bytes(data)


def _too_large(source: str, what: str, limit: int) -> InputError:
    return InputError(
        source, f"{what}, over the limit of {limit:,} (max_input_bytes)",
        "split it, or raise max_input_bytes in detente.toml",
    )


def gunzip_bounded(stream: BinaryIO, source: str, max_bytes: int, max_ratio: int) -> bytes:
    """The decompressed content of a gzip stream (one member or several).

    Refused (InputError) as soon as the output passes ``max_bytes`` or, past
    ``RATIO_FLOOR``, ``max_ratio`` times the compressed bytes read; a stream cut
    short (no end of member) or damaged is refused too, never returned in part.
    """
    inflater = _Inflater(source, max_bytes, max_ratio)
    while chunk := stream.read(READ_STEP):
        inflater.feed(chunk)
    return inflater.finish()


class _Inflater:
    """Streaming gunzip with the checks of ``gunzip_bounded``."""

    def __init__(self, source: str, max_bytes: int, max_ratio: int) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.out = bytearray()
        self.read = 0
        self.member = zlib.decompressobj(GZIP_WBITS)
        self.in_member = False  # the current member has had input and not ended

    def feed(self, data: bytes) -> None:
        self.read += len(data)
        while data:
            if not self.in_member:
                data = data.lstrip(b"\0")  # padding after a member is allowed
                if not data:
                    return
                self.member = zlib.decompressobj(GZIP_WBITS)
                self.in_member = True
            data = self._inflate(data)

    def _inflate(self, data: bytes) -> bytes:
        """Decompress ``data`` in steps; what follows the member's end is returned."""
        while True:
            try:
                piece = self.member.decompress(data, INFLATE_STEP)
            except zlib.error as exc:
                raise self._invalid(str(exc)) from exc
            self._add(piece)
            if self.member.eof:
                self.in_member = False
                return self.member.unused_data
            data = self.member.unconsumed_tail
            if not data and len(piece) < INFLATE_STEP:
                return b""

    def _add(self, piece: bytes) -> None:
        self.out += piece
        size = len(self.out)
        if size > self.max_bytes:
            raise InputError(
                self.source, f"decompresses to more than {self.max_bytes:,} bytes (max_input_bytes)",
                "split it, or raise max_input_bytes in detente.toml",
            )
        if size > RATIO_FLOOR and size > self.max_ratio * self.read:
            raise InputError(
                self.source,
                f"decompresses to over {self.max_ratio} times its compressed size "
                "(max_gzip_ratio): refused as a likely gzip bomb",
                "if it is genuine, decompress it yourself or raise max_gzip_ratio",
            )

    def finish(self) -> bytes:
        if self.in_member:
            raise self._invalid("the data is cut short: the file is truncated")
        return bytes(self.out)

    def _invalid(self, why: str) -> InputError:
        return InputError(self.source, f"not a valid gzip file ({why})", "check or re-download the file")


@dataclass(frozen=True)
class Line:
    """One line of a JSON Lines stream: its bytes, or None where it was over the cap."""

    number: int
    data: bytes | None
    size: int  # bytes read, newline included (for a long line: at least the cap)


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[Line]:
    """The lines of ``stream`` (newline kept), numbered from 1; one longer than
    ``limit`` bytes (newline excluded) comes with ``data=None``, its rest skipped
    in small pieces rather than read whole."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) <= limit or line.endswith(b"\n"):
            yield Line(number, line, len(line))
            continue
        size = len(line)
        while not line.endswith(b"\n") and (line := stream.readline(READ_STEP)):
            size += len(line)
        yield Line(number, None, size)


def decode_text(data: bytes, source: str) -> str:
    """Bytes of a text or page -> str: a byte-order mark (UTF-8, -16, -32) names the
    encoding; else UTF-8, else Windows-1252; refused (InputError) when binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                name = encoding.removesuffix("-sig").upper()
                raise InputError(
                    source, f"starts with a {name} byte-order mark but is not valid {name} "
                    f"({exc.reason} at byte {exc.start:,})", "save it again as UTF-8",
                ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:
            raise InputError(source, "the file looks binary, not text", "give text or HTML") from None
        return data.decode("cp1252", errors="replace")


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``data`` names, if any."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)
