"""Hostile input on the reading side (issue 14): every limit is checked while reading,
only regular files are read, truncation is an error, and one bad input never ends a
batch. The last tests ingest a folder that mixes good pages with every kind of poison
in a subprocess and measure its peak memory.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from detente.errors import ConfigError, DetenteError, InputError
from detente.extract.html import HUGE_DEPTH, extract_html
from detente.ingest import runner
from detente.ingest.limits import bounded_lines, open_regular
from detente.ingest.runner import IngestOptions, iter_inputs
from detente.ingest.sources import ErrorRecord, read_jsonl, read_path, validate
from detente.ingest.warc import read_warc
from detente.model import Article, RawDocument, Result
from detente.settings import Settings, load_settings

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"
MB = 1 << 20
PEAK_LIMIT_MB = 1024


# -- building hostile files --------------------------------------------------------

def story(topic: str) -> str:
    """A distinct article-like text about ``topic``."""
    return (
        f"{topic}: ministers meet in Geneva\n\n"
        f"The foreign ministers of France and Russia met in Geneva on Tuesday to discuss "
        f"{topic}, officials said. The talks lasted four hours and ended without agreement, "
        f"according to diplomats who spoke on condition of anonymity about {topic}. "
        "Both sides said they would meet again next month.\n"
    )


def page(topic: str, depth: int = 0) -> str:
    """An HTML page about ``topic``, its paragraph inside ``depth`` nested divs."""
    body = "".join(f"<p>{line}</p>" for line in story(topic).splitlines() if line)
    return (f"<html><head><title>{topic}</title></head><body>"
            f"{'<div>' * depth}<article>{body}</article>{'</div>' * depth}</body></html>")


def gzip_bomb(size: int, block: int = MB) -> bytes:
    """A valid one-member gzip of ``size`` zero bytes, built in well under a second a
    GB: one compressed block, repeated (a full flush makes each block stand alone)."""
    zeros = bytes(block)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // block):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + piece * (size // block) + deflate.flush() + trailer


def warc_bytes(pages: Iterable[tuple[str, str]], *, gz: bool) -> bytes:
    """A WARC of HTML response records (uri, html), one gzip member each when ``gz``."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    for uri, html in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(html.encode()), http_headers=http))
    return out.getvalue()


def deep_json(depth: int) -> str:
    return '{"id": "deep", "text": ' + "[" * depth + "]" * depth + "}"


@pytest.fixture()
def no_hang() -> Iterator[None]:
    """Fails the test instead of hanging it (a FIFO opened for reading blocks)."""
    def _timeout(signum: int, frame: Any) -> None:
        raise TimeoutError("reading hung")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def peak_python_mb(action: Any) -> float:
    """The peak of Python allocations (MB) while ``action()`` runs (its error ignored)."""
    tracemalloc.start()
    try:
        action()
    except DetenteError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MB


# -- only regular files ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link", "socket", "folder"])
def test_only_regular_files_are_opened(tmp_path: Path, kind: str, no_hang: None) -> None:
    path = tmp_path / "input.txt"
    server = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero-link":
        path.symlink_to("/dev/zero")
    elif kind == "socket":
        server = bind_socket(path)
    else:
        path.mkdir()
    expected = {"fifo": "named pipe", "dev-zero-link": "link to a character device (/dev/zero)",
                "socket": "socket", "folder": "folder"}[kind]
    try:
        with pytest.raises(InputError, match="not a regular file") as info:
            read_path(path)
        assert expected in str(info.value) and str(path) in str(info.value)
        with pytest.raises(InputError, match="not a regular file"):
            list(read_jsonl(path))
        with pytest.raises(InputError, match="not a regular file"):
            list(read_warc(path))
        (item,) = iter_inputs(IngestOptions(paths=[path] if kind != "folder" else [], jsonl=[path]
                                            if kind == "folder" else []))
        assert isinstance(item, ErrorRecord) and "not a regular file" in item.error
    finally:
        if server is not None:
            server.close()


