"""WARC files -> raw documents: one per HTML or plain-text response record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..model import RawDocument
from .sources import ErrorRecord

logger = logging.getLogger(__name__)

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.IGNORECASE)
HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(path: str | Path) -> Iterator[RawDocument | ErrorRecord]:
    """Each ``response`` record whose payload is HTML or plain text, in file order.

    Other records (requests, metadata, images, scripts) are passed over; a record
    that cannot be read yields an ErrorRecord and the file goes on, where it can.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    p = Path(path)
    try:
        stream = p.open("rb")
    except OSError as exc:
        raise InputError(str(p), f"cannot read the file: {exc.strerror}", "check the path") from exc
    found = 0
    with stream:
        try:
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type != "response":
                    continue
                item = _document(record, f"{p}#{number}")
                if item is not None:
                    found += 1
                    yield item
        except ArchiveLoadFailed as exc:
            yield ErrorRecord(id=str(p), error=f"{p}: not a readable WARC file ({exc})")
            return
    if not found:
        yield ErrorRecord(
            id=str(p), error=f"{p}: no HTML or plain-text response records (is it a WARC file?)"
        )


def _document(record: object, where: str) -> RawDocument | ErrorRecord | None:
    uri = record.rec_headers.get_header("WARC-Target-URI")  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    ctype = (http.get_header("Content-Type") if http else None) or ""
    mime = ctype.split(";")[0].strip().lower()
    if mime not in HTML_TYPES and mime != "text/plain":
        return None
    try:
        payload: bytes = record.content_stream().read()  # type: ignore[attr-defined]
    except Exception as exc:  # a truncated or badly encoded record
        return ErrorRecord(id=uri or where, error=f"{where}: cannot read the record ({exc!r})")
    text = _decode(payload, ctype)
    doc_id = uri or where
    source = f"{where} ({uri})" if uri else where
    if mime == "text/plain":
        return RawDocument(id=doc_id, text=text, url=uri, source=source)
    return RawDocument(id=doc_id, html=text, url=uri, source=source)


def _decode(payload: bytes, ctype: str) -> str:
    match = _CHARSET.search(ctype)
    for charset in ([match.group(1)] if match else []) + ["utf-8"]:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")
