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


@pytest.fixture(scope="module")
def news_figures() -> dict[str, float]:
    """M2E2 VOA news sentences, scored as the gold folder's README says."""
    gold_path = shared_path("gold", "events", "m2e2_voa_dev.jsonl")
    sys.path.insert(0, str(ROOT))
    from benchmarks import events as events_bench

    from detente.nlp.pipeline import parse_pipeline_for
    from detente.settings import Settings

    nlp = parse_pipeline_for(Settings())
    scores = events_bench.evaluate_news(events_bench.load_news(gold_path), nlp.pipe)
    everything, held_out = scores["all"]["detente"], scores["B"]["detente"]
    return {
        "f1_all": everything.prf()[2], "recall_all": everything.prf()[1], "f1_B": held_out.prf()[2],
        "agent_all": everything.who_share("agent"), "patient_all": everything.who_share("patient"),
    }


@pytest.mark.parametrize("name", sorted(read_floors("events_news")))
def test_events_news_floor(news_figures: dict[str, float], name: str) -> None:
    floor = read_floors("events_news")[name]
    assert news_figures[name] >= floor, f"{name} = {news_figures[name]:.3f} fell below its floor {floor}"
