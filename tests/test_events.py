"""Unit tests of the events stage on hand-built parses (no trained model)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc, Span

from detente.model import Actor
from detente.nlp.context import DocContext
from detente.nlp.events import args as events_args
from detente.nlp.events.coder import events_stage
from detente.nlp.events.lexicon import load_lexicon
from detente.nlp.places import find_place

CODES = {"Russia": "RUS", "Ukraine": "UKR", "France": "FRA", "Macron": "FRA", "Putin": "RUS",
         "NATO": "NATO", "Israel": "ISR", "Syria": "SYR"}


@pytest.fixture(autouse=True)
def fake_actors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code a span by the first known name in it (the actors stage is tested elsewhere)."""
    def resolve(span: Span, ctx: DocContext) -> Actor | None:
        for tok in span:
            if tok.text in CODES:
                return Actor(name=tok.text, code=CODES[tok.text], sector="GOV")
        return None

    monkeypatch.setattr(events_args, "span_actor", resolve)


def parse(rows: list[tuple[str, str, int, str, str]]) -> Doc:
    """rows of (word, lemma, head index, dep, POS); tag VBD for past verbs."""
    nlp = spacy.blank("en")
    words = [r[0] for r in rows]
    doc = Doc(nlp.vocab, words=words, heads=[r[2] for r in rows], deps=[r[3] for r in rows],
              pos=[r[4] for r in rows], lemmas=[r[1] for r in rows],
              sent_starts=[i == 0 for i in range(len(rows))])
    for tok in doc:
        if tok.pos_ == "VERB" and tok.text.endswith("ed"):
            tok.tag_ = "VBD"
    return doc


def run(doc: Doc, anchor: date | None = date(2022, 1, 28)) -> list[Any]:
    ctx = DocContext(anchor=anchor)
    events_stage(doc, ctx)
    return ctx.events


def test_attack_codes_actor_recipient_and_intensity() -> None:
    doc = parse([("Russia", "Russia", 1, "nsubj", "PROPN"), ("attacked", "attack", 1, "ROOT", "VERB"),
                 ("Ukraine", "Ukraine", 1, "dobj", "PROPN"), (".", ".", 1, "punct", "PUNCT")])
    [event] = run(doc)
    assert (event.type, event.quad, event.intensity) == ("ASSAULT", 4, -9.0)
    assert [a.code for a in event.actor] == ["RUS"] and [r.code for r in event.recipient] == ["UKR"]
    assert (event.date, event.date_precision, event.modality, event.negated) == (
        "2022-01-28", "day", "asserted", False)
    assert doc.text[event.start:event.end] == event.sentence


def test_negation_and_would() -> None:
    doc = parse([("Russia", "Russia", 3, "nsubj", "PROPN"), ("would", "would", 3, "aux", "AUX"),
                 ("not", "not", 3, "neg", "PART"), ("attack", "attack", 3, "ROOT", "VERB"),
                 ("Ukraine", "Ukraine", 3, "dobj", "PROPN")])
    [event] = run(doc)
    assert event.negated and event.modality == "hypothetical"


def test_symmetric_meeting_is_coded_both_ways() -> None:
    doc = parse([("Macron", "Macron", 3, "nsubj", "PROPN"), ("and", "and", 0, "cc", "CCONJ"),
                 ("Putin", "Putin", 0, "conj", "PROPN"), ("met", "meet", 3, "ROOT", "VERB")])
    events = run(doc)
    pairs = {(e.actor[0].code, e.recipient[0].code) for e in events}
    assert pairs == {("FRA", "RUS"), ("RUS", "FRA")}
    assert all(e.type == "CONSULT" for e in events)


def test_control_verb_folds_its_complement() -> None:
    # Israel refused to withdraw -> one REJECT (mode yield), no RETREAT
    doc = parse([("Israel", "Israel", 1, "nsubj", "PROPN"), ("refused", "refuse", 1, "ROOT", "VERB"),
                 ("to", "to", 3, "aux", "PART"), ("withdraw", "withdraw", 1, "xcomp", "VERB")])
    [event] = run(doc)
    assert (event.type, event.mode) == ("REJECT", "yield")


