"""Actors without the trained model: the codebook, text linking, the entity ruler's merge."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, Span

from detente.model import Actor
from detente.nlp.actors.codebook import codebook
from detente.nlp.actors.link import actor_for_text, actors_for_span, is_chrome, plover_code
from detente.nlp.actors.ruler import merge_entities
from detente.nlp.context import DocContext

CASES = Path(__file__).parent / "cases" / "actors" / "text_cases.tsv"


def _cases() -> list[dict[str, str]]:
    lines = [line for line in CASES.read_text("utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c['text']}@{c['date']}")
def test_actor_for_text(case: dict[str, str]) -> None:
    when = None if case["date"] == "-" else date.fromisoformat(case["date"])
    actor = actor_for_text(case["text"], when)
    if case["code"] == "-":
        assert actor is None, actor
        return
    assert actor is not None, case["text"]
    assert actor.code == case["code"], actor
    assert actor.sector == (None if case["sector"] == "-" else case["sector"]), actor
    if case.get("name"):
        assert actor.name == case["name"], actor


def test_every_iso_state_is_in_the_codebook() -> None:
    import pycountry

    names = codebook().state_names
    missing = [c.alpha_3 for c in pycountry.countries if c.alpha_3 not in names]
    assert not missing


def test_tenures_are_ordered() -> None:
    for terms in codebook().holders.values():
        for term in terms:
            assert term.start is not None, term
            assert term.end is None or term.start < term.end, term


def test_plover_codes() -> None:
    assert plover_code("NATO") == "IGO"
    assert plover_code("UN") == "UNO"
    assert plover_code("EU") == "EUR"
    assert plover_code("RUS") == "RUS"


def test_ruler_overwrites_split_names_but_keeps_longer_model_entities() -> None:
    nlp = spacy.blank("en")
    doc = nlp("France 24 said the Obama administration met Zelenskyy .")
    model = [Span(doc, 0, 1, "GPE"), Span(doc, 1, 2, "DATE"), Span(doc, 3, 6, "ORG"),
             Span(doc, 7, 8, "ORG")]
    ruler = [Span(doc, 0, 2, "ORG"), Span(doc, 4, 5, "PERSON"), Span(doc, 7, 8, "PERSON")]
    merged = [(s.text, s.label_) for s in merge_entities(model, ruler)]
    assert merged == [("France 24", "ORG"), ("the Obama administration", "ORG"),
                      ("Zelenskyy", "PERSON")]


def test_chrome_is_never_an_actor() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("Follow @cainburdeau on Twitter.")
    assert is_chrome(doc[0:2])


def test_lower_case_words_are_not_names() -> None:
    assert actor_for_text("an economist said") is None
    assert actor_for_text("granting an amnesty") is None
    kremlin = actor_for_text("the Kremlin")
    assert kremlin is not None and kremlin == Actor(kremlin.name, "RUS", "GOV")


def test_coordinated_groups_share_the_head_sector() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["Ukrainian", "and", "Russian", "diplomats"],
              heads=[3, 0, 0, 3], deps=["amod", "cc", "conj", "ROOT"],
              pos=["ADJ", "CCONJ", "ADJ", "NOUN"], lemmas=["ukrainian", "and", "russian", "diplomat"])
    ctx = DocContext()
    codes = [(a.code, a.sector) for a in actors_for_span(doc[:], ctx)]
    assert codes == [("UKR", "GOV"), ("RUS", "GOV")]


def test_mention_words_skip_leading_articles() -> None:
    """The noun-phrase prefilter: "the" alone never qualifies a phrase; what follows it does."""
    words = codebook().mention_words
    assert "the" not in words and "a" not in words
    assert "kremlin" in words  # from "the kremlin"
    assert "the" in codebook().vocabulary  # cue matching itself still starts at "the"


@pytest.mark.parametrize("word", ["afganistan", "ukranian", "russain", "germnay", "zzzzzz", "obama"])
def test_spelling_repair_matches_difflib(word: str) -> None:
    """The bounded search gives difflib's own answer over the whole first-letter bucket."""
    import difflib

    from detente.nlp.actors.codebook import fuzzy_cue

    bucket = [k for k in codebook().cues if " " not in k and len(k) >= 5 and k[0] == word[0]]
    expected = difflib.get_close_matches(word, bucket, n=1, cutoff=0.84)
    assert fuzzy_cue(word) == (expected[0] if expected else None)
