"""HTML pages -> Article: trafilatura for body and metadata, htmldate for the date,
and our own pass for figure captions and photo credits, which trafilatura drops.

A page nested deeper than the HTML parser takes (libxml2 stops at 256 levels and
drops the rest, so trafilatura would find nothing) is flattened first: elements
below ``FLAT_DEPTH`` that only wrap others are unwrapped, their text kept. A page
deeper than even the parser's large-document mode reads (``HUGE_DEPTH``) is
refused with an InputError, never returned empty.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import trafilatura
from lxml import html as lxml_html

from ..errors import InputError
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
# A page the parser cannot take whole is flattened to this depth (the parser's own
# limit is 256: room is left for the elements trafilatura wraps around the text).
FLAT_DEPTH = 200
# The deepest page libxml2 reads in its large-document (huge_tree) mode.
HUGE_DEPTH = 2048
# Characters XML (and so an lxml tree's text) cannot hold.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class _Page:
    """The HTML to extract from, and its parsed tree (None where it does not parse)."""

    html: str
    tree: lxml_html.HtmlElement | None


def extract_html(html: str, url: str | None = None, source: str | None = None) -> Article:
    """Extract the article of one HTML page (flattened first where too deep to parse).

    Raises InputError, naming ``source`` (else ``url``), for a page nested deeper
    than the parser reads at all.
    """
    page = _within_depth(html, source or url)
    captions = _captions_in(page.tree)
    doc = _extract(page.html, url)
    if doc is None or isinstance(doc, dict):
        return Article(url=url, captions=captions)
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
        captions=captions,
        body=_drop_leading_title((doc.text or "").strip(), title),
    )


def _extract(html: str, url: str | None) -> Any:
    """trafilatura's extraction of ``html``. A fragment whose root is foreign content
    ('<svg>...', '<body><math>...') trips an assertion in htmldate's cleaning: such a
    page is extracted again wrapped in its own html and body elements."""
    try:
        return trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except AssertionError:
        wrapped = f"<html><body><div>{html}</div></body></html>"
        return trafilatura.bare_extraction(
            wrapped, url=url, with_metadata=True, include_comments=False, include_tables=True
        )


def find_captions(html: str) -> list[Caption]:
    """Figure captions with their credits, in page order, without repeats."""
    return _captions_in(_parse(html, lxml_html.HTMLParser(encoding="utf-8")))


def _within_depth(html: str, where: str | None) -> _Page:
    """``html`` parsed; where the parser stopped at its depth limit, flattened."""
    parser = lxml_html.HTMLParser(encoding="utf-8")
    tree = _parse(html, parser)
    if tree is None or not _too_deep(parser):
        return _Page(html, tree)
    # Control characters cannot live in an lxml tree's text (flattening moves text about).
    html = _NOT_XML.sub("", html)
    huge = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True)
    tree = _parse(html, huge)
    if tree is None or _too_deep(huge):
        raise InputError(
            where or "the HTML page", f"the HTML is nested over {HUGE_DEPTH:,} elements deep, "
            "deeper than the parser reads", "it cannot be extracted; give the page's text instead",
        )
    unwrapped = _flatten(tree, FLAT_DEPTH)
    logger.info("%s: HTML nested too deep to parse: %d wrapping elements unwrapped",
                where or "a page", unwrapped)
    return _Page(lxml_html.tostring(tree, encoding="unicode"), tree)


def _parse(html: str, parser: lxml_html.HTMLParser) -> lxml_html.HtmlElement | None:
    """The page's tree (None where it has none). lxml refuses a str that declares its
    encoding (``<?xml ... encoding=...?>``): that one is parsed as UTF-8 bytes, as
    trafilatura does."""
    try:
        try:
            return lxml_html.fromstring(html, parser=parser)
        except ValueError:
            return lxml_html.fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except (ValueError, lxml_html.etree.ParserError):
        return None


def _too_deep(parser: lxml_html.HTMLParser) -> bool:
    """Whether the last parse stopped at the parser's depth limit (dropping the rest)."""
    return any("Excessive depth" in error.message for error in parser.error_log)


def _flatten(tree: lxml_html.HtmlElement, depth: int) -> int:
    """Unwrap every element below ``depth`` that has child elements (its text and
    children move up to its parent), so that no element is deeper than ``depth + 1``.
    Returns how many were unwrapped."""
    level = 0
    wrappers = []
    for event, element in lxml_html.etree.iterwalk(tree, events=("start", "end")):
        if event == "end":
            level -= 1
            continue
        level += 1
        if level > depth and len(element):
            wrappers.append(element)
    for element in wrappers:
        element.drop_tag()
    return len(wrappers)


def _captions_in(tree: lxml_html.HtmlElement | None) -> list[Caption]:
    """Figure captions with their credits in a parsed page."""
    if tree is None:
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
