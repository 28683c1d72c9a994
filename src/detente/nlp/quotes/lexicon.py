"""The quotes stage's word lists, loaded once from ``data/quotes/``."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from ...data import load_yaml
from ...errors import ConfigError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PronounFeatures:
    """Gender (m, f, n for things, x unknown), number (sg, pl) and person of a pronoun."""

    gender: str
    number: str
    person: int


@dataclass(frozen=True)
class CueLexicon:
    """Cue verbs and phrases that introduce reported speech or thought."""

    speech: frozenset[str]
    cognition: frozenset[str]
    naming: frozenset[str]
    directive: frozenset[str]
    np_object: frozenset[str]
    prep_cues: dict[str, frozenset[str]]  # verb lemma -> prepositions its content follows
    characterise: frozenset[str]
    phrasal: dict[str, frozenset[str]]  # verb lemma -> particles / objects it needs
    according: tuple[tuple[str, ...], ...]  # lower-cased word sequences
    citing: frozenset[str]
    content_preps: frozenset[str]
    nonspeaker_subjects: frozenset[str]
    nominal: frozenset[str]  # nouns whose "that" clause is a report ("his claim that ...")
    attitude: frozenset[str]  # predicative adjectives with a clause ("is afraid that ...")
    evidential: frozenset[str]  # verbs of seeming: their clause is an impression


@dataclass(frozen=True)
class SpeakerLexicon:
    """Features for resolving speaker mentions: pronouns, titles, roles, given names."""

    pronouns: dict[str, PronounFeatures]
    title_gender: dict[str, str]
    roles: frozenset[str]
    first_name_gender: dict[str, str]


def _load(name: str) -> dict[str, Any]:
    path = resources.files("detente.data").joinpath("quotes", name)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"data/quotes/{name} cannot be read ({exc}): reinstall detente"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"data/quotes/{name} is not a mapping: reinstall detente")
    return data


def _words(values: list[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The cue lexicon (``data/quotes/cues.yaml``)."""
    data = _load("cues.yaml")
    phrasal: dict[str, set[str]] = {}
    for phrase in data["phrasal"]:
        verb, rest = phrase.lower().split(" ", 1)
        phrasal.setdefault(verb, set()).add(rest.split()[-1])
    return CueLexicon(
        speech=_words(data["speech"]),
        cognition=_words(data["cognition"]),
        naming=_words(data["naming"]),
        directive=_words(data["directive"]),
        np_object=_words(data["np_object"]),
        prep_cues={verb.lower(): _words(preps) for verb, preps in data["prep_cues"].items()},
        characterise=_words(data["characterise"]),
        phrasal={verb: frozenset(parts) for verb, parts in phrasal.items()},
        according=tuple(tuple(p.lower().split()) for p in data["according"]),
        citing=_words(data["citing"]),
        content_preps=_words(data["content_preps"]),
        nonspeaker_subjects=_words(data["nonspeaker_subjects"]),
        nominal=_words(data.get("nominal", [])),
        attitude=_words(data.get("attitude", [])),
        evidential=_words(data.get("evidential", [])),
    )


@functools.lru_cache(maxsize=1)
def speaker_lexicon() -> SpeakerLexicon:
    """The speaker-resolution lexicon (``data/quotes/pronouns.yaml``)."""
    data = _load("pronouns.yaml")
    pronouns = {
        word.lower(): PronounFeatures(str(f["gender"]), str(f["number"]), int(f["person"]))
        for word, f in data["pronouns"].items()
    }
    title_gender = {t.lower(): g for g, titles in data["titles"].items() for t in titles}
    names = {n.lower(): g for g, given in data["first_names"].items() for n in given}
    return SpeakerLexicon(
        pronouns=pronouns,
        title_gender=title_gender,
        roles=_words(data["roles"]),
        first_name_gender=names,
    )
