"""Data-driven cases: one sentence each (tests/cases/events/sentences.jsonl), full NLP stages.

A case has "expect" (an event that must be coded) and/or "forbid" (a list of events that
must not be); each names type, actor, recipient (codes), recipient_text, date, modality,
negated."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.model

CASES = Path(__file__).parent / "cases" / "events" / "sentences.jsonl"


def _cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def nlp() -> Any:
    from detente.nlp.pipeline import parse_pipeline_for
    from detente.settings import Settings

    return parse_pipeline_for(Settings())


def _events(nlp: Any, text: str, published: str | None) -> list[Any]:
    from detente.nlp.components import run_stages
    from detente.nlp.context import DocContext

    doc = nlp(text)
    ctx = DocContext(anchor=date.fromisoformat(published) if published else None)
    run_stages(doc, ctx)
    return ctx.events


def _matches(event: Any, expect: dict[str, Any]) -> bool:
    return (
        ("type" not in expect or event.type == expect["type"])
        and ("actor" not in expect or expect["actor"] in {a.code for a in event.actor})
        and ("recipient" not in expect or expect["recipient"] in {r.code for r in event.recipient})
        and ("recipient_text" not in expect or expect["recipient_text"] in {r.text for r in event.recipient})
        and ("actor_text" not in expect or expect["actor_text"] in {a.text for a in event.actor})
        and ("no_actor" not in expect or not event.actor)
        and ("trigger" not in expect or (event.trigger is not None and event.trigger.text == expect["trigger"]))
        and ("date" not in expect or event.date == expect["date"])
        and ("modality" not in expect or event.modality == expect["modality"])
        and ("negated" not in expect or event.negated == expect["negated"])
    )


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["text"][:40])
def test_event_case(nlp: Any, case: dict[str, Any]) -> None:
    events = _events(nlp, case["text"], case.get("published"))
    summary = [(e.type, [a.code for a in e.actor], [r.code for r in e.recipient], e.modality,
                e.negated) for e in events]
    if "expect" in case:
        assert any(_matches(e, case["expect"]) for e in events), f"{case['expect']} not in {summary}"
    for forbid in case.get("forbid", []):  # implausible events that must not be coded
        assert not any(_matches(e, forbid) for e in events), f"{forbid} in {summary}"
