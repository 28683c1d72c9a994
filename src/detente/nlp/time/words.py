"""The words of a time expression and what resolving it needs: types for the rules.

:mod:`detente.nlp.time.rules` reads these; the stage (:mod:`detente.nlp.time.stage`)
fills :class:`NormContext` from the parse.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ...model import TimexType
from .lexicon import TimeLexicon, lexicon

logger = logging.getLogger(__name__)

# "conditional": a modal or an infinitive ("would meet", "an agreement to buy"):
# future for months and seasons, not strong enough to move a weekday.
# "nominal": the date dates a thing, not the verb ("under a June agreement"): the
# nearest such month or day, a weekday the past one.
Tense = Literal["past", "present", "future", "conditional", "nominal"]
Direction = Literal["past", "future", "nearest"]


@dataclass(frozen=True)
class NormContext:
    """What resolution needs besides the words: anchor, tense, discourse."""

    anchor: date | None
    tense: Tense | None = None
    # The last quarter the document resolved ("1989-Q3"), for "the quarter".
    last_quarter: str | None = None
    # A quarter was mentioned in this or a recent sentence: "a year ago" then
    # means the same quarter a year before (financial news' convention).
    quarter_context: bool = False
    # The latest calendar date the document has mentioned ("1995-05-22"): the
    # reference time of anaphoric expressions ("the following year", "that day").
    reference: str | None = None


@dataclass(frozen=True)
class Normalized:
    """A classified, resolved expression; ``value`` None when it cannot be anchored."""

    type: TimexType
    value: str | None


@dataclass(frozen=True)
class Words:
    """The expression's tokens, lower-cased, hyphens split."""

    raw: str
    tokens: tuple[str, ...]

    def has(self, *words: str) -> bool:
        """Whether any of ``words`` is one of the tokens."""
        return any(w in self.tokens for w in words)


_TOKEN = re.compile(r"\d{4}s|'\d0s|'\d\d|\d+(?:st|nd|rd|th|s)?|[a-z]+(?:'s|s')?")


def words_of(text: str) -> Words:
    """Tokenise an expression: lower case, hyphens and periods as spaces."""
    clean = text.lower().replace("\u2019", "'").replace("-", " ")
    return Words(raw=clean, tokens=tuple(_TOKEN.findall(clean)))


def number(tokens: tuple[str, ...], lex: TimeLexicon) -> int | None:
    """The value of the number words or digits in ``tokens`` (first group); None if vague."""
    total = 0
    seen = False
    for tok in tokens:
        if tok.isdigit():
            return int(tok)
        if tok in ("hundred", "thousand"):
            total = max(total, 1) * (100 if tok == "hundred" else 1000)
            seen = True
        elif tok in lex.numbers and tok not in ("a", "an") or tok in ("a", "an") and not seen:
            value = lex.numbers[tok]
            if value is None:
                return None
            total += value
            seen = True
        elif seen:
            break
    return total if seen else None


def _year_words(w: Words, lex: TimeLexicon) -> int | None:
    """A year spelled out: "nineteen ninety six", "two thousand"."""
    toks = [t for t in w.tokens if t in lex.numbers or t in ("thousand", "hundred")]
    if not toks or w.has("ago", "earlier", "later") or w.tokens[-1] in lex.units:
        return None
    if toks[0] in ("nineteen", "twenty") and len(toks) >= 2 and toks[1] not in ("hundred", "thousand"):
        rest = sum(lex.numbers.get(t) or 0 for t in toks[1:])
        return (19 if toks[0] == "nineteen" else 20) * 100 + rest
    if toks[:2] == ["two", "thousand"]:
        return 2000 + sum(lex.numbers.get(t) or 0 for t in toks[2:])
    return None


def explicit_year(w: Words, lex: TimeLexicon) -> int | None:
    """A year written in the expression: 1998, '98, "nineteen ninety-six"."""
    for tok in w.tokens:
        if tok.isdigit() and len(tok) == 4 and 1000 <= int(tok) <= 2099:
            return int(tok)
        if re.fullmatch(r"'\d\d", tok):
            two = int(tok[1:])
            return 1900 + two if two >= 30 else 2000 + two
    return _year_words(w, lex)


def direction_of(ctx: NormContext, w: Words, weak_future: bool = True) -> Direction:
    """Past or future from the expression's own words, else from the tense."""
    if w.has(*lexicon().relative_next):
        return "future"
    if w.has("last", "past", "previous"):
        return "past"
    if ctx.tense == "future" or weak_future and ctx.tense == "conditional":
        return "future"
    if weak_future and ctx.tense == "nominal":
        return "nearest"
    return "past"