def test_open_regular_reads_a_regular_file_and_a_link_to_one(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("hello")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with open_regular(link) as stream:
        assert stream.read() == b"hello"


# -- bytes per input, gzip ---------------------------------------------------------

def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # 200 MB, sparse: costs no disk
        fh.truncate(200 * MB)
    with pytest.raises(InputError, match=r"209,715,200 bytes, over the limit of 25,000,000 "
                       r"\(max_input_bytes\)") as info:
        read_path(big)
    assert "big.txt" in str(info.value)
    assert peak_python_mb(lambda: read_path(big)) < 1


def test_input_growing_past_the_limit_is_cut_off(tmp_path: Path) -> None:
    """A file whose size says nothing (/proc, a FIFO's contents) is read only to the cap."""
    from detente.ingest.limits import read_bounded

    with pytest.raises(InputError, match="max_input_bytes"):
        read_bounded(io.BytesIO(b"x" * 101), 100, "stream")
    assert read_bounded(io.BytesIO(b"x" * 100), 100, "stream") == b"x" * 100


def test_a_disk_error_while_reading_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detente.ingest import sources

    def failing(*args: Any) -> Any:
        raise OSError(5, "Input/output error")

    (tmp_path / "a.txt").write_text("text")
    (tmp_path / "a.jsonl").write_text('{"id": "a", "text": "x"}\n')
    monkeypatch.setattr(sources, "read_bounded", failing)
    monkeypatch.setattr(sources, "bounded_lines", failing)
    with pytest.raises(InputError, match="a.txt: cannot read the file: Input/output error"):
        read_path(tmp_path / "a.txt")
    with pytest.raises(InputError, match="a.jsonl: cannot read the file: Input/output error"):
        list(read_jsonl(tmp_path / "a.jsonl"))


def test_stdin_is_read_within_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.ingest.sources import read_stdin

    class Stdin:
        buffer = io.BufferedReader(io.BytesIO(codecs.BOM_UTF16_LE + "x".encode("utf-16-le") * 600))

    monkeypatch.setattr(sys, "stdin", Stdin())
    with pytest.raises(InputError, match="<stdin>: the input has more bytes, over the limit of 1,000"):
        read_stdin(Settings(max_input_bytes=1000))
    Stdin.buffer = io.BufferedReader(io.BytesIO(codecs.BOM_UTF16_LE + "hé".encode("utf-16-le")))
    assert read_stdin(Settings(max_input_bytes=1000)).text == "hé"


def test_gzip_bomb_is_refused_with_little_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip_bomb(200 * MB))
    assert bomb.stat().st_size < 300_000
    with pytest.raises(InputError, match="max_gzip_ratio") as info:
        read_path(bomb)
    assert "bomb.html.gz" in str(info.value) and "gzip bomb" in str(info.value)
    assert peak_python_mb(lambda: read_path(bomb)) < 16


def test_gzip_output_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.txt.gz"
    path.write_bytes(gzip.compress(os.urandom(300_000).hex().encode()))  # ratio ~2
    with pytest.raises(InputError, match="decompresses to more than 500,000 bytes"):
        read_path(path, Settings(max_input_bytes=500_000))
    assert len(read_path(path, Settings(max_input_bytes=600_000)).text or "") == 600_000


def test_gzip_ratio_is_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "zeros.txt.gz"
    path.write_bytes(gzip.compress(b"a" * (3 * MB)))
    with pytest.raises(InputError, match="max_gzip_ratio"):
        read_path(path)
    assert len(read_path(path, Settings(max_gzip_ratio=10_000)).text or "") == 3 * MB


@pytest.mark.parametrize("cut", [1, 4, 8, 200])
def test_truncated_gzip_is_an_error(tmp_path: Path, cut: int) -> None:
    data = gzip.compress(page("Truncation").encode())
    path = tmp_path / "cut.html.gz"
    path.write_bytes(data[:-cut])
    with pytest.raises(InputError, match="not a valid gzip file") as info:
        read_path(path)
    assert "cut.html.gz" in str(info.value)
    if cut <= 8:  # the deflate data is whole: only the trailer is missing
        assert "truncated" in str(info.value)


def test_damaged_gzip_is_an_error(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(story("Damage").encode() * 20))
    data[-6] ^= 0xFF  # the CRC no longer matches
    path = tmp_path / "bad.txt.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="not a valid gzip file"):
        read_path(path)


