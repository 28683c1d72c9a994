"""The quotes stage's word lists, loaded once from ``data/quotes/`` (pronouns from
``data/mentions/``, shared with the other stages)."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from ...data import read_yaml

logger = logging.getLogger(__name__)


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
    source_nouns: frozenset[str]  # "citing a report": a channel, not a content
    frame_only: frozenset[str]  # '"...," he continued': frames, holds no content
    aside_stops: frozenset[str]  # open the speaker's own clause after ", X said,"
    gloss_relatives: frozenset[str]  # ", which ...": the writer's gloss of the last noun
    concessive: frozenset[str]  # ", although ...": the writer's concession
    as_clause_preps: frozenset[str]  # "as she called for ...": no frame of saying


def _words(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


# Lists read as lower-case sets with no more to it.
_PLAIN_SETS = ("nominal", "attitude", "evidential", "source_nouns", "frame_only", "aside_stops",
               "gloss_relatives", "concessive", "as_clause_preps")


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The cue lexicon (``data/quotes/cues.yaml``)."""
    data: dict[str, Any] = read_yaml("quotes/cues.yaml")
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
        **{name: _words(data[name]) for name in _PLAIN_SETS},
    )




def third_person_of(word: str, verbs: frozenset[str] | set[str]) -> bool:
    """Is ``word`` (lower case) the third person singular of one of ``verbs`` ("says",
    "notes", "pushes", "replies")?"""
    if not word.endswith("s") or len(word) < 4:
        return False
    stems = {word[:-1], word[:-2]} | ({word[:-3] + "y"} if word.endswith("ies") else set())
    return bool(stems & verbs)
