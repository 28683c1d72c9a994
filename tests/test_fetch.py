"""The feed fetcher against a real HTTP server on 127.0.0.1 (a thread): no mocks of httpx.

The server plays every part: feeds, pages, robots.txt, redirects, oversized, gzip-bombed
and trickling responses. Hosts other than 127.0.0.1 exist only through a resolver the
tests inject, so nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import DetenteError, InputError
from detente.ingest import workers
from detente.ingest.feeds import parse_listing
from detente.ingest.fetch import (
    AddressPolicy,
    BlockedAddress,
    FetchError,
    FetchOptions,
    FetchStats,
    check_url,
    fetch_inputs,
    refusal_kind,
)
from detente.ingest.robots import HostPacer, RobotsAnswer, RobotsCache
from detente.ingest.runner import IngestOptions, ingest_items
from detente.ingest.sources import ErrorRecord
from detente.model import RawDocument
from detente.store import Database
from ingest_helpers import fake_analyzer

PAGE = "<html><head><title>{0}</title></head><body><p>Story {0} text.</p></body></html>"


# -- the server ----------------------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})


Route = Reply | Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Route]
    log: list[tuple[str, float, dict[str, str]]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.log.append((self.path, time.monotonic(), dict(self.headers.items())))
        route = self.server.routes.get(self.path, Reply(404, b"not here", {}))
        if callable(route):
            route(self)
            return
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if "Content-Length" not in route.headers:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Site:
    """The running server: ``url(path)``, its ``routes`` and the requests it ``log``ged."""

    def __init__(self, server: _Server) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.routes = server.routes
        self.log = server.log

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.log]

    def page(self, path: str, title: str) -> str:
        self.routes[path] = Reply(body=PAGE.format(title).encode())
        return self.url(path)


@pytest.fixture
def site() -> Iterator[Site]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes, server.log = {}, []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Site(server)
    finally:
        server.shutdown()
        server.server_close()


def opts(**changes: Any) -> FetchOptions:
    """Options for loopback tests: private addresses allowed, no pause, short timeouts."""
    base: dict[str, Any] = {"allow_private": True, "per_host_delay_s": 0.0, "timeout_s": 5.0}
    return FetchOptions(**(base | changes))


def run(feeds: Sequence[str] = (), urls: Sequence[str] = (), options: FetchOptions | None = None,
        **kwargs: Any) -> list[RawDocument | ErrorRecord]:
    return list(fetch_inputs(feeds, urls, options or opts(), **kwargs))


def errors(items: list[RawDocument | ErrorRecord]) -> list[str]:
    return [item.error for item in items if isinstance(item, ErrorRecord)]


def docs(items: list[RawDocument | ErrorRecord]) -> list[RawDocument]:
    return [item for item in items if isinstance(item, RawDocument)]


def rss(*links: tuple[str, str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{link}</link><pubDate>{when}</pubDate></item>"
                    for link, when in links)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            f"<link>http://example.org/</link>{items}</channel></rss>").encode()


def feed_site(site: Site, count: int = 3) -> str:
    links = [(site.page(f"/story/{n}", f"story {n}"), f"Mon, 0{n + 1} May 2023 10:00:00 GMT")
             for n in range(count)]
    site.routes["/feed.xml"] = Reply(body=rss(*links),
                                     headers={"Content-Type": "application/rss+xml"})
    return site.url("/feed.xml")


def resolver_of(table: dict[str, list[str]]) -> Callable[[str, int], list[Any]]:
    def resolve(host: str, port: int) -> list[Any]:
        if host not in table:
            raise socket.gaierror(f"unknown host {host}")
        return [ipaddress.ip_address(a) for a in table[host]]
    return resolve


# -- the address guard (no network) ----------------------------------------------------------

@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.9.9.9", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff0e::1", "multicast"), ("0.0.0.0", "unspecified"),
    ("::", "unspecified"), ("240.0.0.1", "reserved"), ("100.64.0.1", "non-public"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("2002:7f00:1::", "loopback"), ("64:ff9b::a9fe:a9fe", "link-local"),
])
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    reason = refusal_kind(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111",
                                     "::ffff:8.8.8.8", "2002:808:808::"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal_kind(ipaddress.ip_address(address)) is None


def test_hop_checker_judges_every_address_a_name_resolves_to() -> None:
    resolve = resolver_of({"news.test": ["93.184.216.34"], "mixed.test": ["8.8.8.8", "10.0.0.5"],
                           "meta.test": ["169.254.169.254"]})
    policy = AddressPolicy()
    check_url("https://news.test/feed", policy, resolve)
    with pytest.raises(BlockedAddress, match=r"mixed.test resolves to 10.0.0.5, a private"):
        check_url("http://mixed.test/", policy, resolve)
    with pytest.raises(BlockedAddress, match="link-local"):
        check_url("http://meta.test/latest/meta-data", policy, resolve)
    with pytest.raises(BlockedAddress, match="loopback"):
        check_url("http://[::ffff:127.0.0.1]:8080/", policy, resolve)
    with pytest.raises(FetchError, match="cannot resolve the host nowhere.test"):
        check_url("http://nowhere.test/", policy, resolve)
    # allowed explicitly: the whole range, or just one network
    check_url("http://mixed.test/", AddressPolicy(allow_private=True), resolve)
    narrow = AddressPolicy.from_options(FetchOptions(allow_networks=("10.0.0.0/24",)))
    check_url("http://mixed.test/", narrow, resolve)
    with pytest.raises(BlockedAddress):
        check_url("http://meta.test/", narrow, resolve)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/",
                                 "javascript:alert(1)", "//example.org/x", "http://", ""])
def test_hop_checker_takes_http_urls_only(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url, AddressPolicy(allow_private=True), resolver_of({}))


# -- refusal by default, fetching when allowed -------------------------------------------------

def test_a_loopback_feed_is_refused_by_default(site: Site) -> None:
    feed = feed_site(site)
    items = run([feed], [site.url("/story/0"), f"http://localhost:{site.port}/story/1",
                         f"http://[::1]:{site.port}/story/2"], FetchOptions(per_host_delay_s=0))
    assert not docs(items) and len(errors(items)) == 4
    assert all("refused" in e and "loopback" in e and "--allow-private" in e
               for e in errors(items))
    assert items[0].id == feed and feed in errors(items)[0]
    assert site.log == []  # not even robots.txt was asked for


def test_a_loopback_feed_is_fetched_with_allow_private(site: Site) -> None:
    feed = feed_site(site)
    stats = FetchStats()
    lines: list[str] = []
    items = run([feed], options=opts(), stats=stats, report=lines.append)
    assert lines == [f"{feed}: 3 pages listed, 0 already stored, 3 fetched, 0 failed"]
    assert errors(items) == []
    got = docs(items)
    assert [d.id for d in got] == [site.url(f"/story/{n}") for n in range(3)]
    assert got[0].html is not None and "Story story 0 text" in got[0].html
    assert got[0].url == got[0].id and got[0].source == feed
    assert [d.published for d in got] == [date(2023, 5, n) for n in (1, 2, 3)]
    assert stats == FetchStats(feeds=1, listed=3, known=0, fetched=3, failed=0)
    assert all(h["User-Agent"].startswith("detente/") for _, _, h in site.log)


def test_pages_given_with_url_plain_text_and_non_pages(site: Site) -> None:
    html = site.page("/a", "alpha")
    site.routes["/t.txt"] = Reply(body=b"Plain words.", headers={"Content-Type": "text/plain"})
    site.routes["/img"] = Reply(body=b"\x89PNG....", headers={"Content-Type": "image/png"})
    site.routes["/gone"] = Reply(410, b"gone")
    items = run(urls=[html, site.url("/t.txt"), site.url("/img"), site.url("/gone"),
                      html + "#again"])
    assert [type(i).__name__ for i in items] == ["RawDocument", "RawDocument", "ErrorRecord",
                                                 "ErrorRecord"]
    assert isinstance(items[1], RawDocument) and items[1].text == "Plain words."
    assert "image/png is not an HTML or plain-text page" in errors(items)[0]
    assert "HTTP 410" in errors(items)[1] and site.url("/gone") in errors(items)[1]


# -- redirects -------------------------------------------------------------------------------

def redirect(to: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": to})


def test_a_redirect_to_a_private_address_is_refused_live(site: Site) -> None:
    """127.0.0.1 itself is allowed (only it); every hop after it is checked anew."""
    resolve = resolver_of({"intranet.test": ["10.0.0.5"], "feeds.test": ["127.0.0.1"]})
    site.routes["/to-intranet"] = redirect(site.url("/secret", "intranet.test"))
    site.routes["/to-loopback"] = redirect(site.url("/secret", "127.0.0.2"), 301)
    site.routes["/to-mapped"] = redirect(site.url("/secret", "[::ffff:127.0.0.1]"), 307)
    site.routes["/to-allowed"] = redirect(site.url("/secret", "feeds.test"))
    site.page("/secret", "secret")
    only_this_host = opts(allow_private=False, allow_networks=("127.0.0.1/32",))
    urls = [site.url(p) for p in ("/to-intranet", "/to-loopback", "/to-mapped")]
    items = run(urls=urls, options=only_this_host, resolver=resolve)
    messages = errors(items)
    assert len(messages) == 3 and all("refused: the redirect to" in m for m in messages)
    assert "intranet.test resolves to 10.0.0.5, a private address" in messages[0]
    assert "127.0.0.2 is a loopback address" in messages[1]
    assert "IPv4 127.0.0.1 inside IPv6" in messages[2]
    assert "/secret" not in site.paths()
    # the control: the same server, reached by an allowed redirect, answers
    allowed = run(urls=[site.url("/to-allowed")], options=only_this_host, resolver=resolve)
    assert [d.url for d in docs(allowed)] == [site.url("/secret", "feeds.test")]


def test_dns_rebinding_cannot_slip_past_the_check(site: Site) -> None:
    """The name answers 127.0.0.1 (allowed) when checked, 10.0.0.5 afterwards: the
    connection is made from the addresses checked at connect time, so it is refused."""
    answers = iter([["127.0.0.1"]])

    def rebinding(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address(a) for a in next(answers, ["10.0.0.5"])]

    site.page("/page", "page")
    options = opts(allow_private=False, allow_networks=("127.0.0.1/32",), respect_robots=False)
    items = run(urls=[site.url("/page", "rebind.test")], options=options, resolver=rebinding)
    assert "refused" in errors(items)[0] and "10.0.0.5" in errors(items)[0]
    assert site.log == []


def test_the_connection_goes_to_the_checked_address(site: Site) -> None:
    """A name only the injected resolver knows is reached: nothing resolves it again."""
    site.page("/page", "page")
    items = run(urls=[site.url("/page", "only-here.test")],
                resolver=resolver_of({"only-here.test": ["127.0.0.1"]}))
    assert len(docs(items)) == 1
    assert site.log[-1][2]["Host"] == f"only-here.test:{site.port}"


def test_a_redirect_to_another_scheme_is_refused(site: Site) -> None:
    site.routes["/to-file"] = redirect("file:///etc/passwd")
    (item,) = run(urls=[site.url("/to-file")], options=opts(respect_robots=False))
    assert isinstance(item, ErrorRecord) and item.id == site.url("/to-file")
    assert item.error.startswith(site.url("/to-file") + ": the redirect to file:")
    assert "scheme 'file' is not fetched" in item.error


def test_redirects_are_capped(site: Site) -> None:
    for n in range(10):
        site.routes[f"/r{n}"] = redirect(f"/r{n + 1}")
    items = run(urls=[site.url("/r0")], options=opts(max_redirects=3, respect_robots=False))
    assert "more than 3 redirects" in errors(items)[0]
    assert site.paths() == ["/r0", "/r1", "/r2", "/r3"]


# -- TLS ----------------------------------------------------------------------------------------

def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a certificate it signed for news.test (openssl, offline)."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl("req", "-x509", *ec_key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=detente test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", *ec_key, "-keyout", "site.key", "-out", "site.csr", "-subj", "/CN=news.test")
    (folder / "ext.cnf").write_text("subjectAltName=DNS:news.test\nbasicConstraints=CA:FALSE\n"
                                    "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "site.pem", "-days", "2", "-extfile", "ext.cnf")
    return folder / "ca.pem", folder / "site.pem", folder / "site.key"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_connects_to_the_checked_ip_and_verifies_the_host_name(
        site: Site, tmp_path: Path) -> None:
    ca, cert, key = _certificates(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    site.server.socket = context.wrap_socket(site.server.socket, server_side=True)
    site.page("/page", "secure")
    options = opts(ca_file=str(ca), respect_robots=False)
    resolve = resolver_of({"news.test": ["127.0.0.1"]})
    good = run(urls=[f"https://news.test:{site.port}/page"], options=options, resolver=resolve)
    assert [d.url for d in docs(good)] == [f"https://news.test:{site.port}/page"]
    # the same server by its IP: the certificate does not name it, so it is refused
    (wrong,) = run(urls=[f"https://127.0.0.1:{site.port}/page"], options=options)
    assert isinstance(wrong, ErrorRecord) and "certificate" in wrong.error.lower()
    # and a certificate from an untrusted CA is refused too
    (untrusted,) = run(urls=[f"https://news.test:{site.port}/page"],
                       options=opts(respect_robots=False), resolver=resolve)
    assert isinstance(untrusted, ErrorRecord) and "certificate" in untrusted.error.lower()


# -- size and time ---------------------------------------------------------------------------

def _stream(body: bytes, headers: dict[str, str]) -> Callable[[BaseHTTPRequestHandler], None]:
    """A reply without Content-Length: the body ends when the connection closes."""
    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        with contextlib.suppress(OSError):
            handler.wfile.write(body)
        handler.close_connection = True
    return send


def test_oversize_responses_are_cut_off(site: Site) -> None:
    big = b"<html><body>" + b"x" * 2_000_000 + b"</body></html>"
    site.routes["/declared"] = Reply(body=big)
    site.routes["/streamed"] = _stream(big, {"Content-Type": "text/html"})
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    site.routes["/bomb"] = Reply(body=bomb, headers={"Content-Type": "text/html",
                                                      "Content-Encoding": "gzip"})
    site.routes["/cut"] = Reply(body=gzip.compress(PAGE.encode())[:-12],
                                headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    started = time.monotonic()
    items = run(urls=[site.url(p) for p in ("/declared", "/streamed", "/bomb", "/cut")],
                options=opts(max_bytes=1_000_000))
    messages = errors(items)
    assert "declares 2000026 bytes, over the limit of 1000000" in messages[0]
    assert "over the size limit of 1000000 bytes" in messages[1]
    assert "over the size limit of 1000000 bytes" in messages[2]  # 50 MB never inflated
    assert "truncated" in messages[3]
    assert time.monotonic() - started < 5


def test_compressed_pages_are_inflated_and_corrupt_ones_refused(site: Site) -> None:
    page = PAGE.format("zipped").encode()
    raw_deflate = zlib.compressobj(wbits=-15)
    bodies = {"/gz": (gzip.compress(page), "gzip"), "/zlib": (zlib.compress(page), "deflate"),
              "/raw": (raw_deflate.compress(page) + raw_deflate.flush(), "deflate"),
              "/bad": (b"\x1f\x8b\x08\x00garbage-not-gzip" * 4, "gzip"),
              "/br": (page, "br")}
    for path, (body, encoding) in bodies.items():
        site.routes[path] = Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8",
                                                      "Content-Encoding": encoding})
    items = run(urls=[site.url(path) for path in bodies])
    assert [d.html for d in docs(items)] == [page.decode()] * 3
    assert "the compressed body is corrupt" in errors(items)[0]
    assert "the content encoding 'br' is not supported" in errors(items)[1]


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        for _ in range(200):  # 20 s at most
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def _silent(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)


def test_slow_responses_are_cut_off(site: Site) -> None:
    site.routes["/trickle"] = _trickle
    site.routes["/silent"] = _silent
    options = opts(timeout_s=1.0, read_timeout_s=0.5, respect_robots=False)
    started = time.monotonic()
    (trickled,) = errors(run(urls=[site.url("/trickle")], options=options))
    took = time.monotonic() - started
    assert "no complete answer within 1 s: cut off" in trickled
    assert 0.9 < took < 2.5  # the total deadline, though every read got a byte in time
    started = time.monotonic()
    (silent,) = errors(run(urls=[site.url("/silent")], options=options))
    assert "timed out" in silent or "cut off" in silent
    assert time.monotonic() - started < 2


# -- robots.txt and pacing ---------------------------------------------------------------------

def test_a_hanging_dns_look_up_is_cut_off() -> None:
    def hanging(host: str, port: int) -> list[Any]:
        time.sleep(5)
        return [ipaddress.ip_address("93.184.216.34")]

    started = time.monotonic()
    (item,) = run(urls=["http://slow-dns.test/"], options=opts(connect_timeout_s=0.3),
                  resolver=hanging)
    assert isinstance(item, ErrorRecord) and "took longer than 0.3 s" in item.error
    assert time.monotonic() - started < 1.5


def test_robots_txt_is_respected_and_read_once(site: Site) -> None:
    site.routes["/robots.txt"] = Reply(body=b"User-agent: *\nDisallow: /\n\n"
                                            b"User-agent: detente\nDisallow: /private/\n",
                                       headers={"Content-Type": "text/plain"})
    urls = [site.page("/open", "open"), site.page("/private/x", "x"), site.page("/also", "y")]
    items = run(urls=urls)
    assert [d.id for d in docs(items)] == [urls[0], urls[2]]
    assert "robots.txt of http://127.0.0.1" in errors(items)[0]
    assert "disallows" in errors(items)[0] and urls[1] in errors(items)[0]
    assert site.paths() == ["/robots.txt", "/open", "/also"]


@pytest.mark.parametrize("status, fetched", [(404, True), (403, True), (500, False),
                                             (503, False)])
def test_robots_txt_status_decides(site: Site, status: int, fetched: bool) -> None:
    site.routes["/robots.txt"] = Reply(status, b"")
    items = run(urls=[site.page("/p", "p")])
    assert bool(docs(items)) is fetched
    if not fetched:
        assert f"answered HTTP {status}, so nothing there is fetched" in errors(items)[0]


def test_an_unreadable_robots_txt_allows_nothing(site: Site) -> None:
    site.routes["/robots.txt"] = redirect("http://10.0.0.5/robots.txt")
    only_this_host = opts(allow_private=False, allow_networks=("127.0.0.1/32",))
    (item,) = run(urls=[site.page("/p", "p")], options=only_this_host)
    assert isinstance(item, ErrorRecord)
    assert "robots.txt of http://127.0.0.1" in item.error and "could not be read" in item.error
    assert "10.0.0.5 is a private address" in item.error
    assert site.paths() == ["/robots.txt"]


def test_requests_to_one_host_are_paced(site: Site) -> None:
    urls = [site.page(f"/p{n}", str(n)) for n in range(4)]
    started = time.monotonic()
    items = run(urls=urls, options=opts(per_host_delay_s=0.25))
    assert len(docs(items)) == 4
    times = [when for _, when, _ in site.log]  # robots.txt, then the four pages
    assert len(times) == 5
    # the server sees each request a little after it is sent: allow for that jitter
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.2
    assert times[-1] - times[0] >= 0.95 and time.monotonic() - started >= 1.0


def test_crawl_delay_lengthens_the_pause(site: Site) -> None:
    site.routes["/robots.txt"] = Reply(body=b"User-agent: *\nCrawl-delay: 1\n",
                                       headers={"Content-Type": "text/plain"})
    run(urls=[site.page("/a", "a"), site.page("/b", "b")], options=opts(per_host_delay_s=0.05))
    times = [when for path, when, _ in site.log if path != "/robots.txt"]
    assert times[1] - times[0] >= 0.95


def test_pacer_waits_only_as_long_as_needed() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = HostPacer(1.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait("A.test")
    now[0] += 0.25
    pacer.wait("a.test")
    pacer.wait("b.test")
    pacer.wait("a.test", delay_s=2.0)
    assert slept == [0.75, 2.0]


def test_robots_cache_reads_each_origin_once() -> None:
    asked: list[str] = []

    def fetch(url: str) -> RobotsAnswer:
        asked.append(url)
        return RobotsAnswer(200, "User-agent: *\nDisallow: /x\n")

    cache = RobotsCache(fetch)
    assert cache.allowed("http://a.test/y") and not cache.allowed("http://a.test/x/1")
    assert cache.allowed("https://a.test/y") and cache.allowed("http://a.test:81/y")
    assert asked == ["http://a.test/robots.txt", "https://a.test/robots.txt",
                     "http://a.test:81/robots.txt"]
    assert not RobotsCache(lambda url: RobotsAnswer(None)).allowed("http://b.test/")


# -- idempotence across runs -------------------------------------------------------------------

def test_a_second_run_fetches_only_what_is_new(site: Site) -> None:
    feed = feed_site(site, count=3)
    stored = {d.id for d in docs(run([feed]))}
    assert len(stored) == 3
    site.log.clear()
    stats = FetchStats()
    assert run([feed], known=stored.__contains__, stats=stats) == []
    assert sorted(site.paths()) == ["/feed.xml", "/robots.txt"]
    assert (stats.listed, stats.known, stats.fetched) == (3, 3, 0)
    # a new story appears in the feed: only it is fetched
    site.routes["/feed.xml"] = Reply(body=rss(*[(site.page(f"/story/{n}", str(n)), "")
                                                for n in range(4)]))
    site.log.clear()
    assert [d.id for d in docs(run([feed], known=stored.__contains__))] == \
        [site.url("/story/3")]
    assert "/story/3" in site.paths() and "/story/0" not in site.paths()


def test_a_url_listed_twice_is_fetched_once_and_a_failing_known_is_an_error(site: Site) -> None:
    feed = feed_site(site, count=2)
    items = run([feed, feed], [site.url("/story/0")])
    assert len(docs(items)) == 2 and site.paths().count("/story/0") == 1

    def broken(url: str) -> bool:
        raise RuntimeError("database is locked")

    (item,) = run(urls=[site.url("/story/1")], known=broken)
    assert isinstance(item, ErrorRecord) and "database is locked" in item.error


# -- feeds and sitemaps ------------------------------------------------------------------------

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
<updated>2023-05-16T10:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link rel="alternate" href="/one"/>
<updated>2023-05-16T10:00:00Z</updated></entry>
<entry><title>Bad</title><id>urn:2</id><link href="file:///etc/passwd"/></entry>
</feed>"""

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{0}/s1</loc><news:news><news:publication_date>2023-05-14T08:00:00+00:00</news:publication_date></news:news></url>
<url><loc>{0}/s2</loc><lastmod>2023-05-15</lastmod></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""