def test_gzip_members_and_padding(tmp_path: Path) -> None:
    path = tmp_path / "two.txt.gz"
    path.write_bytes(gzip.compress(b"first part. ") + gzip.compress(b"second part.") + b"\0" * 512)
    assert read_path(path).text == "first part. second part."
    (tmp_path / "junk.txt.gz").write_bytes(gzip.compress(b"text") + b"junk after it")
    with pytest.raises(InputError, match="not a valid gzip file"):
        read_path(tmp_path / "junk.txt.gz")


# -- encodings ---------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-8"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE,
           "utf-8": codecs.BOM_UTF8}[encoding]
    text = story("Encodings") + "Zelenskyy — «Kyiv» ✓\n"
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + text.encode(encoding))
    raw = read_path(path)
    assert raw.text == text
    validate(raw, Settings())  # not refused as binary


def test_broken_utf16_is_refused_with_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bad16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    with pytest.raises(InputError, match="UTF-16 byte-order mark but is not valid UTF-16"):
        read_path(path)


# -- JSON Lines --------------------------------------------------------------------

HOSTILE_LINES = [
    ("good-1", json.dumps({"id": "good-1", "text": story("Line one")})),
    ("deep", deep_json(100_000)),
    ("good-2", json.dumps({"id": "good-2", "text": story("Line two")})),
    ("list", json.dumps(["not", "an", "object"])),
    ("huge", json.dumps({"id": "huge", "text": "word " * 400_000})),  # 2 MB line
    ("bad-utf8", b'{"id": "bad-utf8", "text": "caf\xe9 au lait"}'.decode("latin-1")),
    ("surrogate", '{"id": "surrogate", "text": "' + story("Cut emoji") .strip().replace("\n", " ")
     + ' \\ud83d"}'),
    ("big-int", '{"id": "big-int", "text": "x", "n": ' + "9" * 5000 + "}"),
    ("not-json", "{not json"),
    ("bad-published", json.dumps({"id": "bad-published", "text": "x", "published": [1] * 100})),
    ("good-3", json.dumps({"id": "good-3", "text": story("Line three")})),
]
GOOD_LINES = ["good-1", "good-2", "surrogate", "good-3"]


def hostile_jsonl(path: Path) -> Path:
    """The hostile lines as a file (bad-utf8 written as the raw byte 0xE9)."""
    with path.open("wb") as fh:
        for _, line in HOSTILE_LINES:
            fh.write(line.encode("latin-1") if "caf\xe9" in line else line.encode("utf-8"))
            fh.write(b"\n")
    return path


def test_hostile_jsonl_keeps_every_good_line_in_order(tmp_path: Path) -> None:
    path = hostile_jsonl(tmp_path / "hostile.jsonl")
    items = list(read_jsonl(path, Settings(max_line_bytes=MB)))
    assert len(items) == len(HOSTILE_LINES)
    good = [i.id for i in items if isinstance(i, RawDocument)]
    assert good == GOOD_LINES
    errors = {i.id: i.error for i in items if isinstance(i, ErrorRecord)}
    assert "nested too deeply" in errors["line-2"]
    assert "must be a JSON object" in errors["line-4"]
    assert "over 1,048,576 bytes (max_line_bytes)" in errors["line-5"]
    assert "not valid UTF-8 (byte 0xe9" in errors["line-6"]
    assert "not valid JSON" in errors["line-8"] and "digits" in errors["line-8"]
    assert "not valid JSON" in errors["line-9"]
    assert "not a date" in errors["bad-published"] and len(errors["bad-published"]) < 300
    for number, error in errors.items():
        assert str(path) in error, number
    surrogate = next(i for i in items if isinstance(i, RawDocument) and i.id == "surrogate")
    assert (surrogate.text or "").endswith("\ufffd")
    (surrogate.text or "").encode("utf-8")  # writable: no lone surrogate left


