"""Fetch feeds and pages over HTTP(S), guarded so the fetcher cannot be turned against its host.

The public entry is :func:`fetch_inputs`: RSS/Atom feeds and XML sitemaps (``feeds``)
and single pages (``urls``) in, :class:`~detente.model.RawDocument` per page out (or an
:class:`~detente.ingest.sources.ErrorRecord` naming the URL; nothing raises out of the
iterator), ready for :func:`detente.ingest.runner.ingest_items`.

How the guard works (see ``docs/fetching.md``; the address checks and the connection
layer live in :mod:`detente.ingest.guard`):

- Only ``http``/``https`` URLs are fetched. Each hop of a redirect chain is checked
  before it is requested (:func:`check_url`): its host is resolved and every address
  it resolves to must be public (not private, loopback, link-local, multicast,
  reserved, unspecified or otherwise not globally routable; IPv4-mapped, 6to4 and
  NAT64 IPv6 addresses are judged by the IPv4 address inside them).
- DNS rebinding (an answer that changes between the check and the connection) is
  defeated at the socket: the client's network backend (:class:`GuardedBackend`)
  resolves the host itself when it opens a connection, checks those addresses and
  connects to the checked IP literal, so no later resolution can happen. TLS still
  verifies the certificate against the host name.
- Environment proxies and ``.netrc`` are ignored (``trust_env=False``): a proxy would
  bypass the address check.
- Every request has a total deadline (connect, TLS, headers and body together),
  enforced on each socket operation, so a server trickling bytes is cut off; bodies are
  read as a stream and dropped once past ``max_bytes`` (after decompression; a gzip
  bomb is stopped by the same cap); only HTML and plain-text pages are taken.
- robots.txt is respected and requests to one host are spaced (``robots``).
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urldefrag

import httpcore
import httpx

from .. import __version__
from ..errors import ConfigError
from ..model import RawDocument
from .feeds import Crawl, CrawlLimits, FetchStats, Listing, parse_listing, safe_url
from .guard import (
    AddressPolicy,
    BlockedAddress,
    Deadline,
    FetchError,
    GuardedBackend,
    GuardedTransport,
    IPAddress,
    Resolver,
    check_url,
    refusal_kind,
    resolve_host,
    resolve_within,
)
from .robots import AGENT_TOKEN, HostPacer, RobotsAnswer, RobotsCache
from .sources import ErrorRecord

logger = logging.getLogger(__name__)

__all__ = ["USER_AGENT", "AddressPolicy", "BlockedAddress", "FetchError", "FetchOptions",
           "FetchStats", "Fetched", "GuardedClient", "check_url", "fetch_inputs",
           "refusal_kind", "resolve_host"]

USER_AGENT = f"{AGENT_TOKEN}/{__version__} (news event coder; python-httpx)"

Kind = Literal["page", "feed", "robots"]

PRIVATE_ADVICE = ("detente fetches public addresses only; pass --allow-private to fetch "
                  "from this machine or your own network")
REDIRECTS = (301, 302, 303, 307, 308)
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least 500 KiB, ignore the rest
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")
ACCEPT = {
    "page": "text/html,application/xhtml+xml,text/plain;q=0.9",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch. Sizes are bytes, times seconds."""

    allow_private: bool = False  # fetch any address (this machine, the LAN): --allow-private
    allow_networks: tuple[str, ...] = ()  # CIDRs allowed although not public ("10.1.2.0/24")
    timeout_s: float = 20.0  # total for one request (each redirect hop is one), body included
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 10.0  # between two reads
    max_bytes: int = 10_000_000  # per body, after decompression
    max_redirects: int = 5
    per_host_delay_s: float = 1.0  # least time between two requests to one host
    max_crawl_delay_s: float = 30.0  # a robots.txt Crawl-delay is obeyed up to this
    user_agent: str = USER_AGENT
    respect_robots: bool = True
    max_items: int = 10_000  # pages taken from one --feed (sitemap index: all its sitemaps)
    max_sitemaps: int = 50  # sitemaps read for one --feed that is a sitemap index
    ca_file: str | None = None  # CA certificates (PEM) to trust instead of the default ones

    def __post_init__(self) -> None:
        positive = ("timeout_s", "connect_timeout_s", "read_timeout_s", "max_bytes",
                    "max_items", "max_sitemaps")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ConfigError(f"fetch option {name} must be positive, not "
                                  f"{getattr(self, name)!r}")
        for name in ("max_redirects", "per_host_delay_s", "max_crawl_delay_s"):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"fetch option {name} must be 0 or more, not "
                                  f"{getattr(self, name)!r}")


