"""Gold gate: the time stage on TBAQ (TimeBank + AQUAINT) against floors in tests/floors/time.json."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, read_floors, shared_path

pytestmark = [pytest.mark.gold, pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def figures() -> dict[str, float]:
    gold_path = shared_path("gold", "time", "tbaq.jsonl")
    sys.path.insert(0, str(ROOT))
    from benchmarks import time as time_bench

    from detente.nlp.pipeline import parse_pipeline_for
    from detente.settings import Settings

    nlp = parse_pipeline_for(Settings())
    scores = time_bench.evaluate(time_bench.load_gold(gold_path), nlp.pipe, baseline=False)
    return scores.figures()


@pytest.mark.parametrize("name", sorted(read_floors("time")))
def test_time_floor(figures: dict[str, float], name: str) -> None:
    floor = read_floors("time")[name]
    assert figures[name] >= floor, f"{name} = {figures[name]:.3f} fell below its floor {floor}"