def test_a_huge_line_is_skipped_without_reading_it_whole() -> None:
    huge = b'{"id": "x", "text": "' + b"a" * (8 * MB) + b'"}\n'
    stream = io.BufferedReader(io.BytesIO(huge + b'{"id": "after"}\n'))
    lines: list[Any] = []
    peak = peak_python_mb(lambda: lines.extend(bounded_lines(stream, 1000)))
    assert [(line.number, line.data) for line in lines] == [(1, None), (2, b'{"id": "after"}\n')]
    assert lines[0].size == len(huge)
    assert peak < 1, f"{peak:.1f} MB held reading an 8 MB line with a 1 kB cap"


def test_line_exactly_at_the_limit_is_kept() -> None:
    stream = io.BufferedReader(io.BytesIO(b"abcd\nabcde\nabc"))
    assert [line.data for line in bounded_lines(stream, 4)] == [b"abcd\n", None, b"abc"]


def test_utf8_bom_on_the_first_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps({"id": "a", "text": "hi"}).encode() + b"\n")
    assert [i.id for i in read_jsonl(path)] == ["a"]


# -- WARC --------------------------------------------------------------------------

GOOD_PAGES = [("https://news.example/one", page("WARC one")),
              ("https://news.example/two", page("WARC two"))]


def record_bounds(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each record of a WARC, as warcio finds them."""
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(io.BytesIO(data))
    return [(records.get_record_offset(), records.get_record_length()) for _ in records]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_cut_anywhere_in_a_record_is_an_error(tmp_path: Path, gz: bool) -> None:
    """Cut at every 3rd byte of the last record: in its headers, its payload, its gzip
    trailer. The record before stands; the cut one is never a document."""
    data = warc_bytes(GOOD_PAGES, gz=gz)
    offset, length = record_bounds(data)[1]
    path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    for keep in [*range(1, length, 3), length - 1]:
        path.write_bytes(data[:offset + keep])
        first, *rest = read_warc(path)
        assert isinstance(first, RawDocument) and "WARC one" in (first.html or ""), keep
        assert len(rest) == 1 and isinstance(rest[0], ErrorRecord), (keep, rest)
        assert "cut.warc" in rest[0].error, keep
        assert "truncated" in rest[0].error or "not a readable WARC" in rest[0].error \
            or "damaged" in rest[0].error, (keep, rest[0].error)


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_record_short_of_its_content_length_says_so(tmp_path: Path, gz: bool) -> None:
    data = warc_bytes(GOOD_PAGES, gz=gz)
    offset, length = record_bounds(data)[1]
    path = tmp_path / "short.warc"
    for keep in (length - 1, length - 8, length - 40):  # the gzip trailer, the payload's end
        path.write_bytes(data[:offset + keep])
        error = list(read_warc(path))[1]
        assert isinstance(error, ErrorRecord) and error.id == "https://news.example/two"
        assert "the record is truncated" in error.error and "#2" in error.error


def test_whole_warc_has_no_errors(tmp_path: Path) -> None:
    for gz in (True, False):
        path = tmp_path / f"whole{gz}.warc"
        path.write_bytes(warc_bytes(GOOD_PAGES, gz=gz))
        assert [i.url for i in read_warc(path)] == [u for u, _ in GOOD_PAGES]  # type: ignore[union-attr]


def test_warc_damaged_mid_file_keeps_what_came_before(tmp_path: Path) -> None:
    data = warc_bytes(GOOD_PAGES, gz=False)
    path = tmp_path / "half.warc"
    path.write_bytes(data[: len(data) // 2 + 150])  # inside record 2's headers
    items = list(read_warc(path))
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[-1], ErrorRecord) and "half.warc" in items[-1].error


def test_warc_record_over_the_byte_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    path.write_bytes(warc_bytes([("https://news.example/big", page("Big") * 100), *GOOD_PAGES], gz=True))
    items = list(read_warc(path, Settings(max_input_bytes=20_000)))
    assert isinstance(items[0], ErrorRecord) and "max_input_bytes" in items[0].error
    assert [i.url for i in items[1:]] == [u for u, _ in GOOD_PAGES]  # type: ignore[union-attr]


def test_warc_utf16_payload_with_bom(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "u16.warc"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
        payload = codecs.BOM_UTF16_LE + story("Sixteen").encode("utf-16-le")
        writer.write_record(writer.create_warc_record(
            "https://news.example/16", "response", payload=io.BytesIO(payload), http_headers=http))
    (item,) = read_warc(path)
    assert isinstance(item, RawDocument) and item.text == story("Sixteen")


# -- HTML depth --------------------------------------------------------------------

@pytest.mark.parametrize("depth", [300, 1000, HUGE_DEPTH - 60])
def test_html_too_deep_to_parse_is_flattened(depth: int) -> None:
    article = extract_html(page("Deep page", depth))
    assert "ministers of France and Russia met in Geneva" in article.body


def test_deep_page_declaring_its_encoding_is_flattened_too() -> None:
    """lxml refuses a str with an XML encoding declaration: it is checked as bytes."""
    xhtml = '<?xml version="1.0" encoding="iso-8859-1"?>' + page("Déclaration", 600)
    assert "ministers of France and Russia" in extract_html(xhtml).body


def test_html_deeper_than_the_parser_reads_is_refused() -> None:
    with pytest.raises(InputError, match="nested over 2,048 elements deep") as info:
        extract_html(page("Bottomless", 100_000), url="https://news.example/deep")
    assert "https://news.example/deep" in str(info.value)
    with pytest.raises(InputError, match="^corpus/deep.html: the HTML is nested"):
        extract_html(page("Bottomless", 100_000), source="corpus/deep.html")


# -- one bad input never ends the batch ----------------------------------------------

@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyError("k"), MemoryError(),
                                   RecursionError("deep"), UnicodeDecodeError("utf-8", b"", 0, 1, "x")])
def test_any_exception_reading_one_input_is_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(story(name))

    real = runner.read_path  # type: ignore[attr-defined]

    def flaky(path: Path, settings: Settings | None = None) -> RawDocument:
        if path.name == "b.txt":
            raise error
        return real(path, settings)

    monkeypatch.setattr(runner, "read_path", flaky)
    items = list(iter_inputs(IngestOptions(paths=[tmp_path])))
    assert [type(i).__name__ for i in items] == ["RawDocument", "ErrorRecord", "RawDocument"]
    assert "b.txt" in items[1].id and type(error).__name__ in items[1].error  # type: ignore[union-attr]


def test_a_reader_failing_midway_keeps_what_it_read(tmp_path: Path) -> None:
    def reader() -> Iterator[RawDocument | ErrorRecord]:
        yield RawDocument(id="first", text="x")
        raise ValueError("midway")

    items = list(runner._guarded("some.jsonl", reader))
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[1], ErrorRecord) and "some.jsonl" in items[1].error


def test_limits_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max_input_bytes is 0"):
        Settings(max_input_bytes=0)
    config = tmp_path / "detente.toml"
    config.write_text("[detente]\nmax_line_bytes = -5\n")
    with pytest.raises(ConfigError, match="max_line_bytes"):
        load_settings(config)


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DETENTE_MAX_INPUT_BYTES", "1234")
    monkeypatch.setenv("DETENTE_MAX_GZIP_RATIO", "7")
    monkeypatch.setenv("DETENTE_MAX_LINE_BYTES", "99")
    settings = load_settings(tmp_path / "none.toml")
    assert (settings.max_input_bytes, settings.max_gzip_ratio, settings.max_line_bytes) == (1234, 7, 99)


# -- the poisoned folder, ingested -----------------------------------------------------

class ExtractOnlyAnalyzer:
    """HTML extraction without the NLP model: exercises the reading paths and HTML
    depth at a fraction of the model's cost (a text dump's body is its text)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def warm_up(self) -> None:
        """Nothing to load."""

    def analyze_many(self, items: Iterable[RawDocument | ErrorRecord]) -> Iterator[Result | ErrorRecord]:
        for item in items:
            if isinstance(item, ErrorRecord):
                yield item
                continue
            try:
                validate(item, self.settings)
                article = (extract_html(item.html, url=item.url) if item.html is not None
                           else Article(body=(item.text or "").strip()))
                yield Result(id=item.id, article=article)
            except DetenteError as exc:
                yield ErrorRecord(id=item.id, error=str(exc))


