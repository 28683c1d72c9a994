"""The seed page's time expressions, anchored on its publication date (2022-01-28)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from detente.model import Timex
from detente.nlp.context import DocContext
from detente.nlp.pipeline import load_pipeline
from detente.nlp.time.stage import governing_date, timex_stage
from detente.settings import Settings

pytestmark = pytest.mark.model

ANCHOR = date(2022, 1, 28)


@pytest.fixture(scope="module")
def seed_run(seed_text: str) -> tuple[list[Timex], DocContext, object]:
    doc = load_pipeline(Settings().model, with_stages=False)(seed_text)
    ctx = DocContext(anchor=ANCHOR)
    timex_stage(doc, ctx)
    return ctx.timexes, ctx, doc


def _after(timexes: list[Timex], text: str, prefix: str, seed_text: str) -> Timex:
    """The timex reading ``text`` right after ``prefix`` ("on " + "Friday")."""
    for timex in timexes:
        before = seed_text[max(0, timex.start - len(prefix)) : timex.start]
        if timex.text == text and before.lower() == prefix.lower():
            return timex
    raise AssertionError(f"no timex {text!r} after {prefix!r}: {[t.text for t in timexes]}")


@pytest.mark.parametrize(
    ("prefix", "text", "kind", "value"),
    [
        ("on ", "Friday", "DATE", "2022-01-28"),
        ("On ", "Wednesday", "DATE", "2022-01-26"),
        ("in ", "December", "DATE", "2021-12"),
        ("in ", "November", "DATE", "2021-11"),
        ("in ", "2014", "DATE", "2014"),
    ],
)
def test_seed_dates(seed_run: tuple[list[Timex], DocContext, object], seed_text: str,
                    prefix: str, text: str, kind: str, value: str) -> None:
    timexes = seed_run[0]
    found = _after(timexes, text, prefix, seed_text)
    assert (found.type, found.value) == (kind, value)
    same = [t for t in timexes if t.text == text]
    assert all(t.value == value for t in same), [(t.text, t.value) for t in same]


def test_seed_for_weeks_is_a_duration(seed_run: tuple[list[Timex], DocContext, object],
                                      seed_text: str) -> None:
    found = _after(seed_run[0], "weeks", "for ", seed_text)
    assert found.type == "DURATION"
    assert found.value == "PXW"


def test_seed_governing_date_of_the_call(seed_run: tuple[list[Timex], DocContext, object],
                                         seed_text: str) -> None:
    _, ctx, doc = seed_run
    start = seed_text.index("spoke by telephone")
    span = doc.char_span(start, start + len("spoke"))  # type: ignore[attr-defined]
    ref = governing_date(span, ctx)
    assert ref is not None and (ref.value, ref.precision) == ("2022-01-28", "day")


def test_seed_offsets(seed_run: tuple[list[Timex], DocContext, object], seed_text: str) -> None:
    for timex in seed_run[0]:
        assert seed_text[timex.start : timex.end] == timex.text
        assert not re.match(r"(?i)(on|in|for)\b", timex.text)


SENTENCES = Path(__file__).parent / "cases" / "time" / "sentences.yaml"


def _sentence_cases() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(SENTENCES.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("case", _sentence_cases(), ids=lambda c: str(c["sentence"])[:40])
def test_sentence_case(case: dict[str, Any]) -> None:
    doc = load_pipeline(Settings().model, with_stages=False)(case["sentence"])
    ctx = DocContext(anchor=case["anchor"])
    timex_stage(doc, ctx)
    got = {t.text: (t.type, t.value) for t in ctx.timexes}
    for want in case["expect"]:
        assert got.get(want["text"]) == (want["type"], want["value"]), got
