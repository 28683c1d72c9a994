"""What a feed lists (RSS and Atom by feedparser, XML sitemaps by lxml), and the crawl
from feeds to pages.

Parsing works on bytes already fetched; :class:`Crawl` is handed the functions that
fetch (``detente.ingest.fetch`` builds it), so nothing here touches the network or the
file system. Two traps are avoided on purpose:

- feedparser, given ``bytes``, tries them as a *file name* first (``open(data)``), so a
  feed whose body is ``/etc/passwd`` would read that file: it is always handed a
  stream (:class:`io.BytesIO`), which it reads and nothing else;
- a DOCTYPE (and the entities it declares) is removed before parsing, and sitemaps are
  parsed by lxml with entities left unresolved, no DTD loading and no network, so an
  XML bomb or an external entity cannot expand or reach anything.

A ``.xml.gz`` sitemap is decompressed with the same size cap as any body.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import unicodedata
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
from lxml import etree

from ..errors import DetenteError, InputError
from ..model import RawDocument
from .sources import ErrorRecord

logger = logging.getLogger(__name__)

__all__ = ["Crawl", "CrawlLimits", "FeedItem", "FetchStats", "Listing", "parse_listing",
           "safe_url"]

_SITEMAP_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex)[\s>/]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A DOCTYPE in the prolog, with its internal subset: removed before parsing, so no entity
# a feed declares is ever expanded (feedparser's fallback parser would expand a
# "billion laughs" for seconds); feeds need none, and unknown HTML entities still parse.
_DOCTYPE = re.compile(rb"\A((?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*)<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>",
                      re.DOTALL | re.IGNORECASE)
_ENTITY_MARKERS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le",
                                                               "utf-16-be"))


@dataclass(frozen=True)
class FeedItem:
    """One page a feed lists: its absolute URL (no fragment), and its date if given."""

    url: str
    published: date | None = None


@dataclass
class Listing:
    """A parsed feed: its items in order, and the sitemaps a sitemap index names."""

    kind: str  # "rss20", "atom10", ... (feedparser's version), "urlset" or "sitemapindex"
    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def parse_listing(
    data: bytes, url: str, content_type: str | None = None, max_bytes: int = 10_000_000
) -> Listing:
    """The items of a feed or sitemap fetched from ``url``; InputError if it is neither."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, url, max_bytes)
    doctype = _DOCTYPE.match(data[:65536])  # the prolog: a longer one keeps its DOCTYPE,
    if doctype:  # and entities in it are refused below
        data = doctype[1] + data[doctype.end():]
    if any(marker in data for marker in _ENTITY_MARKERS):  # a DOCTYPE the pattern missed
        raise InputError(safe_url(url), "the feed declares XML entities", "refused: feeds need none")
    if _SITEMAP_ROOT.search(data[:65536]):
        return _parse_sitemap(data, url)
    return _parse_feed(data, url, content_type)