def extract_only(settings: Settings) -> ExtractOnlyAnalyzer:
    """The analyzer factory of the poisoned-folder ingest (module level: it pickles)."""
    return ExtractOnlyAnalyzer(settings)


@dataclass
class Poisoned:
    folder: Path
    good: list[str]  # doc ids that must be stored
    bad: list[str]  # a fragment of each failure that must be reported


def poisoned_folder(root: Path) -> Poisoned:
    """Good pages of every kind beside every kind of poison."""
    folder = root / "corpus"
    folder.mkdir()
    good: list[str] = []
    for name, text in (("plain.txt", story("Plain text")), ("notes", story("No suffix"))):
        (folder / name).write_text(text)
        good.append(name)
    (folder / "page.html").write_text(page("HTML page"))
    (folder / "packed.html.gz").write_bytes(gzip.compress(page("Gzipped page").encode()))
    (folder / "nested.html").write_text(page("Nested page", 1000))
    (folder / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + story("UTF-16").encode("utf-16-le"))
    good += ["page.html", "packed.html.gz", "nested.html", "utf16.txt"]

    bad = ["big.txt", "deep.html", "bomb.html.gz", "cut.html.gz", "pipe.txt", "zero.txt",
           "sock", "pipe.jsonl", "cut.warc.gz", "cut.warc"]
    with (folder / "big.txt").open("wb") as fh:
        fh.truncate(200 * MB)
    (folder / "deep.html").write_text(page("Bottomless", 100_000))
    (folder / "bomb.html.gz").write_bytes(gzip_bomb(200 * MB))
    (folder / "cut.html.gz").write_bytes(gzip.compress(page("Cut short").encode())[:-6])
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "zero.txt").symlink_to("/dev/zero")
    warcs = [(f"https://news.example/{name}", page(f"WARC {name}")) for name in ("w1", "w2", "w3")]
    (folder / "cut.warc.gz").write_bytes(warc_bytes(warcs, gz=True)[:-8])
    plain = [(f"https://news.example/{name}", page(f"WARC {name}")) for name in ("w4", "w5")]
    (folder / "cut.warc").write_bytes(warc_bytes(plain, gz=False)[:-40])
    good += ["https://news.example/w1", "https://news.example/w2", "https://news.example/w4"]

    hostile_jsonl(folder / "hostile.jsonl")
    good += GOOD_LINES
    bad += ["hostile.jsonl:2", "hostile.jsonl:4", "hostile.jsonl:5", "hostile.jsonl:6",
            "hostile.jsonl:8", "hostile.jsonl:9", "hostile.jsonl:10"]
    return Poisoned(folder, good, bad)