# -- one URL ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fetched:
    """A fetched body: the URL asked for, the one that answered after redirects."""

    url: str
    final_url: str
    status: int
    content_type: str  # media type, lower case, no parameters ("" when not given)
    charset: str | None
    body: bytes


class GuardedClient:
    """Fetches one URL at a time: hop checks, robots.txt, pacing, deadline, size cap."""

    def __init__(self, options: FetchOptions, resolver: Resolver = resolve_host) -> None:
        self.options = options
        self.policy = AddressPolicy.from_options(options)
        self.resolver = resolver
        self.deadline = Deadline()
        backend = GuardedBackend(self.policy, resolver, self.deadline)
        transport = GuardedTransport(backend, options.ca_file)
        timeout = httpx.Timeout(options.read_timeout_s, connect=options.connect_timeout_s)
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, trust_env=False, timeout=timeout,
            headers={"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"})
        self.pacer = HostPacer(options.per_host_delay_s)
        self.robots = RobotsCache(self._robots_answer) if options.respect_robots else None

    def close(self) -> None:
        self._client.close()

    def _bounded_resolver(self, host: str, port: int) -> list[IPAddress]:
        return resolve_within(self.resolver, host, port, self.options.connect_timeout_s)

    def get(self, url: str, kind: Kind) -> Fetched:
        """``url`` fetched, redirects followed (each hop checked); FetchError otherwise."""
        current = url
        for _ in range(self.options.max_redirects + 1):
            answer = self._hop(url, current, kind)
            if isinstance(answer, Fetched):
                return answer
            current = answer
        raise FetchError(safe_url(url), f"more than {self.options.max_redirects} redirects",
                         "not followed further")

    def listing(self, url: str) -> Listing:
        """The items of the feed or sitemap at ``url``."""
        fetched = self.get(url, "feed")
        return parse_listing(fetched.body, fetched.final_url, fetched.content_type,
                             self.options.max_bytes)

    def page(self, url: str, published: date | None, source: str) -> RawDocument:
        """The HTML or plain-text page at ``url``."""
        return _page_document(self.get(url, "page"), published, source)

    def _hop(self, url: str, current: str, kind: Kind) -> Fetched | str:
        """One request: a Fetched, or the URL a redirect points to."""
        try:
            check_url(current, self.policy, self._bounded_resolver)
            self._be_polite(url, current, kind)
            self.deadline.start(self.options.timeout_s)
            return self._request(url, current, kind)
        except FetchError as exc:
            if current == url or exc.source == safe_url(url):
                raise
            raise FetchError(safe_url(url), f"the redirect to {exc.source}: {exc.problem}",
                             exc.advice) from exc
        except Exception as exc:  # every failure of one URL becomes its error
            raise self._failure(exc, url, current) from exc
        finally:
            self.deadline.stop()

    def _be_polite(self, url: str, current: str, kind: Kind) -> None:
        delay: float | None = None
        if kind != "robots" and self.robots is not None:
            if not self.robots.allowed(current):
                hop = "" if current == url else f"the redirect to {safe_url(current)}: "
                raise FetchError(safe_url(url), hop + self.robots.why_not(current), "not fetched")
            crawl_delay = self.robots.crawl_delay(current)
            if crawl_delay is not None:
                delay = max(self.options.per_host_delay_s,
                            min(crawl_delay, self.options.max_crawl_delay_s))
        self.pacer.wait(httpx.URL(current).host, delay)

    def _request(self, url: str, current: str, kind: Kind) -> Fetched | str:
        with self._client.stream("GET", current, headers={"Accept": ACCEPT[kind]}) as response:
            location = response.headers.get("location")
            if response.status_code in REDIRECTS and location:
                return urldefrag(str(response.url.join(location.strip())))[0]
            ok = 200 <= response.status_code < 300
            if not ok and kind != "robots":
                raise FetchError(safe_url(url), _status_problem(response, url, current))
            content_type = _media_type(response)
            if ok and kind != "robots":
                _check_type(content_type, kind, url)
            limit = min(self.options.max_bytes, ROBOTS_MAX_BYTES) if kind == "robots" \
                else self.options.max_bytes
            body = _read_body(response, limit, url, truncate=kind == "robots") if ok else b""
            return Fetched(url, current, response.status_code, content_type,
                           response.charset_encoding, body)

    def _failure(self, exc: Exception, url: str, current: str) -> FetchError:
        hop = "" if current == url else f"the redirect to {safe_url(current)}: "
        if isinstance(exc, BlockedAddress):
            return FetchError(safe_url(url), f"refused: {hop}{exc}", PRIVATE_ADVICE)
        if isinstance(exc, httpcore.TimeoutException | httpx.TimeoutException):
            if self.deadline.passed():
                return FetchError(safe_url(url), f"{hop}no complete answer within "
                                  f"{self.options.timeout_s:g} s: cut off", "not stored")
            return FetchError(safe_url(url), f"{hop}timed out ({exc or type(exc).__name__})",
                              "the server is slow or unreachable; try again later")
        if isinstance(exc, httpx.InvalidURL):
            return FetchError(safe_url(url), f"{hop}the server sent an invalid URL ({exc})")
        if isinstance(exc, httpcore.ConnectError | httpx.ConnectError):
            return FetchError(safe_url(url), f"{hop}cannot connect ({exc})", "check the URL")
        if isinstance(exc, httpcore.NetworkError | httpcore.ProtocolError | httpx.HTTPError):
            return FetchError(safe_url(url), f"{hop}the transfer failed ({exc})", "try again later")
        logger.exception("unexpected failure fetching %s", safe_url(url))
        return FetchError(safe_url(url), f"{hop}unexpected error: {type(exc).__name__}: {exc}")

    def _robots_answer(self, robots_url: str) -> RobotsAnswer:
        try:
            fetched = self.get(robots_url, "robots")
        except FetchError as exc:
            logger.info("%s: treated as disallowing everything: %s", robots_url, exc)
            return RobotsAnswer(None, error=exc.problem)
        return RobotsAnswer(fetched.status, _decode(fetched.body, fetched.charset))


