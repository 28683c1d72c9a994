"""Gold gate: the events stage on PLOVER's gold standard records against tests/floors/events.json."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, read_floors, shared_path

pytestmark = [pytest.mark.gold, pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    gold_path = shared_path("gold", "events", "plover_gsr.jsonl")
    sys.path.insert(0, str(ROOT))
    from benchmarks import events as events_bench

    from detente.nlp.pipeline import parse_pipeline_for
    from detente.settings import Settings

    nlp = parse_pipeline_for(Settings())
    mine, _anchor = events_bench.evaluate(events_bench.load_gold(gold_path), nlp.pipe)
    return mine.figures()


@pytest.mark.parametrize("name", sorted(read_floors("events")))
def test_events_floor(figures: dict[str, float], name: str) -> None:
    floor = read_floors("events")[name]
    if name == "events_per_sentence":  # a ceiling: at most this many events per sentence
        assert figures[name] <= floor, f"{name} = {figures[name]:.3f} rose above {floor}"
    else:
        assert figures[name] >= floor, f"{name} = {figures[name]:.3f} fell below its floor {floor}"