def bind_socket(path: Path) -> socket.socket:
    """A Unix socket at ``path`` (bound from its folder: socket paths are short)."""
    server = socket.socket(socket.AF_UNIX)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        server.bind(path.name)
    finally:
        os.chdir(cwd)
    return server


INGEST = """
import json, sys
import detente
from detente.ingest.runner import IngestOptions, ingest
from test_hostile_inputs import extract_only

folder, db_path = sys.argv[1], sys.argv[2]
options = IngestOptions(paths=[folder], jobs=2, progress=False, analyzer_factory=extract_only)
with detente.open(db_path) as db:
    summary = ingest(options, db)
    ids = list(db.articles()["doc_id"])
print(json.dumps({"added": summary.added, "failed": summary.failed, "ids": ids,
                  "failures": [f"{f.source} | {f.reason}" for f in summary.failures]}))
"""


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float  # the largest peak RSS (VmHWM) in the child's process tree
    seconds: float


def measured(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> Measured:
    """Run ``argv``; its peak memory is the largest high-water RSS (``VmHWM``) of the child
    and its descendants, polled while it runs.

    Not the rusage of ``wait4``: Linux starts an exec'd child's ``ru_maxrss`` at the high
    water of the process it was forked from, so a child of a test run that has loaded
    models would report the test run's size, not its own.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        status, peak_kb = _wait(child, started + timeout)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Measured(os.waitstatus_to_exitcode(status), out.read().decode(),
                        err.read().decode(), peak_kb / 1024, seconds)


def _wait(child: subprocess.Popen[bytes], deadline: float) -> tuple[int, int]:
    """The exit status of ``child`` and the peak VmHWM (kB) seen in its process tree,
    ``child`` killed past ``deadline``."""
    peak = 0
    while True:
        peak = max([peak, *(_high_water(pid) for pid in _tree(child.pid))])
        pid, status, _ = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return status, peak
        if time.perf_counter() > deadline:
            child.kill()
            child.wait()
            raise AssertionError(f"{child.args!r:.200} ran past its deadline (hung?)")
        time.sleep(0.02)


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _high_water(pid: int) -> int:
    """The process's peak resident set (kB), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DETENTE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), str(SRC)])
    env.update(extra)
    return env


def report(name: str, run: Measured) -> None:
    """The figures, for the log (pytest -s) and tests/artifacts."""
    line = f"{name}: peak RSS {run.peak_mb:.0f} MB, {run.seconds:.1f}s"
    print(line)
    artifacts = TESTS / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with (artifacts / "hostile_inputs.txt").open("a") as fh:
        fh.write(line + "\n")


@pytest.mark.slow
def test_poisoned_folder_ingests_every_good_page_and_reports_every_bad_one(tmp_path: Path) -> None:
    corpus = poisoned_folder(tmp_path)
    server = bind_socket(corpus.folder / "sock")
    try:
        run = measured([sys.executable, "-c", INGEST, str(corpus.folder), str(tmp_path / "p.db")],
                       cwd=tmp_path, env=child_env(DETENTE_MAX_LINE_BYTES=str(MB)))
    finally:
        server.close()
    report("poisoned folder, extraction only, 2 workers", run)
    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert sorted(summary["ids"]) == sorted(corpus.good)
    reasons = " | ".join(summary["failures"])
    for fragment in corpus.bad:
        assert fragment in reasons, f"{fragment} not reported: {reasons}"
    assert summary["failed"] == len(corpus.bad)
    assert "Traceback" not in run.stderr
    assert run.peak_mb < PEAK_LIMIT_MB


@pytest.mark.slow
def test_default_limits_refuse_a_real_2gb_gzip_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip_bomb(2 << 30))
    assert bomb.stat().st_size < 3 * MB
    script = ("import sys\nfrom detente.ingest.sources import read_path\nfrom detente.errors "
              "import InputError\ntry:\n    read_path(sys.argv[1])\nexcept InputError as exc:\n"
              "    print(exc)\n")
    run = measured([sys.executable, "-c", script, str(bomb)], cwd=tmp_path, env=child_env(),
                   timeout=60)
    report("2 GB gzip bomb (2 MB file), default limits", run)
    assert run.returncode == 0, run.stderr
    assert "gzip bomb" in run.stdout
    assert run.seconds < 20 and run.peak_mb < 200


