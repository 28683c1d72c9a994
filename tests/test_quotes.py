"""The quotes stage on hand-written cases (tests/cases/quotes/cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.model import Quote
from detente.nlp.context import DocContext
from detente.settings import Settings

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "quotes" / "cases.yaml").read_text("utf-8"))


def _quotes(text: str) -> list[Quote]:
    from detente.nlp.pipeline import load_pipeline
    from detente.nlp.quotes.finder import quotes_stage

    settings = Settings()
    doc = load_pipeline(settings.model, with_stages=False)(text)
    ctx = DocContext()
    quotes_stage(doc, ctx)
    return ctx.quotes


def _matches(quote: Quote, want: dict[str, Any]) -> bool:
    if want["text_contains"] not in quote.text:
        return False
    if "kind" in want and quote.kind != want["kind"]:
        return False
    speaker = quote.speaker
    if "speaker" in want and (speaker is None or want["speaker"] not in (speaker.text or "")):
        return False
    if "name" in want and (speaker is None or speaker.name != want["name"]):
        return False
    return "via" not in want or quote.via == want["via"]


@pytest.mark.model
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    quotes = _quotes(case["text"])
    for want in case.get("expect", []):
        assert any(_matches(q, want) for q in quotes), (want, quotes)
    for text in case.get("absent", []):
        assert not any(text in q.text for q in quotes), quotes


@pytest.mark.model
def test_offsets_slice_the_text() -> None:
    text = CASES[2]["text"] + "\n\n" + CASES[10]["text"]
    for quote in _quotes(text):
        assert text[quote.start : quote.end] == quote.text
        if quote.speaker is not None:
            assert text[quote.speaker.start : quote.speaker.end] == quote.speaker.text


@pytest.mark.model
def test_thought_inside_a_report_is_not_a_second_quote() -> None:
    quotes = _quotes("The mayor said she thinks the curfew should end on Sunday.")
    assert [q.cue for q in quotes] == ["said"], quotes


@pytest.mark.model
def test_report_inside_a_report_is_not_a_second_quote() -> None:
    quotes = _quotes("Ruth Amani Says Museum Will Tell of 'Pain and Hope'\n\nThe museum opened on Saturday.")
    assert [q.cue for q in quotes] == ["Says"], quotes


@pytest.mark.model
def test_frame_between_fragments_is_not_a_report() -> None:
    quotes = _quotes(
        "“We cannot wait any longer,” said Ms. Dahl, speaking of the flood defences. "
        "“The next storm will not wait for us.”"
    )
    assert all(q.kind == "direct" for q in quotes), quotes
    assert len(quotes) == 2, quotes
