"""Content hashes: what makes two inputs "the same" for idempotent ingest."""

from __future__ import annotations

import hashlib
import logging

from ..model import RawDocument, Result

logger = logging.getLogger(__name__)


def content_hash(raw: RawDocument) -> str:
    """sha256 over the raw content, its URL and a caller-given date (all change the result)."""
    kind, content = ("html", raw.html) if raw.html is not None else ("text", raw.text or "")
    published = raw.published.isoformat() if raw.published else ""
    return _digest(kind, content, raw.url or "", published)


def result_hash(result: Result) -> str:
    """A hash for a result stored without its raw input (the Python API, tests)."""
    article = result.article
    return _digest("result", article.body or "", article.url or "", article.title or "")


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", errors="surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()
