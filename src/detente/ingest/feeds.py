"""What a feed lists: RSS and Atom (feedparser), XML sitemaps (lxml), as plain records.

Everything here works on bytes already fetched; nothing touches the network or the
file system. Two traps are avoided on purpose:

- feedparser, given ``bytes``, tries them as a *file name* first (``open(data)``), so a
  feed whose body is ``/etc/passwd`` would read that file: it is always handed a
  stream (:class:`io.BytesIO`), which it reads and nothing else;
- sitemaps are parsed by lxml with entities left unresolved, no DTD loading and no
  network, so an XML bomb or an external entity cannot expand or reach anything.

A ``.xml.gz`` sitemap is decompressed with the same size cap as any body.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
from lxml import etree

from ..errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["FeedItem", "Listing", "parse_listing"]

_SITEMAP_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex)[\s>/]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class FeedItem:
    """One page a feed lists: its absolute URL (no fragment), and its date if given."""

    url: str
    published: date | None = None


@dataclass
class Listing:
    """A parsed feed: its items in order, and the sitemaps a sitemap index names."""

    kind: str  # "rss", "atom", ... (feedparser's version), "sitemap" or "sitemapindex"
    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def parse_listing(
    data: bytes, url: str, content_type: str | None = None, max_bytes: int = 10_000_000
) -> Listing:
    """The items of a feed or sitemap fetched from ``url``; InputError if it is neither."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, url, max_bytes)
    if _SITEMAP_ROOT.search(data[:65536]):
        return _parse_sitemap(data, url)
    return _parse_feed(data, url, content_type)


def _gunzip(data: bytes, url: str, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(url, f"the gzip-compressed feed is corrupt ({exc})") from None
    if len(out) > max_bytes:
        raise InputError(url, f"the feed decompresses to more than {max_bytes} bytes",
                         "not read; is it really a feed?")
    if not inflater.eof:
        raise InputError(url, "the gzip-compressed feed is truncated", "try again later")
    return out


# -- sitemaps ----------------------------------------------------------------------------

def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def _parse_sitemap(data: bytes, url: str) -> Listing:
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(url, f"the sitemap is not well-formed XML ({exc})") from None
    kind = _local(root)
    listing = Listing(kind=kind)
    child_name = "sitemap" if kind == "sitemapindex" else "url"
    for entry in root:
        if _local(entry) != child_name:
            continue
        loc = _absolute(_child_text(entry, "loc"), url)
        if loc is None:
            continue
        if kind == "sitemapindex":
            listing.sitemaps.append(loc)
        else:
            when = _child_text(entry, "publication_date") or _child_text(entry, "lastmod")
            listing.items.append(FeedItem(loc, _iso_date(when)))
    return listing


def _local(element: Any) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: Any, name: str) -> str | None:
    """The text of the first descendant named ``name`` (any namespace)."""
    for node in element.iter():
        if _local(node) == name and node.text:
            return str(node.text).strip()
    return None


def _iso_date(text: str | None) -> date | None:
    match = _ISO_DATE.match(text or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# -- RSS and Atom ------------------------------------------------------------------------

def _parse_feed(data: bytes, url: str, content_type: str | None) -> Listing:
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers,
                              sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception") or "no feed elements"
        raise InputError(url, f"not an RSS or Atom feed, nor an XML sitemap ({problem})",
                         "give the URL of a feed or a sitemap with --feed, of a page with --url")
    listing = Listing(kind=str(parsed.get("version") or "feed"))
    for entry in parsed.entries:
        link = _absolute(_entry_link(entry), url)
        if link is not None:
            listing.items.append(FeedItem(link, _entry_date(entry)))
    return listing


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return None


def _entry_date(entry: Any) -> date | None:
    present = set(entry.keys())  # entry.get() of a missing date key warns (feedparser 6)
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        moment = entry.get(key) if key in present else None
        if moment:
            try:
                return date(moment.tm_year, moment.tm_mon, moment.tm_mday)
            except ValueError:
                continue
    return None


def _absolute(link: str | None, base: str) -> str | None:
    """``link`` made absolute against ``base``, without its fragment; None unless http(s)."""
    if not link:
        return None
    absolute = urldefrag(urljoin(base, link.strip()))[0]
    if urlsplit(absolute).scheme.lower() not in ("http", "https"):
        logger.info("%s: skipping a listed link that is not http(s): %r", base, link[:200])
        return None
    return absolute