def _status_problem(response: httpx.Response, url: str, current: str) -> str:
    where = "" if current == url else f" from {safe_url(current)}"
    return f"HTTP {response.status_code} {response.reason_phrase}{where}".rstrip()


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def _check_type(content_type: str, kind: Kind, url: str) -> None:
    if not content_type:
        return
    if kind == "page" and content_type not in PAGE_TYPES:
        raise FetchError(safe_url(url), f"the content type {content_type} is not an HTML or "
                         "plain-text page", "not fetched")
    if kind == "feed" and not (content_type.startswith("text/") or "xml" in content_type
                               or content_type in FEED_TYPES):
        raise FetchError(safe_url(url), f"the content type {content_type} is not a feed or "
                         "sitemap", "give the URL of an RSS/Atom feed or an XML sitemap")


# -- bodies -------------------------------------------------------------------------------

class _Inflater:
    """Undoes a Content-Encoding chunk by chunk, never producing more than asked."""

    def __init__(self, encoding: str, url: str) -> None:
        encoding = encoding.strip().lower()
        self._url = url
        self._may_be_raw = encoding == "deflate"  # servers differ on what "deflate" means
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._zlib = zlib.decompressobj(wbits=15 if self._may_be_raw else 47)
        else:
            raise FetchError(safe_url(url), f"the content encoding {encoding!r} is not supported",
                             "detente asks for gzip or deflate only")

    def feed(self, data: bytes, room: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, room)
        except zlib.error as exc:
            if not self._may_be_raw:
                raise FetchError(safe_url(self._url), f"the compressed body is corrupt ({exc})",
                                 "not stored") from None
            self._may_be_raw = False
            self._zlib = zlib.decompressobj(wbits=-15)
            return self.feed(data, room)
        self._may_be_raw = False
        return out

    def finish(self) -> None:
        if self._zlib is not None and not self._zlib.eof:
            raise FetchError(safe_url(self._url), "the compressed body is truncated", "not stored")


