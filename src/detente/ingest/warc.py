"""WARC files -> raw documents: one per HTML or plain-text response record.

A record is read whole before it is handed on, and only when it is whole: one
whose content is shorter than its ``Content-Length``, or whose gzip member (in a
``.warc.gz``) is cut short, is an ErrorRecord, never a shorter article. A record's
content is read within ``max_input_bytes``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import RawDocument
from ..settings import Settings, load_settings
from .limits import READ_STEP, bom_encoding, open_regular
from .sources import ErrorRecord

logger = logging.getLogger(__name__)

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)
HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(
    path: str | Path, settings: Settings | None = None
) -> Iterator[RawDocument | ErrorRecord]:
    """Each ``response`` record whose payload is HTML or plain text, in file order.

    Other records (requests, metadata, images, scripts) are passed over; a record
    that cannot be read, or is truncated, yields an ErrorRecord and the file goes on
    where it can. A file damaged past reading yields one last ErrorRecord. Only a
    regular file is read (InputError otherwise).
    """
    from warcio.archiveiterator import ArchiveIterator

    p = Path(path)
    settings = settings or load_settings()
    with open_regular(p) as stream:
        records = ArchiveIterator(stream)
        yielded = 0
        for item in _items(records, p, settings.max_input_bytes):
            yielded += 1
            yield item
    if not yielded:
        yield ErrorRecord(
            id=str(p), error=f"{p}: no HTML or plain-text response records (is it a whole WARC file?)"
        )


def _items(records: Any, path: Path, limit: int) -> Iterator[RawDocument | ErrorRecord]:
    """The documents of ``records``; what stops the iteration becomes an ErrorRecord."""
    from warcio.exceptions import ArchiveLoadFailed

    number = end = 0
    try:
        for number, record in enumerate(records, start=1):  # noqa: B007 - used after the loop
            where = f"{path}#{number}"
            item = _document(record, where, limit)
            records.read_to_end(record)  # the rest of the record: where its gzip member ends
            if _cut_short(record, records):  # any record: a truncated file says so
                item = ErrorRecord(id=_uri(record) or where, error=f"{where}: the record is "
                                   "truncated (shorter than its Content-Length, or its gzip "
                                   "member is cut short); not stored, check or re-download the file")
            if item is not None:
                yield item
            end = records.get_record_offset() + records.get_record_length()
    except ArchiveLoadFailed as exc:
        yield ErrorRecord(id=str(path), error=f"{path}: not a readable WARC file ({exc})")
        return
    except Exception as exc:  # warcio on a damaged or truncated file
        logger.debug("reading %s failed", path, exc_info=True)
        yield ErrorRecord(
            id=str(path), error=f"{path}: damaged or truncated after record {number} ({exc!r}); the "
            "records before it were read, the rest skipped",
        )
        return
    tail = _tail(records.fh, end)
    if tail:
        yield ErrorRecord(
            id=str(path), error=f"{path}: the file ends inside a record after record {number} "
            f"({tail:,} bytes that are not a whole record): it is truncated; the records before "
            "it were read, check or re-download the file",
        )


def _tail(stream: Any, end: int) -> int:
    """How many bytes follow ``end`` (where the last whole record ended), unless they
    are only the blank lines and zero padding a WARC may end with."""
    size = os.fstat(stream.fileno()).st_size - end
    stream.seek(end)
    rest = stream.read(READ_STEP)
    return size if size > len(rest) or rest.strip(b"\r\n\0") else 0


def _document(record: Any, where: str, limit: int) -> RawDocument | ErrorRecord | None:
    """The document of an HTML or plain-text ``response`` record (None for others),
    its content read within ``limit`` bytes."""
    if record.rec_type != "response":
        return None
    uri = _uri(record)
    http = record.http_headers
    ctype = (http.get_header("Content-Type") if http else None) or ""
    mime = ctype.split(";")[0].strip().lower()
    if mime not in HTML_TYPES and mime != "text/plain":
        return None
    doc_id = uri or where
    try:
        payload: bytes = record.content_stream().read(limit + 1)
    except Exception as exc:  # a truncated or badly encoded record
        return ErrorRecord(id=doc_id, error=f"{where}: cannot read the record ({exc!r})")
    if len(payload) > limit:
        return ErrorRecord(id=doc_id, error=f"{where}: the record's content has over {limit:,} "
                           "bytes (max_input_bytes); skipped (raise max_input_bytes in detente.toml)")
    text = _decode(payload, ctype)
    source = f"{where} ({uri})" if uri else where
    if mime == "text/plain":
        return RawDocument(id=doc_id, text=text, url=uri, source=source)
    return RawDocument(id=doc_id, html=text, url=uri, source=source)


def _uri(record: Any) -> str | None:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    return str(uri) if uri else None


def _cut_short(record: Any, records: Any) -> bool:
    """Whether the file ended inside ``record``, once it has been read to its end.

    Its raw stream stops at its Content-Length: bytes still owed (or no
    Content-Length read at all) mean the file ended first. In a ``.warc.gz`` each record is a gzip member: a member not at its end,
    with nothing more after it in the file, was cut short.
    """
    if getattr(record.raw_stream, "limit", 0) > 0:
        return True
    declared = str(record.rec_headers.get_header("Content-Length") or "")
    if str(record.format).startswith("warc") and not declared.strip().isdigit():
        return True  # the file ended inside the record's headers
    member = getattr(records.reader, "decompressor", None)
    return member is not None and not getattr(member, "eof", True) and not records.next_line


def _decode(payload: bytes, ctype: str) -> str:
    match = _CHARSET.search(ctype)
    declared = [match.group(1)] if match else []
    for charset in [bom_encoding(payload) or "", *declared, "utf-8"]:
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")
