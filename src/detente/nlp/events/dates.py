"""Dates of events: the time stage's governing timex (never one after publication for a
past-tense act), a date local to an event noun, the paragraph's narrative date, else the
publication date (precision "day")."""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from ...model import Precision
from ..context import DocContext
from ..time import date_ref, governing_date
from ..tokens import token_table
from .lexicon import load_lexicon
from .triggers import Trigger

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class DateChoice:
    value: str | None
    precision: Precision | None
    explicit: bool  # from a timex (not the publication date)


def _precision(value: str) -> Precision | None:
    return {10: "day", 7: "month", 4: "year"}.get(len(value))  # type: ignore[return-value]


class Dates:
    """Dates for events: local and governing timexes, paragraph narrative, publication."""

    def __init__(self, doc: Doc, ctx: DocContext) -> None:
        self.doc, self.ctx = doc, ctx
        self.text = token_table(doc).text
        self.narrative: DateChoice | None = None
        self._last_paragraph = -1
        self.noun_dates: dict[tuple[str, str], DateChoice] = {}
        self._breaks = _paragraph_breaks(self.text)
        self._date_preps = load_lexicon().cues.date_preps  # "the demands in December"

    def start_sentence(self, sent: Span) -> None:
        # the paragraph: the number of "\n\n" before the sentence, as str.count would give it
        paragraph = bisect.bisect_right(self._breaks, sent.start_char)
        if paragraph != self._last_paragraph:
            self.narrative, self._last_paragraph = None, paragraph

    def end_sentence(self, sent: Span) -> None:
        for timex in self.ctx.timexes:
            if sent.start_char <= timex.start < sent.end_char :
                ref = date_ref(timex)
                if ref is not None and self._historical(ref.value):
                    self.narrative = DateChoice(ref.value, ref.precision, True)

    def for_trigger(self, trig: Trigger, actors: tuple[str, ...]) -> DateChoice:
        if trig.sense.pos == "N":
            key = (trig.tok.lemma_.lower(), "/".join(actors))
            local = self._noun_local(trig.tok)
            if local is not None:
                self.noun_dates.setdefault(key, local)
                return local
            if key in self.noun_dates:  # "the Kremlin's demands" again: the same demands
                return self.noun_dates[key]
        ref = governing_date(self.doc[trig.clause.i:trig.clause.i + 1], self.ctx)
        if ref is not None and not (_past(trig.clause) and self._after_publication(ref.value)):
            return DateChoice(ref.value, ref.precision, True)  # a past act is not dated later
        if self.narrative is not None and _past(trig.clause):
            return self.narrative
        if self.ctx.anchor is not None:
            return DateChoice(self.ctx.anchor.isoformat(), "day", False)
        return DateChoice(None, None, False)

    def _noun_local(self, noun: Token) -> DateChoice | None:
        """"the Kremlin's demands in December", "the 2014 annexation"."""
        left, right = noun.left_edge.idx, noun.idx + len(noun)
        nxt = noun.i + 1
        if nxt + 1 < len(self.doc) and self.doc[nxt].lower_ in self._date_preps:
            right = self.doc[nxt + 1].idx + 1
        for timex in self.ctx.timexes:
            if left <= timex.start < right and timex.start != noun.idx:
                ref = date_ref(timex)
                if ref is not None:
                    return DateChoice(ref.value, ref.precision, True)
        return None

    def own_timex(self, noun: Token) -> bool:
        """A time expression of the noun's own ("the missile strikes on Sunday"), even
        one the publication date would be needed to resolve."""
        left, right = noun.left_edge.idx, noun.right_edge.idx + len(noun.right_edge)
        nxt = noun.i + 1
        if nxt + 1 < len(self.doc) and self.doc[nxt].lower_ in self._date_preps:
            right = max(right, self.doc[nxt + 1].idx + 1)
        return any(left <= t.start < right and t.start != noun.idx and t.type in ("DATE", "TIME")
                   for t in self.ctx.timexes)

    def _after_publication(self, value: str) -> bool:
        """Whether ``value`` starts after the publication date ("two years later" read
        from the publication date while the narrative is in 2007)."""
        anchor = self.ctx.anchor
        return anchor is not None and value[:len(anchor.isoformat())] > anchor.isoformat()[:len(value)]

    def _historical(self, value: str) -> bool:
        anchor = self.ctx.anchor
        return anchor is not None and older_than_a_year(value, anchor)


def older_than_a_year(value: str, anchor: date) -> bool:
    try:
        year = int(value[:4])
        month = int(value[5:7]) if len(value) >= 7 else 12
    except ValueError:
        return False
    return (anchor.year - year) * 12 + (anchor.month - month) > 12


def _past(verb: Token) -> bool:
    node = verb
    for _ in range(4):
        if node.tag_ == "VBD" or any(c.tag_ == "VBD" and c.dep_ in ("aux", "auxpass") for c in node.children):
            return True
        if node.dep_ not in ("xcomp", "conj", "pcomp", "prep", "dobj", "pobj") or node.head.i == node.i:
            return False
        node = node.head
    return False


def _paragraph_breaks(text: str) -> list[int]:
    """Where each "\n\n" ends, scanning left to right without overlaps (as str.count does)."""
    ends = []
    at = text.find("\n\n")
    while at >= 0:
        ends.append(at + 2)
        at = text.find("\n\n", at + 2)
    return ends