def test_atom_feeds_resolve_links_and_skip_other_schemes() -> None:
    listing = parse_listing(ATOM, "http://news.test/feeds/atom.xml")
    assert listing.kind.startswith("atom")
    assert [(i.url, i.published) for i in listing.items] == \
        [("http://news.test/one", date(2023, 5, 16))]


def test_sitemaps_and_sitemap_indexes(site: Site) -> None:
    base = site.url("")
    site.routes["/sitemap-a.xml"] = Reply(body=SITEMAP.format(base).encode(),
                                          headers={"Content-Type": "application/xml"})
    site.routes["/sitemap-b.xml.gz"] = Reply(
        body=gzip.compress(SITEMAP.format(base).replace("/s", "/t").encode()),
        headers={"Content-Type": "application/x-gzip"})
    site.routes["/sitemap.xml"] = Reply(body=(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap-a.xml</loc></sitemap>"
        f"<sitemap><loc>{base}/sitemap-b.xml.gz</loc></sitemap></sitemapindex>").encode(),
        headers={"Content-Type": "text/xml"})
    for path in ("/s1", "/s2", "/t1", "/t2"):
        site.page(path, path)
    got = docs(run([site.url("/sitemap.xml")]))
    assert [d.id for d in got] == [site.url(p) for p in ("/s1", "/s2", "/t1", "/t2")]
    assert [d.published for d in got[:2]] == [date(2023, 5, 14), date(2023, 5, 15)]
    capped = docs(run([site.url("/sitemap.xml")], options=opts(max_items=3)))
    assert len(capped) == 3