def _read_body(response: httpx.Response, limit: int, url: str, truncate: bool) -> bytes:
    """The decoded body, read as a stream; past ``limit`` bytes: cut (truncate) or refused."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise FetchError(safe_url(url), f"the response declares {declared} bytes, over the limit "
                         f"of {limit}", "not read; raise max_bytes if such pages are genuine")
    inflater = _Inflater(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    wire = 0
    for chunk in response.iter_raw(65536):
        wire += len(chunk)
        body += inflater.feed(chunk, limit + 1 - len(body))
        if len(body) > limit or wire > limit:
            if truncate:
                return bytes(body[:limit])
            raise FetchError(safe_url(url), f"over the size limit of {limit} bytes: stopped "
                             "reading", "not stored; raise max_bytes if such pages are genuine")
    inflater.finish()
    return bytes(body)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _decode(body: bytes, charset: str | None, html: bool = False) -> str:
    """Text of a body: BOM, then the header's charset, then a <meta> one, then UTF-8/cp1252."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    if not charset and html:
        match = _META_CHARSET.search(body[:4096])
        charset = match[1].decode("ascii") if match else None
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            logger.info("unknown charset %r: decoding as UTF-8", charset)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _page_document(fetched: Fetched, published: date | None, source: str) -> RawDocument:
    if b"\x00" in fetched.body[:4096] and not fetched.body.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FetchError(safe_url(fetched.url), "the page looks binary, not text", "not stored")
    html = fetched.content_type in PAGE_TYPES[:2] or (
        not fetched.content_type and fetched.body.lstrip()[:1] == b"<")
    text = _decode(fetched.body, fetched.charset, html)
    if not text.strip():
        raise FetchError(safe_url(fetched.url), "the page is empty", "not stored")
    if html:
        return RawDocument(id=fetched.url, html=text, url=fetched.final_url,
                           published=published, source=source)
    return RawDocument(id=fetched.url, text=text, url=fetched.final_url,
                       published=published, source=source)


# -- the run ------------------------------------------------------------------------------

def _nothing_known(url: str) -> bool:
    return False


def fetch_inputs(
    feeds: Sequence[str],
    urls: Sequence[str],
    options: FetchOptions | None = None,
    *,
    known: Callable[[str], bool] = _nothing_known,
    report: Callable[[str], None] | None = None,
    stats: FetchStats | None = None,
    resolver: Resolver = resolve_host,
) -> Iterator[RawDocument | ErrorRecord]:
    """The pages ``feeds`` list, then ``urls``, fetched as the iterator is advanced.

    Each distinct page URL (fragment removed) is fetched once per run, and not at all
    when ``known(url)`` says it is stored already. A page is yielded as
    ``RawDocument(id=<URL as listed>, html=... or text=..., url=<URL after redirects>,
    published=<the feed's date for it, if any>, source=<the feed's URL, or the URL>)``;
    every failure as ``ErrorRecord(id=<URL>, error=<message naming it>)``. ``report``
    gets a line per feed; ``stats`` (if given) is filled in; ``resolver`` is for tests.
    """
    options = options or FetchOptions()
    AddressPolicy.from_options(options)  # a bad option is the caller's error, raised now
    if options.ca_file is not None and not Path(options.ca_file).is_file():
        raise ConfigError(f"{options.ca_file}: no such CA file (give a PEM file of CA "
                          "certificates, or none to trust the default ones)")
    return _fetch(feeds, urls, options, known, report or logger.info,
                  stats if stats is not None else FetchStats(), resolver)


def _fetch(feeds: Sequence[str], urls: Sequence[str], options: FetchOptions,
           known: Callable[[str], bool], report: Callable[[str], None], stats: FetchStats,
           resolver: Resolver) -> Iterator[RawDocument | ErrorRecord]:
    client = GuardedClient(options, resolver)  # made when the first item is asked for
    limits = CrawlLimits(options.max_items, options.max_sitemaps)
    crawl = Crawl(limits, client.listing, client.page, known, report, stats)
    try:
        yield from crawl.run(feeds, urls)
    finally:
        client.close()
