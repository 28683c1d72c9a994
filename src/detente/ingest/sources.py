"""Read inputs into RawDocuments; refuse bad ones with a clear message.

Bad input never raises out of a batch: ``read_jsonl`` yields an ``ErrorRecord``
for a line it cannot use and goes on with the next.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import RawDocument
from ..settings import Settings

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


def read_path(path: str | Path) -> RawDocument:
    """One file: a text dump, or an HTML page (``.html``, ``.htm``, ``.html.gz``)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(p), f"cannot read the file: {exc.strerror}", "check the path") from exc
    if p.name.endswith(".gz"):
        data = _gunzip(data, str(p))
    text = _decode(data, str(p))
    if _looks_like_html(p.name, text):
        return RawDocument(id=p.name, html=text, source=str(p))
    return RawDocument(id=p.name, text=text, source=str(p))


def read_stdin() -> RawDocument:
    text = _decode(sys.stdin.buffer.read(), "<stdin>")
    if _looks_like_html("", text):
        return RawDocument(id="stdin", html=text, source="<stdin>")
    return RawDocument(id="stdin", text=text, source="<stdin>")


def read_jsonl(path: str | Path) -> Iterator[RawDocument | ErrorRecord]:
    """Each line ``{"id", "text", "published"?, "html"?, "url"?}``; ``-`` is stdin."""
    stream = sys.stdin if str(path) == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed by the with below
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield _record(json.loads(line), f"{path}:{number}", number)
            except InputError as exc:
                yield ErrorRecord(id=_line_id(line, number), error=str(exc))
            except json.JSONDecodeError as exc:
                message = f"{path}:{number}: not valid JSON ({exc.msg}); write one JSON object per line"
                yield ErrorRecord(id=f"line-{number}", error=message)


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
    doc_id = str(obj.get("id") or f"line-{number}")
    text, html = obj.get("text"), obj.get("html")
    for name, value in (("text", text), ("html", html), ("url", obj.get("url"))):
        if value is not None and not isinstance(value, str):
            raise InputError(where, f'"{name}" must be a string', f"id {doc_id}")
    if text is None and html is None:
        raise InputError(where, 'the record has neither "text" nor "html"', f"id {doc_id}")
    return RawDocument(
        id=doc_id, text=text, html=html or None, url=obj.get("url"),
        published=_published(obj.get("published"), where), source=f"{where} (id {doc_id})",
    )


def _published(value: Any, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise InputError(where, f'"published" is {value!r}, not a date', "write YYYY-MM-DD") from exc


def _line_id(line: str, number: int) -> str:
    try:
        obj = json.loads(line)
        if isinstance(obj, dict) and obj.get("id") is not None:
            return str(obj["id"])
    except ValueError:
        pass
    return f"line-{number}"


def _gunzip(data: bytes, source: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise InputError(source, f"not a valid gzip file ({exc})", "check the file") from exc


def _decode(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:
            raise InputError(source, "the file looks binary, not text", "give text or HTML") from None
        return data.decode("cp1252", errors="replace")


def _looks_like_html(name: str, text: str) -> bool:
    if name.lower().endswith(HTML_SUFFIXES):
        return True
    head = text[:1000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) and "<body" in text[:200_000].lower()
