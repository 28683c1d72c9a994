"""The time stage without a trained model: normaliser cases and hand-built parses."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import spacy
import yaml
from spacy.tokens import Doc

from detente.model import Timex
from detente.nlp.context import DocContext
from detente.nlp.time.rules import NormContext, normalize
from detente.nlp.time.stage import DateRef, date_ref, governing_date, timex_stage

CASES = Path(__file__).parent / "cases" / "time" / "normalize.yaml"
FRIDAY = date(2022, 1, 28)


def _cases() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c['text']}|{c['anchor']}|{c['tense']}")
def test_normalize_case(case: dict[str, Any]) -> None:
    found = normalize(case["text"], NormContext(
        anchor=case["anchor"], tense=case["tense"], reference=case.get("reference"),
        last_quarter=case.get("last_quarter"), quarter_context=bool(case.get("quarter_context")),
    ))
    if case.get("drop"):
        assert found is None
    else:
        assert found is not None
        assert (found.type, found.value) == (case["type"], case["value"])


# -- hand-built parses ------------------------------------------------------------------

_VOCAB = spacy.blank("en").vocab

# (word, head index, dep, pos, tag, lemma, entity IOB)
Row = tuple[str, int, str, str, str, str, str]


def _doc(rows: list[Row]) -> Doc:
    words = [r[0] for r in rows]
    return Doc(
        _VOCAB,
        words=words,
        spaces=[i + 1 < len(words) and words[i + 1] != "." for i in range(len(words))],
        heads=[r[1] for r in rows],
        deps=[r[2] for r in rows],
        pos=[r[3] for r in rows],
        tags=[r[4] for r in rows],
        lemmas=[r[5] for r in rows],
        ents=[r[6] for r in rows],
        sent_starts=[i == 0 for i in range(len(rows))],
    )


def _meet_wednesday(future: bool) -> Doc:
    """"Putin will meet Macron on Wednesday ." or "Putin met Macron on Wednesday ."."""
    rows: list[Row] = [("Putin", 2, "nsubj", "PROPN", "NNP", "Putin", "O")]
    if future:
        rows += [("will", 2, "aux", "AUX", "MD", "will", "O"), ("meet", 2, "ROOT", "VERB", "VB", "meet", "O")]
    else:
        rows = [("Putin", 1, "nsubj", "PROPN", "NNP", "Putin", "O"),
                ("met", 1, "ROOT", "VERB", "VBD", "meet", "O")]
    root = len(rows) - 1
    n = len(rows)
    rows += [
        ("Macron", root, "dobj", "PROPN", "NNP", "Macron", "O"),
        ("on", root, "prep", "ADP", "IN", "on", "O"),
        ("Wednesday", n + 1, "pobj", "PROPN", "NNP", "Wednesday", "B-DATE"),
        (".", root, "punct", "PUNCT", ".", ".", "O"),
    ]
    return _doc(rows)


def _ctx(doc: Doc, anchor: date | None = FRIDAY) -> DocContext:
    return DocContext(anchor=anchor)


def _run(doc: Doc, anchor: date | None = FRIDAY) -> tuple[list[Timex], DocContext]:
    ctx = _ctx(doc, anchor)
    timex_stage(doc, ctx)
    return ctx.timexes, ctx


def test_past_weekday_is_the_last_one() -> None:
    timexes, _ = _run(_meet_wednesday(future=False))
    assert [(t.text, t.type, t.value) for t in timexes] == [("Wednesday", "DATE", "2022-01-26")]


def test_future_weekday_is_the_next_one() -> None:
    timexes, _ = _run(_meet_wednesday(future=True))
    assert [t.value for t in timexes] == ["2022-02-02"]


def test_offsets_point_into_the_text() -> None:
    doc = _meet_wednesday(future=False)
    timexes, _ = _run(doc)
    assert doc.text[timexes[0].start : timexes[0].end] == "Wednesday"


def test_no_anchor_leaves_relative_dates_unanchored() -> None:
    timexes, _ = _run(_meet_wednesday(future=False), anchor=None)
    assert [t.value for t in timexes] == ["XXXX-WXX-3"]


def _two_clauses() -> Doc:
    """"Putin met Macron on Wednesday and called Biden in December ."."""
    return _doc([
        ("Putin", 1, "nsubj", "PROPN", "NNP", "Putin", "O"),
        ("met", 1, "ROOT", "VERB", "VBD", "meet", "O"),
        ("Macron", 1, "dobj", "PROPN", "NNP", "Macron", "O"),
        ("on", 1, "prep", "ADP", "IN", "on", "O"),
        ("Wednesday", 3, "pobj", "PROPN", "NNP", "Wednesday", "B-DATE"),
        ("and", 1, "cc", "CCONJ", "CC", "and", "O"),
        ("called", 1, "conj", "VERB", "VBD", "call", "O"),
        ("Biden", 6, "dobj", "PROPN", "NNP", "Biden", "O"),
        ("in", 6, "prep", "ADP", "IN", "in", "O"),
        ("December", 8, "pobj", "PROPN", "NNP", "December", "B-DATE"),
        (".", 1, "punct", "PUNCT", ".", ".", "O"),
    ])


def test_governing_date_prefers_the_clause_verb() -> None:
    doc = _two_clauses()
    timexes, ctx = _run(doc)
    assert [t.value for t in timexes] == ["2022-01-26", "2021-12"]
    met, called = doc[1:2], doc[6:7]
    ref_met = governing_date(met, ctx)
    ref_called = governing_date(called, ctx)
    assert ref_met is not None and (ref_met.value, ref_met.precision) == ("2022-01-26", "day")
    assert ref_called is not None and (ref_called.value, ref_called.precision) == ("2021-12", "month")
    assert ref_called.timex is not None and ref_called.timex.text == "December"


def test_governing_date_none_without_a_date() -> None:
    doc = _doc([
        ("Biden", 1, "nsubj", "PROPN", "NNP", "Biden", "O"),
        ("called", 1, "ROOT", "VERB", "VBD", "call", "O"),
        ("Scholz", 1, "dobj", "PROPN", "NNP", "Scholz", "O"),
        (".", 1, "punct", "PUNCT", ".", ".", "O"),
    ])
    _, ctx = _run(doc)
    assert ctx.timex_index is not None
    assert governing_date(doc[1:2], ctx) is None


def test_governing_date_without_the_stage_is_none() -> None:
    doc = _two_clauses()
    assert governing_date(doc[1:2], _ctx(doc)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-26", DateRef("2022-01-26", "day", None)),
        ("2022-01-26T15:00", DateRef("2022-01-26", "day", None)),
        ("2021-12", DateRef("2021-12", "month", None)),
        ("2014", DateRef("2014", "year", None)),
        ("1998-Q3", DateRef("1998", "year", None)),
        ("2022-W04", DateRef("2022-01", "month", None)),
        ("PAST_REF", None),
        ("XXXX-12", None),
        # Underspecified values: events get the part that is known, never an X.
        ("1998-10-XX", DateRef("1998-10", "month", None)),
        ("1989-WXX", DateRef("1989", "year", None)),
        ("1988-QX", DateRef("1988", "year", None)),
        ("1949-XX", DateRef("1949", "year", None)),
        ("1990-XX-XX", DateRef("1990", "year", None)),
        ("199X", None),
    ],
)
def test_date_ref_precision(value: str, expected: DateRef | None) -> None:
    timex = Timex("x", 0, 1, "DATE", value)
    got = date_ref(timex)
    if expected is None:
        assert got is None
    else:
        assert got is not None and (got.value, got.precision) == (expected.value, expected.precision)


def test_durations_are_not_dates() -> None:
    assert date_ref(Timex("weeks", 0, 5, "DURATION", "PXW")) is None


def test_benchmark_pads_one_digit_week_numbers_only() -> None:
    """The TBAQ scorer reads an unpadded gold week ("2000-W7") as ISO's "2000-W07", nothing more."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT))
    from benchmarks import time as time_bench

    assert time_bench.canonical("2000-W7") == "2000-W07"
    assert time_bench.canonical("2000-W7-WE") == "2000-W07-WE"
    assert time_bench.canonical("2000-W12") == "2000-W12"
    assert time_bench.canonical("1989-WXX") == "1989-WXX"
    assert time_bench.canonical("2000-07") == "2000-07"
    assert time_bench.canonical("199") == "199"
