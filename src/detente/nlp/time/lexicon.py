"""The time stage's word lists (``data/time/lexicon.yaml``), loaded once."""

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


_WORD_SETS = (
    "trim_words", "hedges", "modals", "plan_verbs", "future_participles", "stative_verbs",
    "until_words", "earnings_words", "multi_quarter_periods", "for_participles", "forward_words",
    "since_words", "directive_verbs", "future_clause_marks", "suffixed_day_parts", "time_zones",
)


def _words(values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in values)


def _number(value: Any) -> int | None:
    return None if value == "X" else int(value)


@functools.lru_cache(maxsize=1)
def lexicon() -> TimeLexicon:
    """The lexicon, parsed on first use."""
    path = resources.files("detente.data").joinpath("time", "lexicon.yaml")
    try:
        raw: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the time lexicon ({exc}); reinstall detente") from exc
    return TimeLexicon(
        months={str(k): int(v) for k, v in raw["months"].items()},
        weekdays={str(k): int(v) for k, v in raw["weekdays"].items()},
        seasons={str(k): str(v) for k, v in raw["seasons"].items()},
        season_start_month={str(k): int(v) for k, v in raw["season_start_month"].items()},
        numbers={str(k): _number(v) for k, v in raw["numbers"].items()},
        units={str(k): str(v) for k, v in raw["units"].items()},
        ordinals={str(k): int(v) for k, v in raw["ordinals"].items()},
        refs={str(k): str(v) for k, v in raw["refs"].items()},
        holidays_fixed={str(k): (int(v[0]), int(v[1])) for k, v in raw["holidays_fixed"].items()},
        holidays_nth={
            str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in raw["holidays_nth"].items()
        },
        holidays_easter={str(k): int(v) for k, v in raw["holidays_easter"].items()},
        decade_words={str(k): int(v) for k, v in raw["decade_words"].items()},
        future_lemmas=frozenset(str(x) for x in raw["future_lemmas"]),
        future_aux=frozenset(str(x) for x in raw["future_aux"]),
        day_parts={str(k): str(v) for k, v in raw["day_parts"].items()},
        deictic_day_parts={str(k): (int(v[0]), str(v[1])) for k, v in raw["deictic_day_parts"].items()},
        day_ordinals={str(k): int(v) for k, v in raw["day_ordinals"].items()},
        **{name: _words(raw[name]) for name in _WORD_SETS},
    )
