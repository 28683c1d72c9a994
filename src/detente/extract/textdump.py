"""Text-dump extraction (placeholder being replaced by the real extractor)."""

from __future__ import annotations

from ..model import Article


def extract_textdump(text: str) -> Article:
    return Article(body=text.strip())
