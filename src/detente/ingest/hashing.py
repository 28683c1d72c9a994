"""Content hashes: what makes two inputs "the same" for idempotent ingest."""

from __future__ import annotations

import hashlib
from typing import Any

from ..model import RawDocument


def content_hash(raw: RawDocument) -> str:
    """sha256 over the raw content, its URL and a caller-given date (all change the result)."""
    kind, content = ("html", raw.html) if raw.html is not None else ("text", raw.text or "")
    published = raw.published.isoformat() if raw.published else ""
    return _digest(kind, content, raw.url or "", published)


def result_hash(result: dict[str, Any]) -> str:
    """A hash for a result stored without its raw input (the Python API, tests)."""
    article = result.get("article") or {}
    return _digest("result", article.get("body") or "", article.get("url") or "",
                   article.get("title") or "")


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", errors="surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()
