"""Pronoun word classes shared by the stages (``data/mentions/pronouns.yaml``), loaded once.

The actors stage cuts possessives from mentions, the quotes stage resolves a pronoun
speaker by its features, the events stage a pronoun actor by its class: all read the
same lists here.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from ..data import read_yaml

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PronounFeatures:
    """Gender (m, f, n for things, x unknown), number (sg, pl) and person of a pronoun."""

    gender: str
    number: str
    person: int


@dataclass(frozen=True)
class Pronouns:
    """The pronoun classes, lower-case surface forms."""

    features: dict[str, PronounFeatures]  # pronouns a speaker mention can be
    person: frozenset[str]  # he, she, him, her, his
    group: frozenset[str]  # it, its, they, them, their
    first_person_plural: frozenset[str]  # we, us, our
    possessive: frozenset[str]  # my, our, your, ...
    relative_subjects: frozenset[str]  # who, which, that
    relative: frozenset[str]  # the subjects and "whom"

    @property
    def third_person(self) -> frozenset[str]:
        """Pronouns that take the latest agreeing person or group as antecedent."""
        return self.person | self.group


@functools.cache
def pronouns() -> Pronouns:
    """The pronoun classes (read once per process)."""
    raw: dict[str, Any] = read_yaml("mentions/pronouns.yaml")
    return Pronouns(
        features={word: PronounFeatures(f["gender"], f["number"], f["person"])
                  for word, f in raw["features"].items()},
        person=frozenset(raw["person"]),
        group=frozenset(raw["group"]),
        first_person_plural=frozenset(raw["first_person_plural"]),
        possessive=frozenset(raw["possessive"]),
        relative_subjects=frozenset(raw["relative_subjects"]),
        relative=frozenset(raw["relative_subjects"]) | frozenset(raw["relative_objects"]),
    )
