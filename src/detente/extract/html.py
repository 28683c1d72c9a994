"""HTML pages -> Article: trafilatura for body and metadata, htmldate for the date,
and our own pass for figure captions and photo credits, which trafilatura drops."""

from __future__ import annotations

import logging
import re
from datetime import date

import trafilatura
from lxml import html as lxml_html

from ..model import Article, Caption
from .meta import split_caption

logger = logging.getLogger(__name__)

# Elements whose class or id marks a caption; credits nested inside them.
_CAPTION_XPATH = (
    "//figcaption"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]"
    " | //*[contains(@class, 'caption') and not(ancestor::figcaption)"
    " and not(descendant::figcaption)]"
)
_CREDIT_XPATH = (
    ".//*[contains(@class, 'credit') or contains(@class, 'copyright')"
    " or contains(@class, 'photographer')]"
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\band\b|&)\s*")
MAX_CAPTION_CHARS = 600


def extract_html(html: str, url: str | None = None) -> Article:
    """Extract the article of one HTML page."""
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None or isinstance(doc, dict):
        return Article(url=url, captions=find_captions(html))
    published = _parse_date(doc.date)
    title = _clean(doc.title)
    return Article(
        title=title,
        dek=_clean(doc.description),
        authors=_authors(doc.author),
        publisher=_clean(doc.sitename),
        url=url or doc.url,
        published=published,
        published_evidence="page metadata (htmldate)" if published else None,
        categories=[c for c in (doc.categories or []) if c],
        captions=find_captions(html),
        body=_drop_leading_title((doc.text or "").strip(), title),
    )


def find_captions(html: str) -> list[Caption]:
    """Figure captions with their credits, in page order, without repeats."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    seen: set[str] = set()
    captions: list[Caption] = []
    for node in tree.xpath(_CAPTION_XPATH):
        caption = _caption_of(node)
        if caption and caption.text not in seen:
            seen.add(caption.text)
            captions.append(caption)
    return captions


def _caption_of(node: lxml_html.HtmlElement) -> Caption | None:
    credits = [" ".join(c.text_content().split()) for c in node.xpath(_CREDIT_XPATH)]
    text = " ".join(node.text_content().split())
    if not text or len(text) > MAX_CAPTION_CHARS:
        return None
    credit = next((c for c in credits if c), None)
    if credit:
        text = text.replace(credit, "").strip(" |-–—")
        return Caption(text=text, credit=credit) if text else None
    return split_caption(text) or Caption(text=text, credit=None)


def _drop_leading_title(body: str, title: str | None) -> str:
    """The headline is the title, not the body's first paragraph."""
    first, _, rest = body.partition("\n")
    if title and " ".join(first.split()).casefold() == title.casefold():
        return rest.lstrip()
    return body


def _authors(raw: str | None) -> list[str]:
    if not raw:
        return []
    names = (n.strip(" ,") for n in _AUTHOR_SPLIT.split(raw))
    return list(dict.fromkeys(n for n in names if n))


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None
