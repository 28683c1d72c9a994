"""The event trigger lexicon, cue lists and PLOVER scores, loaded once from data/events/.

``triggers.yaml`` maps a lemma to its senses (written by hand); ``derived.yaml`` adds
senses derived at build time by ``scripts/derive_triggers.py`` (WordNet), each with its
provenance in ``src``, for lemmas and parts of speech the hand-written file lacks; (PLOVER type, mode, context, CAMEO code and
the syntactic constraints that select the sense); ``cues.yaml`` holds the words that
steer arguments, negation and modality; ``scores.yaml`` PLOVER's intensity scale.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...data import read_yaml
from ...model import PLOVER_TYPES

logger = logging.getLogger(__name__)

ACTOR_OBJECT = "@actor"  # an `obj` constraint value: the object is a resolvable actor


@dataclass(frozen=True)
class Sense:
    """One reading of a trigger lemma and the constraints that select it."""

    lemma: str
    pos: str  # "V", "N" or "A"
    type: str
    mode: str | None
    context: tuple[str, ...]
    cameo: str | None
    prt: frozenset[str]
    prep: frozenset[str]
    obj: frozenset[str]
    mod: frozenset[str]
    control: bool
    rcpt: tuple[str, ...]
    swap: bool
    state: tuple[str, str | None] | None
    weight: float
    ccomp_aux: frozenset[str] = frozenset()  # a that-clause with one of these auxiliaries
    not_obj: frozenset[str] = frozenset()  # an object that rules the sense out ("meet its demise")
    not_mod: frozenset[str] = frozenset()  # a modifier that rules it out ("a campaign rally")
    no_deps: frozenset[str] = frozenset()  # a dependent that rules it out ("called him a liar": oprd)
    needs_light: bool = False  # a noun that is an event only with a light verb ("taken into custody")
    subj: frozenset[str] = frozenset()  # the subject must be one of these ("protesters gathered")


@dataclass(frozen=True)
class Cues:
    """Word lists (lemmas) that steer arguments and modality; see cues.yaml."""

    light_verbs: frozenset[str]
    announce_verbs: frozenset[str]
    transparent_verbs: frozenset[str]
    transparent_objects: frozenset[str]
    report_verbs: frozenset[str]
    report_preps: frozenset[str]
    report_advs: frozenset[str]
    claim_verbs: frozenset[str]
    claim_advs: frozenset[str]
    claim_adjs: frozenset[str]
    deny_verbs: frozenset[str]
    negation_words: frozenset[str]
    negation_verbs: frozenset[str]
    hypothetical_aux: frozenset[str]
    hypothetical_marks: frozenset[str]
    hypothetical_nouns: frozenset[str]
    hypothetical_verbs: frozenset[str]
    future_aux: frozenset[str]
    future_verbs: frozenset[str]
    future_adjs: frozenset[str]
    future_nouns: frozenset[str]
    non_agents: frozenset[str]
    threat_promises: frozenset[str]
    group_nouns: frozenset[str]
    people_nouns: frozenset[str]
    place_nouns: frozenset[str]
    audience_nouns: frozenset[str]
    default_rcpt: tuple[str, ...]
    location_preps: frozenset[str]
    # arguments (args.py, coder.py)
    object_control: frozenset[str]
    stative_passives: frozenset[str]
    quantity_nouns: frozenset[str]
    people_counts: frozenset[str]
    people_suffixes: tuple[str, ...]  # for str.endswith
    owner_preps: frozenset[str]
    place_preps: frozenset[str]
    locative_preps: frozenset[str]
    mobilize_rcpt: tuple[str, ...]
    noun_rcpt: tuple[str, ...]
    complement_rcpt: frozenset[str]
    scene_preps: frozenset[str]
    response_verbs: frozenset[str]
    # coding and modality (coder.py, modality.py, triggers.py, dates.py)
    background_preps: frozenset[str]
    threat_modals: frozenset[str]
    announce_modals: frozenset[str]
    channel_preps: frozenset[str]
    phone_words: frozenset[str]
    violence_words: frozenset[str]
    claim_nouns: frozenset[str]
    hypothetical_preps: frozenset[str]
    topic_nouns: frozenset[str]
    topic_preps: frozenset[str]
    generic_heads: frozenset[str]
    setting_preps: frozenset[str]
    date_preps: frozenset[str]
    appearance_verbs: frozenset[str]
    appearance_preps: frozenset[str]
    natural_causes: frozenset[str]
    campaign_nouns: frozenset[str]
    follower_nouns: frozenset[str]
    transitive_acts: frozenset[str]
    security_nouns: frozenset[str]


@dataclass(frozen=True)
class Scores:
    """PLOVER intensity by type and mode, and complement-driven modes of control verbs."""

    type_scores: dict[str, float]
    mode_scores: dict[str, dict[str, float]]
    complement_modes: dict[str, dict[str, str]]
    threaten_coerce_modes: dict[str, str]

    def intensity(self, type_: str, mode: str | None) -> float:
        """The PLOVER score of ``type_`` with ``mode`` (the bare type score without one)."""
        if mode is not None and mode in self.mode_scores.get(type_, {}):
            return self.mode_scores[type_][mode]
        return self.type_scores[type_]


@dataclass(frozen=True)
class Lexicon:
    senses: dict[str, tuple[Sense, ...]]
    cues: Cues
    scores: Scores


def _words(raw: tuple[str, ...] | None) -> frozenset[str]:
    return frozenset(w.lower() for w in raw or ())


def _sense(lemma: str, raw: dict[str, Any]) -> Sense:
    """One sense of ``triggers.yaml`` (its shape checked by the data loader)."""
    state = raw.get("state")
    return Sense(
        lemma=lemma,
        pos=raw["pos"],
        type=raw["type"],
        mode=raw.get("mode"),
        context=tuple(raw.get("ctx") or ()),
        cameo=raw["cameo"] or None,
        prt=_words(raw.get("prt")),
        prep=_words(raw.get("prep")),
        obj=_words(raw.get("obj")),
        mod=_words(raw.get("mod")),
        control=raw.get("control", False),
        rcpt=tuple(w.lower() for w in raw.get("rcpt") or ()),
        swap=raw.get("swap", False),
        state=(state[0], state[1]) if state else None,
        weight=raw.get("weight", 0.0),
        ccomp_aux=_words(raw.get("ccomp_aux")),
        not_obj=_words(raw.get("not_obj")),
        not_mod=_words(raw.get("not_mod")),
        no_deps=_words(raw.get("no_deps")),
        needs_light=raw.get("needs_light", False),
        subj=_words(raw.get("subj")),
    )


# Cue lists kept in their written order (tuples: preposition lists handed to ``pobjs``,
# suffixes to ``str.endswith``); every other list is a set.
_ORDERED_CUES = ("default_rcpt", "people_suffixes", "mobilize_rcpt", "noun_rcpt")


def _cues(raw: dict[str, Any]) -> Cues:
    fields: dict[str, Any] = {name: _words(raw[name]) for name in Cues.__dataclass_fields__}
    fields.update({name: tuple(w.lower() for w in raw[name]) for name in _ORDERED_CUES})
    return Cues(**fields)


def _scores(raw: dict[str, Any]) -> Scores:
    types = {t: raw[t]["type"] for t in PLOVER_TYPES}
    modes = {t: dict(raw[t].get("modes") or {}) for t in PLOVER_TYPES}
    return Scores(types, modes, dict(raw["complement_modes"]), dict(raw["threaten_coerce_modes"]))


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon, indexed by lemma (loaded once per process)."""
    triggers: dict[str, Any] = read_yaml("events/triggers.yaml")
    senses = {
        lemma.lower(): tuple(_sense(lemma.lower(), s) for s in entries)
        for lemma, entries in triggers.items()
    }
    derived: dict[str, Any] = read_yaml("events/derived.yaml") or {}
    for lemma, entries in derived.items():  # written triggers win over derived ones
        key = lemma.lower()
        have = {s.pos for s in senses.get(key, ())}
        extra = tuple(_sense(key, s) for s in entries if s["pos"] not in have)
        if extra:
            senses[key] = senses.get(key, ()) + extra
    return Lexicon(senses, _cues(read_yaml("events/cues.yaml")), _scores(read_yaml("events/scores.yaml")))


