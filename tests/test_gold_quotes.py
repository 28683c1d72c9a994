"""Gold gate: quote attribution on PolNeAR dev must not fall below tests/floors/quotes.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, shared_path

FLOORS = json.loads((Path(__file__).parent / "floors" / "quotes.json").read_text("utf-8"))


@pytest.mark.gold
@pytest.mark.model
@pytest.mark.slow
def test_polnear_dev_floors() -> None:
    path = shared_path("gold", "quotes", "polnear_dev.jsonl")
    sys.path.insert(0, str(ROOT))
    from benchmarks.quotes import load_gold, run_detente

    out = run_detente(load_gold(path), with_textacy=False)
    ours = out["detente"]
    got = {
        "direct_f1": ours.direct.f1,
        "direct_speaker_accuracy": ours.direct.speaker_accuracy,
        "all_f1": ours.all.f1,
        "all_speaker_accuracy": ours.all.speaker_accuracy,
    }
    low = {k: (round(v, 4), FLOORS[k]) for k, v in got.items() if v < FLOORS[k]}
    assert not low, f"below the floor (measured, floor): {low}"