def test_accused_of_amassing_is_a_claim_by_the_accused() -> None:
    doc = parse([("Russia", "Russia", 2, "nsubjpass", "PROPN"), ("is", "be", 2, "auxpass", "AUX"),
                 ("accused", "accuse", 2, "ROOT", "VERB"), ("of", "of", 2, "prep", "ADP"),
                 ("amassing", "amass", 3, "pcomp", "VERB"), ("troops", "troop", 4, "dobj", "NOUN")])
    events = run(doc)
    [mobilize] = [e for e in events if e.type == "MOBILIZE"]
    assert mobilize.actor[0].code == "RUS" and mobilize.modality == "claimed"


def test_agentless_passive_keeps_its_uncoded_recipient() -> None:
    """"Troops were attacked": an act seen to happen, attacker unknown (issue 13)."""
    doc = parse([("Troops", "troop", 1, "nsubjpass", "NOUN"), ("were", "be", 2, "auxpass", "AUX"),
                 ("attacked", "attack", 2, "ROOT", "VERB")])
    doc[0].head = doc[2]
    (event,) = run(doc)
    assert (event.type, event.actor) == ("ASSAULT", [])
    assert [(r.text, r.code, r.inferred) for r in event.recipient] == [("Troops", None, False)]
    assert event.trigger is not None and (event.trigger.text, event.trigger.start) == ("attacked", 12)


def test_agentless_verbal_act_is_not_coded() -> None:
    """"Troops were accused": a verbal act needs its speaker."""
    doc = parse([("Troops", "troop", 1, "nsubjpass", "NOUN"), ("were", "be", 2, "auxpass", "AUX"),
                 ("accused", "accuse", 2, "ROOT", "VERB")])
    doc[0].head = doc[2]
    assert run(doc) == []


def test_same_event_twice_is_coded_once() -> None:
    rows = [("Russia", "Russia", 1, "nsubj", "PROPN"), ("attacked", "attack", 1, "ROOT", "VERB"),
            ("Ukraine", "Ukraine", 1, "dobj", "PROPN"), (".", ".", 1, "punct", "PUNCT")]
    nlp = spacy.blank("en")
    words = [r[0] for r in rows] * 2
    doc = Doc(nlp.vocab, words=words, heads=[r[2] for r in rows] + [r[2] + 4 for r in rows],
              deps=[r[3] for r in rows] * 2, pos=[r[4] for r in rows] * 2,
              lemmas=[r[1] for r in rows] * 2, sent_starts=[i in (0, 4) for i in range(8)])
    assert len(run(doc)) == 1


def test_no_publication_date_leaves_date_null() -> None:
    doc = parse([("Russia", "Russia", 1, "nsubj", "PROPN"), ("attacked", "attack", 1, "ROOT", "VERB"),
                 ("Ukraine", "Ukraine", 1, "dobj", "PROPN")])
    [event] = run(doc, anchor=None)
    assert event.date is None and event.date_precision is None


def test_lexicon_is_well_formed() -> None:
    lex = load_lexicon()
    assert len(lex.senses) > 250
    for senses in lex.senses.values():
        for sense in senses:
            assert sense.pos in ("V", "N", "A")
            lex.scores.intensity(sense.type, sense.mode)  # every type has a score
    assert lex.scores.intensity("CONSULT", "phone") == 1.5
    assert lex.scores.intensity("ACCUSE", None) == -3.0


def test_place_index_matches_whole_names_only() -> None:
    paris = find_place("Paris")
    assert paris is not None and paris.country == "FRA"
    ukraine = find_place("Ukraine")
    assert ukraine is not None and ukraine.kind == "country" and ukraine.country == "UKR"
    assert find_place("Ukrain") is None and find_place("Paris France") is None
    assert find_place("the Crimean Peninsula") is None


def test_plans_for_and_preparation_for_make_an_event_future() -> None:
    from detente.nlp.events.modality import assess

    doc = parse([("Russia", "Russia", 1, "nsubj", "PROPN"), ("made", "make", 1, "ROOT", "VERB"),
                 ("plans", "plan", 1, "dobj", "NOUN"), ("for", "for", 1, "prep", "ADP"),
                 ("an", "an", 5, "det", "DET"), ("attack", "attack", 3, "pobj", "NOUN")])
    assert assess(doc[5], load_lexicon().cues).modality == "future"
    doc = parse([("troops", "troop", 0, "ROOT", "NOUN"), ("in", "in", 0, "prep", "ADP"),
                 ("preparation", "preparation", 1, "pobj", "NOUN"), ("for", "for", 2, "prep", "ADP"),
                 ("an", "an", 5, "det", "DET"), ("invasion", "invasion", 3, "pobj", "NOUN")])
    assert assess(doc[5], load_lexicon().cues).modality == "future"