@pytest.mark.model
@pytest.mark.slow
def test_poisoned_folder_through_the_cli_with_the_model(tmp_path: Path) -> None:
    corpus = poisoned_folder(tmp_path)
    server = bind_socket(corpus.folder / "sock")
    detente = [str(Path(sys.executable).parent / "detente")]
    env = child_env(DETENTE_MAX_LINE_BYTES=str(MB))
    try:
        run = measured([*detente, "ingest", str(corpus.folder), "--db", str(tmp_path / "m.db"),
                        "-j", "2"], cwd=tmp_path, env=env, timeout=600)
    finally:
        server.close()
    report("poisoned folder, detente ingest with the model, 2 workers", run)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    import detente as api

    with api.open(tmp_path / "m.db", read_only=True) as db:
        assert sorted(db.articles()["doc_id"]) == sorted(corpus.good)
    for fragment in corpus.bad:  # deep.html: its reason says why, not (yet) which file
        fragment = "nested over 2,048" if fragment == "deep.html" else fragment
        assert fragment in run.stderr, f"{fragment} not reported"
    assert run.peak_mb < PEAK_LIMIT_MB

    out = tmp_path / "results.jsonl"
    run = measured([*detente, "analyze", "--jsonl", str(corpus.folder / "hostile.jsonl"), "-o",
                    str(out)], cwd=tmp_path, env=env, timeout=600)
    report("hostile JSONL, detente analyze --jsonl with the model", run)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(lines) == len(HOSTILE_LINES)
    assert [line["id"] for line in lines if "error" not in line] == GOOD_LINES
    assert all("article" in line for line in lines if line["id"] in GOOD_LINES)