def test_feed_bodies_are_never_taken_for_file_names(site: Site) -> None:
    site.routes["/feed"] = Reply(body=b"/etc/hostname", headers={"Content-Type": "text/xml"})
    (item,) = run([site.url("/feed")])
    assert isinstance(item, ErrorRecord) and "not an RSS or Atom feed" in item.error


SITEMAP_ROOT = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
                "<loc>http://x.test/&e;</loc></url></urlset>")
RSS_ROOT = '<rss version="2.0"><channel><title>t</title><item><link>http://x.test/&e;</link></item></channel></rss>'
LAUGHS = ('<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">'
                                          for i in range(1, 10)) + '<!ENTITY e "&a9;">')


@pytest.mark.parametrize("root", [SITEMAP_ROOT, RSS_ROOT])
def test_entities_a_feed_declares_are_never_expanded(root: str, tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-4711")
    for subset in (f'<!ENTITY e SYSTEM "file://{secret}">', LAUGHS):
        _never_expanded(f'<?xml version="1.0"?><!DOCTYPE r [{subset}]>{root}'.encode())
        _never_expanded(f'<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [{subset}]>'
                        f"{root}".encode("utf-16"))


def _never_expanded(document: bytes) -> None:
    started = time.monotonic()
    try:
        listing = parse_listing(document, "http://x.test/feed")
    except InputError:
        return
    finally:
        assert time.monotonic() - started < 1
    assert all("SECRET" not in i.url and "lol" not in i.url for i in listing.items)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "http://[::1",
                                 "", "no scheme at all", "http://\x1b[31mred/"])
