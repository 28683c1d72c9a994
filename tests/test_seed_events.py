"""The seed page's events: every expectation under "events" and none under "events_forbid"
of tests/fixtures/seed.expected.json (matching per its "_about": tolerant)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.model


def _codes(actors: list[dict[str, Any]]) -> set[str | None]:
    return {a.get("code") for a in actors}


def _field_matches(ours: list[dict[str, Any]], wanted: list[str | None]) -> bool:
    """Our actor list matches when one of its codes is an alternative (null: may be empty)."""
    if not ours:
        return None in wanted
    return bool(_codes(ours) & {w for w in wanted if w is not None})


def matches(event: dict[str, Any], spec: dict[str, Any]) -> bool:
    """Whether ``event`` satisfies every field ``spec`` names."""
    checks = [
        "type" not in spec or event["type"] in spec["type"],
        "actor" not in spec or _field_matches(event["actor"], spec["actor"]),
        "recipient" not in spec or _field_matches(event["recipient"], spec["recipient"]),
        "date" not in spec or event["date"] == spec["date"],
        "date_prefix" not in spec or str(event["date"] or "").startswith(spec["date_prefix"]),
        "mode" not in spec or event["mode"] in spec["mode"],
        "modality" not in spec or event["modality"] in spec["modality"],
    ]
    return all(checks)


def excused(event: dict[str, Any], spec: dict[str, Any]) -> bool:
    return bool(spec.get("unless_negated_or_hypothetical")) and (
        event["negated"] or event["modality"] in ("hypothetical", "denied")
    )


def test_seed_expected_events(seed_result: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    events = seed_result["events"]
    missing = [spec["name"] for spec in seed_expected["events"]
               if not any(matches(e, spec) for e in events)]
    assert not missing, f"expected events not found: {missing}"


def test_seed_forbidden_events(seed_result: dict[str, Any], seed_expected: dict[str, Any]) -> None:
    found = [
        (spec["name"], e["sentence"][:80])
        for spec in seed_expected["events_forbid"]
        for e in seed_result["events"]
        if matches(e, {k: v for k, v in spec.items() if k != "name"}) and not excused(e, spec)
    ]
    assert not found, f"forbidden events coded: {found}"


def test_seed_events_are_well_formed(seed_result: dict[str, Any]) -> None:
    body = seed_result["article"]["body"]
    captions = [c["text"] for c in seed_result["article"]["captions"]]
    for event in seed_result["events"]:
        # a caption's event has offsets into that caption (nlp/layout.py), else into the body
        frame = body if event.get("caption") is None else captions[event["caption"]]
        assert frame[event["start"]:event["end"]] == event["sentence"]
        assert 0.0 <= event["confidence"] <= 1.0
        # an agentless event ("was shot", "the bombing of the market") is a material act
        assert event["actor"] or event["quad"] in (2, 4) or event["type"] == "CONSULT", event
        assert all(p["text"] for p in event["actor"] + event["recipient"]), event
        assert all(p["code"] for p in event["actor"] + event["recipient"] if p.get("inferred")), event
        trigger = event["trigger"]
        assert frame[trigger["start"]:trigger["end"]] == trigger["text"], event
        assert event["start"] <= trigger["start"] < trigger["end"] <= event["end"], event
        assert event["date"] != "2023-12-08"