def _gunzip(data: bytes, url: str, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(safe_url(url), f"the gzip-compressed feed is corrupt ({exc})") from None
    if len(out) > max_bytes:
        raise InputError(safe_url(url), f"the feed decompresses to more than {max_bytes} bytes",
                         "not read; is it really a feed?")
    if not inflater.eof:
        raise InputError(safe_url(url), "the gzip-compressed feed is truncated", "try again later")
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
        raise InputError(safe_url(url), f"the sitemap is not well-formed XML ({exc})") from None
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
        raise InputError(safe_url(url), f"not an RSS or Atom feed, nor an XML sitemap ({problem})",
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


def safe_url(url: str) -> str:
    """``url`` safe to print: control characters escaped, length bounded."""
    shown = "".join(c if unicodedata.category(c) != "Cc" else f"\\x{ord(c):02x}" for c in url)
    return shown if len(shown) <= 300 else shown[:300] + "..."


# -- the crawl ---------------------------------------------------------------------------

@dataclass
class FetchStats:
    """What a run did, for the end-of-run report."""

    feeds: int = 0  # feeds and sitemaps read
    listed: int = 0  # distinct page URLs listed or given
    known: int = 0  # of those, skipped because ``known`` said they are stored
    fetched: int = 0  # pages fetched and yielded
    failed: int = 0  # error records yielded


@dataclass(frozen=True)
class CrawlLimits:
    max_items: int = 10_000  # pages taken from one feed (a sitemap index: all its sitemaps)
    max_sitemaps: int = 50  # sitemaps read for one feed that is a sitemap index


class Crawl:
    """Feeds -> the pages they list -> documents: each distinct URL once, stored ones never.

    ``listing`` and ``page`` fetch (they raise DetenteError naming the URL); every
    failure, theirs or ``known``'s, becomes an ErrorRecord and the crawl goes on.
    """

    def __init__(self, limits: CrawlLimits, listing: Callable[[str], Listing],
                 page: Callable[[str, date | None, str], RawDocument],
                 known: Callable[[str], bool], report: Callable[[str], None],
                 stats: FetchStats) -> None:
        self.limits, self.listing, self.fetch_page = limits, listing, page
        self.known, self.report, self.stats = known, report, stats
        self.seen: set[str] = set()

    def run(self, feeds: Sequence[str], urls: Sequence[str]
            ) -> Iterator[RawDocument | ErrorRecord]:
        for feed in feeds:
            yield from self.feed(feed.strip())
        for url in urls:
            yield from self.page(url, None, source=safe_url(url.strip()))

    def feed(self, feed_url: str) -> Iterator[RawDocument | ErrorRecord]:
        before = dataclasses.replace(self.stats)
        for item in self._items(feed_url):
            if isinstance(item, ErrorRecord):
                yield item
            else:
                yield from self.page(item.url, item.published, source=safe_url(feed_url))
        now = self.stats
        self.report(f"{safe_url(feed_url)}: {now.listed - before.listed} pages listed, "
                    f"{now.known - before.known} already stored, "
                    f"{now.fetched - before.fetched} fetched, {now.failed - before.failed} failed")

    def _items(self, feed_url: str) -> Iterator[FeedItem | ErrorRecord]:
        """The feed's items; a sitemap index's sitemaps are read in turn, within the caps."""
        queue, read, taken = deque([feed_url]), set[str](), 0
        while queue:
            where = queue.popleft()
            if where in read:
                continue
            if len(read) > self.limits.max_sitemaps:
                self.report(f"{safe_url(feed_url)}: stopped after {self.limits.max_sitemaps} "
                            "sitemaps (max_sitemaps)")
                return
            read.add(where)
            listing = self._listing(where)
            if isinstance(listing, ErrorRecord):
                yield listing
                continue
            queue.extend(listing.sitemaps)
            for item in listing.items:
                if taken >= self.limits.max_items:
                    self.report(f"{safe_url(feed_url)}: stopped after {taken} items (max_items)")
                    return
                taken += 1
                yield item

    def _listing(self, url: str) -> Listing | ErrorRecord:
        self.stats.feeds += 1
        try:
            return self.listing(url)
        except DetenteError as exc:
            return self._error(url, str(exc))
        except Exception as exc:  # a feed parser's surprise must not end the run
            logger.exception("unexpected failure reading the feed %s", safe_url(url))
            return self._error(url, f"{safe_url(url)}: cannot read the feed "
                                    f"({type(exc).__name__}: {exc})")

    def page(self, url: str, published: date | None, source: str
             ) -> Iterator[RawDocument | ErrorRecord]:
        url = urldefrag(url.strip())[0]
        if url in self.seen:
            return
        self.seen.add(url)
        self.stats.listed += 1
        outcome = self._page(url, published, source)
        if outcome is not None:
            yield outcome

    def _page(self, url: str, published: date | None, source: str
              ) -> RawDocument | ErrorRecord | None:
        try:
            if self.known(url):
                self.stats.known += 1
                return None
        except Exception as exc:
            return self._error(url, f"{safe_url(url)}: cannot tell whether it is stored "
                                    f"already ({type(exc).__name__}: {exc})")
        try:
            document = self.fetch_page(url, published, source)
        except DetenteError as exc:
            return self._error(url, str(exc))
        except Exception as exc:
            logger.exception("unexpected failure reading the page %s", safe_url(url))
            return self._error(url, f"{safe_url(url)}: unexpected error "
                                    f"({type(exc).__name__}: {exc})")
        self.stats.fetched += 1
        return document

    def _error(self, url: str, message: str) -> ErrorRecord:
        self.stats.failed += 1
        return ErrorRecord(id=url, error=message)
