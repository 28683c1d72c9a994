"""The time stage's word lists (``data/time/lexicon.yaml``), loaded once."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from ...data import read_yaml

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimeLexicon:
    """Words the time normaliser knows, keyed by lower-case form."""

    months: dict[str, int]
    weekdays: dict[str, int]
    seasons: dict[str, str]
    season_start_month: dict[str, int]
    numbers: dict[str, int | None]  # None: a vague quantity ("few", "several")
    units: dict[str, str]
    ordinals: dict[str, int]
    refs: dict[str, str]
    holidays_fixed: dict[str, tuple[int, int]]
    holidays_nth: dict[str, tuple[int, int, int]]
    holidays_easter: dict[str, int]
    decade_words: dict[str, int]
    future_lemmas: frozenset[str]
    future_aux: frozenset[str]
    day_parts: dict[str, str]
    deictic_day_parts: dict[str, tuple[int, str]]  # "last night" -> (-1, "NI")
    suffixed_day_parts: frozenset[str]
    time_zones: frozenset[str]
    day_ordinals: dict[str, int]
    trim_words: frozenset[str]
    hedges: frozenset[str]
    modals: frozenset[str]
    plan_verbs: frozenset[str]
    future_participles: frozenset[str]
    stative_verbs: frozenset[str]
    until_words: frozenset[str]
    earnings_words: frozenset[str]
    multi_quarter_periods: frozenset[str]
    for_participles: frozenset[str]
    forward_words: frozenset[str]
    since_words: frozenset[str]
    directive_verbs: frozenset[str]
    future_clause_marks: frozenset[str]
    set_adverbs: dict[str, str]  # "weekly" -> "P1W"
    set_quantifiers: frozenset[str]
    day_offsets: dict[str, int]  # "yesterday" -> -1
    relative_next: tuple[str, ...]
    relative_last: tuple[str, ...]
    relative_this: tuple[str, ...]
    anaphoric_shifts: tuple[str, ...]


# Word lists, read as sets; the relative words keep their order (tuples).
_WORD_SETS = (
    "trim_words", "hedges", "modals", "plan_verbs", "future_participles", "stative_verbs",
    "until_words", "earnings_words", "multi_quarter_periods", "for_participles", "forward_words",
    "since_words", "directive_verbs", "future_clause_marks", "suffixed_day_parts", "time_zones",
    "set_quantifiers", "future_lemmas", "future_aux",
)
_WORD_TUPLES = ("relative_next", "relative_last", "relative_this", "anaphoric_shifts")
# Mappings whose checked values are used as they are (see detente/data/files.py).
_MAPPINGS = (
    "months", "weekdays", "seasons", "season_start_month", "units", "ordinals", "refs",
    "holidays_fixed", "holidays_nth", "holidays_easter", "decade_words", "day_parts",
    "deictic_day_parts", "day_ordinals", "set_adverbs", "day_offsets",
)


@functools.lru_cache(maxsize=1)
def lexicon() -> TimeLexicon:
    """The lexicon, parsed on first use."""
    raw: dict[str, Any] = read_yaml("time/lexicon.yaml")
    fields: dict[str, Any] = {name: dict(raw[name]) for name in _MAPPINGS}
    fields.update({name: frozenset(raw[name]) for name in _WORD_SETS})
    fields.update({name: tuple(raw[name]) for name in _WORD_TUPLES})
    fields["numbers"] = {k: None if v == "X" else v for k, v in raw["numbers"].items()}
    return TimeLexicon(**fields)
