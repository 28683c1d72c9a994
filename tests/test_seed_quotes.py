"""The seed page's quotes: every expectation under "quotes", none under "quotes_forbid"."""

from __future__ import annotations

from typing import Any

import pytest

from detente.model import to_jsonable
from detente.nlp.context import DocContext
from detente.settings import Settings


def _speaker_matches(quote: dict[str, Any], names: list[str]) -> bool:
    speaker = quote.get("speaker") or {}
    said = [(speaker.get("name") or "").lower(), (speaker.get("text") or "").lower()]
    return any(name.lower() in s for name in names for s in said if s)


def _check(quotes: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    for want in expected["quotes"]:
        found = [q for q in quotes if want["text_contains"] in q["text"]]
        assert found, f"no quote holds {want['text_contains']!r}"
        good = [q for q in found if _speaker_matches(q, want["speaker"])]
        assert good, (want, found)
        if "kind" in want:
            assert any(q["kind"] in want["kind"] for q in good), (want, good)
    for forbid in expected["quotes_forbid"]:
        for quote in quotes:
            speaker = quote.get("speaker")
            if speaker is None:
                continue
            identity = speaker.get("name") or speaker.get("text")
            assert identity not in forbid["speaker_is"], (forbid["note"], quote)


@pytest.mark.model
def test_seed_quotes_full_pipeline(
    seed_result: dict[str, Any], seed_expected: dict[str, Any]
) -> None:
    _check(seed_result["quotes"], seed_expected)


@pytest.mark.model
def test_seed_quotes_on_raw_text(seed_text: str, seed_expected: dict[str, Any]) -> None:
    """The same expectations on the seed text parsed as is (no extraction)."""
    from detente.nlp.components import run_stages
    from detente.nlp.pipeline import load_pipeline

    settings = Settings()
    doc = load_pipeline(settings.model, with_stages=False)(seed_text)
    ctx = DocContext()
    run_stages(doc, ctx)
    _check(to_jsonable(ctx.quotes), seed_expected)
