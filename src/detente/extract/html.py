"""HTML extraction (being written)."""

from __future__ import annotations

from ..model import Article


def extract_html(html: str, url: str | None = None) -> Article:
    import trafilatura

    body = trafilatura.extract(html, url=url) or ""
    return Article(body=body, url=url)
