"""The time stage: time expressions found, typed and resolved against the publication date."""

from .rules import NormContext, normalize
from .stage import (
    DateRef,
    TimexIndex,
    date_ref,
    find_timexes,
    governing_date,
    timex_stage,
)

__all__ = [
    "DateRef",
    "NormContext",
    "TimexIndex",
    "date_ref",
    "find_timexes",
    "governing_date",
    "normalize",
    "timex_stage",
]
