"""The typed records that travel between stages.

Every record is a plain dataclass; ``to_dict`` gives the contract's JSON shape
(``../shared/CONTRACT.md``). Offsets (``start``/``end``) are character offsets
into ``Article.body``, end exclusive.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

logger = logging.getLogger(__name__)

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]
QuoteKind = Literal["direct", "partial", "indirect", "mixed"]
Modality = Literal[
    "asserted", "reported", "claimed", "denied", "hypothetical", "future", "historical"
]
Precision = Literal["day", "month", "year"]

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
    "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
    "COERCE", "ASSAULT",
)
QUAD: dict[str, int] = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}


@dataclass
class RawDocument:
    """One input before extraction: a text dump or an HTML page."""

    id: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    published: date | None = None  # given by the caller: overrides detection
    source: str = "<input>"  # where it came from, for error messages


@dataclass(frozen=True)
class Caption:
    text: str
    credit: str | None = None


@dataclass
class Article:
    title: str | None = None
    dek: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    published_evidence: str | None = None
    page_date: date | None = None
    categories: list[str] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    language: str = "en"
    body: str = ""


@dataclass(frozen=True)
class Actor:
    """A coded actor: ISO-3 country or non-state code, with a PLOVER sector."""

    name: str
    code: str
    sector: str | None = None


@dataclass
class Entity:
    text: str
    label: str
    start: int
    end: int
    actor: Actor | None = None
    # Set when the span lies in article.captions[caption]: offsets are then into
    # that caption's text instead of the body.
    caption: int | None = None


@dataclass
class Timex:
    text: str
    start: int
    end: int
    type: TimexType
    value: str | None
    # Set when the span lies in article.captions[caption]: offsets are then into
    # that caption's text instead of the body.
    caption: int | None = None


@dataclass
class Speaker:
    text: str | None
    start: int
    end: int
    name: str | None = None
    code: str | None = None
    sector: str | None = None


@dataclass
class Quote:
    text: str
    start: int
    end: int
    kind: QuoteKind
    cue: str | None
    speaker: Speaker | None
    via: str | None = None
    # Set when the span lies in article.captions[caption]: offsets are then into
    # that caption's text instead of the body.
    caption: int | None = None


@dataclass
class EventActor:
    text: str
    name: str | None
    code: str | None
    sector: str | None = None
    inferred: bool = False  # the code comes from context (a place, a name nearby), not the mention


@dataclass
class Location:
    name: str
    country: str | None
    lat: float | None
    lon: float | None


@dataclass
class Trigger:
    """The word or phrase that carries an event ("arrested", "talks", "the bombing")."""

    text: str
    start: int
    end: int


@dataclass
class Event:
    type: str
    mode: str | None
    context: list[str]
    actor: list[EventActor]
    recipient: list[EventActor]
    date: str | None
    date_precision: Precision | None
    negated: bool
    modality: Modality
    location: Location | None
    intensity: float
    quad: int
    cameo: str | None
    sentence: str
    start: int
    end: int
    confidence: float
    # Set when the span lies in article.captions[caption]: offsets are then into
    # that caption's text instead of the body.
    caption: int | None = None
    # The trigger; its offsets are in the same frame as start/end.
    trigger: Trigger | None = None


@dataclass
class Result:
    id: str
    article: Article
    entities: list[Entity] = field(default_factory=list)
    timexes: list[Timex] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dates, lists and dicts -> JSON-ready values."""
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_jsonable(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj
