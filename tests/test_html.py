"""HTML extraction: trafilatura's body and metadata plus our figure captions."""

from __future__ import annotations

import gzip
from pathlib import Path

from detente.extract.html import extract_html, find_captions
from detente.extract.meta import split_caption
from detente.ingest.sources import read_path

CASE = Path(__file__).parent / "cases" / "html" / "figure-caption.html"


def test_body_and_metadata() -> None:
    article = extract_html(CASE.read_text("utf-8"), url="https://example.org/a")
    assert article.body.startswith("PARIS (AP)")
    assert "Subscribe" not in article.body and "Copyright" not in article.body
    assert article.title == "Leaders meet in Paris over Ukraine"
    assert article.publisher == "Example Times"
    assert article.authors == ["Jane Roe", "John Doe"]
    assert article.published is not None and article.published.isoformat() == "2022-01-26"
    assert article.published_evidence


def test_captions_keep_text_and_credit() -> None:
    captions = find_captions(CASE.read_text("utf-8"))
    assert [c.credit for c in captions] == ["AP Photo/Thibault Camus", "AP Photo/Evgeniy Maloletka"]
    assert captions[0].text.startswith("Diplomats arrive for talks")
    assert "AP Photo" not in captions[0].text


def test_gzip_html_is_read_as_html(tmp_path: Path) -> None:
    target = tmp_path / "page.html.gz"
    target.write_bytes(gzip.compress(CASE.read_bytes()))
    raw = read_path(target)
    assert raw.html is not None and raw.text is None


def test_split_credit_variants() -> None:
    cases = {
        "Soldiers train. (AP Photo/Pavlo Palamarchuk)": "AP Photo/Pavlo Palamarchuk",
        "A man walks by. REUTERS/Gleb Garanich": "REUTERS/Gleb Garanich",
        "Protesters in Kyiv. Photo: John Smith/AFP": "Photo: John Smith/AFP",
        "Nothing to credit (really) here.": None,
    }
    for text, credit in cases.items():
        caption = split_caption(text)
        assert (caption.credit if caption else None) == credit, text