def test_an_organisation_has_no_domestic_recipient() -> None:
    # "NATO rejected the proposal": no NATO -> NATO event (a state's rejection is domestic)
    doc = parse([("NATO", "NATO", 1, "nsubj", "PROPN"), ("rejected", "reject", 1, "ROOT", "VERB"),
                 ("the", "the", 3, "det", "DET"), ("proposal", "proposal", 1, "dobj", "NOUN")])
    [event] = run(doc)
    assert event.type == "REJECT" and event.recipient == []
    doc = parse([("Russia", "Russia", 1, "nsubj", "PROPN"), ("rejected", "reject", 1, "ROOT", "VERB"),
                 ("the", "the", 3, "det", "DET"), ("proposal", "proposal", 1, "dobj", "NOUN")])
    [event] = run(doc)
    assert [r.code for r in event.recipient] == ["RUS"]


def test_things_and_several_actors_give_no_implied_recipient() -> None:
    # "Russia and Syria support the government": whose government? not Russia's
    doc = parse([("Russia", "Russia", 3, "nsubj", "PROPN"), ("and", "and", 0, "cc", "CCONJ"),
                 ("Syria", "Syria", 0, "conj", "PROPN"), ("support", "support", 3, "ROOT", "VERB"),
                 ("the", "the", 5, "det", "DET"), ("government", "government", 3, "dobj", "NOUN")])
    [event] = run(doc)  # the government keeps its text, with no code implied
    assert event.type == "SUPPORT" and [(r.text, r.code) for r in event.recipient] == [("the government", None)]
    # "Russia froze their assets": the assets are no recipient
    doc = parse([("Russia", "Russia", 1, "nsubj", "PROPN"), ("froze", "freeze", 1, "ROOT", "VERB"),
                 ("their", "their", 3, "poss", "PRON"), ("assets", "asset", 1, "dobj", "NOUN")])
    doc[3].tag_ = "NNS"
    events = run(doc)
    assert events and all(r.text != "their assets" for e in events for r in e.recipient)


def test_people_nouns() -> None:
    coder = events_args.ActorCoder(
        DocContext(anchor=None),
        load_lexicon().cues)
    doc = parse([("protesters", "protester", 0, "ROOT", "NOUN"), ("sanctions", "sanction", 0, "dep", "NOUN"),
                 ("dozens", "dozen", 0, "dep", "NOUN"), ("of", "of", 2, "prep", "ADP"),
                 ("students", "student", 3, "pobj", "NOUN")])
    for tok in doc:
        tok.tag_ = "NNS"
    assert coder.is_people(doc[0]) and not coder.is_people(doc[1]) and coder.is_people(doc[2])


def test_state_codes() -> None:
    from detente.nlp.events.args import is_state_code

    assert is_state_code("RUS") and not is_state_code("NATO") and not is_state_code("IGO")
    assert not is_state_code(None) and not is_state_code("UN")


def test_a_sense_can_require_its_subject() -> None:
    """``subj`` in triggers.yaml: "hundreds of protesters gathered" is a protest, "hundreds
    of fans gathered" is not."""
    from detente.nlp.events.lexicon import _sense
    from detente.nlp.events.triggers import _sense_for

    sense = _sense("gather", {"pos": "V", "type": "PROTEST", "mode": "demo", "cameo": "141",
                              "subj": ["protester", "demonstrator"]})

    def gathered(who: str, lemma: str) -> Any:
        doc = parse([("Hundreds", "hundred", 3, "nsubj", "NOUN"), ("of", "of", 0, "prep", "ADP"),
                     (who, lemma, 1, "pobj", "NOUN"), ("gathered", "gather", 3, "ROOT", "VERB")])
        return _sense_for(doc[3], (sense,), lambda tok: False)

    assert gathered("protesters", "protester") is sense
    assert gathered("fans", "fan") is None
