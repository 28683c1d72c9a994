"""Gold gates for the actors stage: re3d entity F1 and PLOVER GSR actor-code accuracy."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, shared_path

pytestmark = [pytest.mark.gold, pytest.mark.model]

FLOORS: dict[str, Any] = json.loads((Path(__file__).parent / "floors" / "actors.json").read_text())


@pytest.fixture(scope="module")
def bench() -> Any:
    sys.path.insert(0, str(ROOT))
    from benchmarks import actors as module

    return module


def test_re3d_beats_plain_spacy(bench: Any) -> None:
    shared_path("gold", "entities", "re3d")
    plain, ours = bench.run_re3d()
    assert ours.core().f1 >= FLOORS["re3d_core_f1"], ours.core().f1
    gain = ours.core().f1 - plain.core().f1
    assert gain >= FLOORS["re3d_core_f1_gain_over_spacy"], (ours.core().f1, plain.core().f1)


def test_plover_gsr_actor_codes(bench: Any) -> None:
    path = shared_path("gold", "events", "plover_gsr.jsonl")
    _, ours = bench.run_gsr(path)
    assert ours.accuracy("source") >= FLOORS["gsr_source_accuracy"], ours.accuracy("source")
    assert ours.accuracy("target") >= FLOORS["gsr_target_accuracy"], ours.accuracy("target")
