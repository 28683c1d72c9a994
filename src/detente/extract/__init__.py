"""Raw document -> clean Article: text dumps and HTML pages."""

from __future__ import annotations

from ..model import Article, RawDocument
from .html import extract_html
from .language import detect_language
from .textdump import extract_textdump

__all__ = ["extract_article", "extract_html", "extract_textdump"]


def extract_article(raw: RawDocument) -> Article:
    """Extract the article from ``raw``: HTML when given, else the text dump.

    A ``published`` date given by the caller overrides the detected one.
    """
    if raw.html is not None:
        article = extract_html(raw.html, url=raw.url, source=raw.source)
    else:
        article = extract_textdump(raw.text or "")
    if raw.url and not article.url:
        article.url = raw.url
    if raw.published is not None:
        article.published = raw.published
        article.published_evidence = "given by the caller"
    article.language = detect_language(_language_sample(article))
    return article


def _language_sample(article: Article) -> str:
    return " ".join(filter(None, [article.title, article.dek, article.body[:3000]]))
