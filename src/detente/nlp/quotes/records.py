"""Records the quotes stage passes between its modules: marks, contents, attributions."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spacy.tokens import Token

from ...model import QuoteKind
from .marks import MarkedSpan

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mark:
    """A quotation in marks, aligned to tokens; ``full`` when it is an utterance of its own."""

    span: MarkedSpan
    first: int  # token indexes, inclusive
    last: int
    full: bool


@dataclass(frozen=True)
class Attribution:
    """Who (speaker mention token) said it, through which cue (None: carried on from the
    paragraph before), and which channel."""

    cue: str | None
    speaker: Token | None
    via: str | None
    cue_token: int


@dataclass(frozen=True)
class Content:
    """A quote's content as a character range with its kind."""

    start: int
    end: int
    kind: QuoteKind


def overlap_ratio(a: Content, b: Content) -> float:
    """Intersection over union of two contents' character ranges."""
    inter = max(0, min(a.end, b.end) - max(a.start, b.start))
    union = max(a.end, b.end) - min(a.start, b.start)
    return inter / union if union > 0 else 0.0
