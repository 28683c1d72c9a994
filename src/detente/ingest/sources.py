"""Read inputs into RawDocuments; refuse bad ones with a clear message.

Bad input never raises out of a batch: ``read_jsonl`` yields an ``ErrorRecord``
for a line it cannot use and goes on with the next. Files are read within the
limits of ``detente.settings`` (see ``limits``): only regular files, a cap on
bytes, on decompressed size and ratio, on the length of a JSON Lines record.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import reprlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings, load_settings
from .limits import (
    bounded_lines,
    decode_text,
    gunzip_bounded,
    open_regular,
    read_bounded,
    read_errors,
)

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml")
# A text is binary when this share of its characters are control characters.
MAX_CONTROL_SHARE = 0.01
# Control characters other than whitespace (\t \n \v \f \r): their share says "binary".
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


@dataclass
class ErrorRecord:
    """An input that could not be analysed: the contract's ``{"id", "error"}``."""

    id: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "error": self.error}


def read_path(path: str | Path, settings: Settings | None = None) -> RawDocument:
    """One file: a text dump, or an HTML page (``.html``, ``.htm``, ``.html.gz``).

    Only a regular file is read, within ``settings.max_input_bytes`` (and, for
    ``.gz``, ``max_gzip_ratio``); otherwise InputError names the file.
    """
    p = Path(path)
    settings = settings or load_settings()
    with open_regular(p) as stream, read_errors(str(p)):
        if p.name.lower().endswith(".gz"):
            data = gunzip_bounded(stream, str(p), settings.max_input_bytes, settings.max_gzip_ratio)
        else:
            data = read_bounded(stream, settings.max_input_bytes, str(p))
    text = decode_text(data, str(p))
    if _looks_like_html(p.name, text):
        return RawDocument(id=p.name, html=text, source=str(p))
    return RawDocument(id=p.name, text=text, source=str(p))


def read_stdin(settings: Settings | None = None) -> RawDocument:
    """One document from stdin, within ``settings.max_input_bytes``."""
    settings = settings or load_settings()
    with read_errors("<stdin>"):
        data = read_bounded(sys.stdin.buffer, settings.max_input_bytes, "<stdin>")
    text = decode_text(data, "<stdin>")
    if _looks_like_html("", text):
        return RawDocument(id="stdin", html=text, source="<stdin>")
    return RawDocument(id="stdin", text=text, source="<stdin>")


def read_jsonl(
    path: str | Path, settings: Settings | None = None
) -> Iterator[RawDocument | ErrorRecord]:
    """Each line ``{"id", "text", "published"?, "html"?, "url"?}``; ``-`` is stdin.

    A line that cannot be used (not JSON, not UTF-8, nested too deep, over
    ``settings.max_line_bytes``, not a record) yields an ErrorRecord and the file
    goes on. Only a regular file (or stdin) is read: InputError otherwise.
    """
    settings = settings or load_settings()
    if str(path) == "-":
        with read_errors("<stdin>"):
            yield from _jsonl_lines(sys.stdin.buffer, "<stdin>", settings.max_line_bytes)
        return
    with open_regular(Path(path)) as stream, read_errors(str(path)):
        yield from _jsonl_lines(stream, str(path), settings.max_line_bytes)


def _jsonl_lines(stream: BinaryIO, name: str, limit: int) -> Iterator[RawDocument | ErrorRecord]:
    for line in bounded_lines(stream, limit):
        where = f"{name}:{line.number}"
        if line.data is None:
            yield ErrorRecord(
                id=f"line-{line.number}",
                error=f"{where}: the line has over {limit:,} bytes (max_line_bytes); skipped "
                "unread (split the record, or raise max_line_bytes in detente.toml)",
            )
            continue
        data = line.data.removeprefix(codecs.BOM_UTF8) if line.number == 1 else line.data
        if data.strip():
            yield _jsonl_item(data, where, line.number)


def _jsonl_item(data: bytes, where: str, number: int) -> RawDocument | ErrorRecord:
    """One line as a document, or the ErrorRecord saying why it is not one."""
    fallback = f"line-{number}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ErrorRecord(id=fallback, error=f"{where}: not valid UTF-8 (byte 0x{data[exc.start]:02x} "
                           f"at column {exc.start + 1:,}); save the file as UTF-8")
    try:
        obj = json.loads(text)
    except RecursionError:
        return ErrorRecord(id=fallback, error=f"{where}: nested too deeply for the JSON parser; "
                           'write one flat object per line: {"id": ..., "text": ...}')
    except ValueError as exc:  # JSONDecodeError, or an integer of over 4,300 digits
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return ErrorRecord(id=fallback, error=f"{where}: not valid JSON ({why}); write one JSON "
                           "object per line")
    try:
        return _record(obj, where, number)
    except InputError as exc:
        return ErrorRecord(id=_id_of(obj, number), error=str(exc))
    except Exception as exc:  # whatever a hostile record provokes, it stays this line's error
        return ErrorRecord(id=fallback, error=f"{where}: cannot use the record ({exc!r})")


def validate(raw: RawDocument, settings: Settings) -> None:
    """Raise InputError when ``raw`` is empty, binary or too large to analyse."""
    content = raw.html if raw.html is not None else raw.text
    if content is None or not content.strip():
        raise InputError(raw.source, "the document is empty", "give it some text or HTML")
    if len(content) > settings.max_input_chars:
        raise InputError(
            raw.source,
            f"the document has {len(content):,} characters, over the limit of "
            f"{settings.max_input_chars:,}",
            "split it, or raise max_input_chars in detente.toml",
        )
    sample = content[:100_000]
    controls = len(_CONTROL.findall(sample))
    if "\x00" in sample or controls > MAX_CONTROL_SHARE * len(sample):
        raise InputError(raw.source, "the document looks binary, not text", "give text or HTML")


def _record(obj: Any, where: str, number: int) -> RawDocument:
    if not isinstance(obj, dict):
        raise InputError(where, "a line must be a JSON object", 'write {"id": ..., "text": ...}')
    doc_id = _id_of(obj, number)
    text, html = obj.get("text"), obj.get("html")
    for name, value in (("text", text), ("html", html), ("url", obj.get("url"))):
        if value is not None and not isinstance(value, str):
            raise InputError(where, f'"{name}" must be a string', f"id {doc_id}")
    if text is None and html is None:
        raise InputError(where, 'the record has neither "text" nor "html"', f"id {doc_id}")
    return RawDocument(
        id=doc_id, text=_unicode(text), html=_unicode(html) or None,
        url=_unicode(obj.get("url")), published=_published(obj.get("published"), where),
        source=f"{where} (id {doc_id})",
    )


def _unicode(value: str | None) -> str | None:
    """``value`` with unpaired surrogates (JSON's ``"\\ud83d"`` cut from its pair, as
    string-slicing tools leave them) replaced by U+FFFD: they cannot be written out."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def _published(value: Any, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise InputError(
            where, f'"published" is {reprlib.repr(value)}, not a date', "write YYYY-MM-DD"
        ) from exc


def _id_of(obj: Any, number: int) -> str:
    """The record's ``id`` (a string or a whole number), else ``line-N``."""
    value = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(value, str) and value:
        return _unicode(value) or value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"line-{number}"


def _looks_like_html(name: str, text: str) -> bool:
    if name.lower().endswith(HTML_SUFFIXES):
        return True
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) and "<body" in text[:200_000].lower()