def test_nothing_raises_out_of_the_iterator(url: str) -> None:
    (item,) = run([url]) if url else run(urls=[url])
    assert isinstance(item, ErrorRecord) and item.error
    assert "\x1b" not in item.error


def test_a_bad_option_is_raised_when_called_not_later() -> None:
    with pytest.raises(DetenteError, match="allow_networks"):
        fetch_inputs([], ["http://news.test/"], FetchOptions(allow_networks=("10.0.0.0/33",)))
    with pytest.raises(DetenteError, match="max_bytes must be positive"):
        FetchOptions(max_bytes=0)
    with pytest.raises(DetenteError, match="per_host_delay_s must be 0 or more"):
        FetchOptions(per_host_delay_s=-1)


# -- into the store ------------------------------------------------------------------------------

def test_fetched_pages_are_stored_and_a_nightly_rerun_adds_only_new_ones(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring the CLI uses: fetch_inputs -> ingest_items, ``known`` asked of the store."""
    monkeypatch.setattr(workers, "_LOADED", None)
    feed = feed_site(site, count=3)
    ingest = IngestOptions(analyzer_factory=fake_analyzer, progress=False, jobs=1)
    with Database(tmp_path / "news.db") as db:
        def known(url: str) -> bool:
            return any(db.rows("SELECT 1 FROM articles WHERE doc_id = ?", (url,)))

        first = ingest_items(fetch_inputs([feed], [], opts(), known=known), db, ingest)
        assert (first.added, first.failed) == (3, 0)
        stored = db.articles()
        assert sorted(stored["url"]) == [site.url(f"/story/{n}") for n in range(3)]
        site.log.clear()
        again = ingest_items(fetch_inputs([feed], [], opts(), known=known), db, ingest)
        assert (again.seen, again.added) == (0, 0)
        assert sorted(site.paths()) == ["/feed.xml", "/robots.txt"]


# -- properties ----------------------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
XMLISH = st.lists(st.one_of(
    st.sampled_from(["<rss version='2.0'>", "<channel>", "<item>", "<link>", "</link>", "</item>",
                     "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", "<url>",
                     "<loc>", "</loc>", "<sitemapindex>", "<sitemap>", "<feed xmlns="
                     "'http://www.w3.org/2005/Atom'>", "<entry>", "<link href='", "'/>",
                     "<!DOCTYPE x [", "<!ENTITY e 'x'>", "]>", "&e;", "&amp;", "<?xml?>",
                     "http://x.test/", "/a", "file:///etc/passwd", "2023-05-16", "\x00"]),
    st.text(max_size=8)), max_size=40).map("".join)


@FAST
@given(XMLISH)
def test_any_feed_body_gives_a_listing_or_an_input_error(body: str) -> None:
    for data in (body.encode("utf-8", "surrogatepass"), gzip.compress(body.encode("utf-8",
                                                                                  "surrogatepass"))):
        try:
            listing = parse_listing(data, "http://x.test/feed")
        except InputError:
            continue
        assert all(i.url.startswith(("http://", "https://")) for i in listing.items)


@FAST
@given(st.text(max_size=60), st.sampled_from(["", "http://", "https://", "ftp://", "http://["]))
def test_any_url_passes_the_hop_check_or_gets_a_clear_refusal(text: str, prefix: str) -> None:
    try:
        check_url(prefix + text, AddressPolicy(), resolver_of({}))
    except (FetchError, BlockedAddress) as exc:
        assert str(exc)