def noun_senses(lex: Lexicon, tok: Any) -> tuple[Sense, ...]:
    """The lexicon's noun senses of ``tok`` when it is a noun: an event noun standing where
    a participant would ("a roadside bombing ... killed", "backed by airstrikes")."""
    if tok.pos_ != "NOUN":
        return ()
    return tuple(s for s in lex.senses.get(str(tok.lemma_).lower(), ()) if s.pos == "N")


def lemma_keys(tok: Any) -> Iterator[str]:
    """Lexicon keys for a token, lazily: its lemma, its text, and the text de-inflected by
    rule (the small model's lemmatizer misses some forms: "staged" -> "stag")."""
    return keys_for(str(tok.lemma_).lower(), str(tok.lower_), str(tok.pos_))


def keys_for(lemma: str, lower: str, pos: str) -> Iterator[str]:
    """:func:`lemma_keys` from a token's lower-cased lemma, lower-cased text and POS."""
    yield lemma
    yield lower
    if pos in ("VERB", "AUX"):
        for suffix, repl in _VERB_ENDINGS:
            if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
                yield lower[: -len(suffix)] + repl
    elif pos in ("NOUN", "PROPN") and lower.endswith("s") and len(lower) > 3:
        yield lower[:-1]


_VERB_ENDINGS = (("ied", "y"), ("ed", "e"), ("ed", ""), ("d", ""), ("ing", "e"), ("ing", ""),
                 ("es", ""), ("s", ""))
