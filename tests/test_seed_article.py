"""The seed page's article: every expectation under "article" in seed.expected.json."""

from __future__ import annotations

from typing import Any

import pytest

from detente.extract import extract_article
from detente.model import RawDocument


@pytest.fixture(scope="module")
def article(seed_text: str) -> dict[str, Any]:
    from detente.model import to_jsonable

    out: dict[str, Any] = to_jsonable(extract_article(RawDocument(id="seed", text=seed_text)))
    return out


def _has(haystack: str | None, needle: str) -> bool:
    return haystack is not None and needle.lower() in haystack.lower()


def test_title(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    assert _has(article["title"], seed_expected["article"]["title"])


def test_dek(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    assert _has(article["dek"], seed_expected["article"]["dek_contains"])


def test_authors(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    for name in seed_expected["article"]["authors"]:
        assert any(_has(a, name) for a in article["authors"]), article["authors"]


def test_publisher(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    assert _has(article["publisher"], seed_expected["article"]["publisher"])


def test_dates(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    assert article["published"] == seed_expected["article"]["published"]
    assert article["page_date"] == seed_expected["article"]["page_date"]
    assert article["published_evidence"]


def test_categories(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    got = [c.lower() for c in article["categories"]]
    for category in seed_expected["article"]["categories"]:
        assert category.lower() in got


def test_captions(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    for want in seed_expected["article"]["captions"]:
        assert any(
            _has(c["text"], want["text_contains"]) and _has(c["credit"], want["credit_contains"])
            for c in article["captions"]
        ), article["captions"]


def test_body(article: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    expected = seed_expected["article"]
    body = article["body"]
    assert body.startswith(expected["body_starts_with"])
    for text in expected["body_must_contain"]:
        assert _has(body, text)
    for text in expected["body_must_not_contain"]:
        assert not _has(body, text), text
