"""The time stage: find time expressions, resolve them against the publication date.

Detection takes the model's DATE/TIME entities plus a few patterns for what the
small model misses ("now", "recently", holidays, "every week", "for weeks"),
trims them to TIMEX3 extents and splits ranges ("from March to May"). Each
expression is normalised by :mod:`detente.nlp.time.rules` with the tense of the
verb that governs it, so "on Friday" is the past Friday unless the verb is
future ("will meet on Friday"). Results fill ``ctx.timexes``; the events
stage asks :func:`governing_date` for the date of a clause. Anaphoric
expressions ("the following year", "that day") count from the latest date the
text gave; where the text leaves a part unsaid the value keeps TIMEX3's X
placeholders ("1989-WXX"), and :func:`date_ref` hands events only the known part.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from ...model import Precision, Timex
from ..context import DocContext, doc_ents
from ..spans import split_at
from ..tokens import token_table
from .lexicon import lexicon
from .rules import NormContext, Tense, is_clock, normalize

logger = logging.getLogger(__name__)

_RANGE = re.compile(r"^(?P<a>.+?)\s*(?:\bto\b|\band\b|\bor\b|\bthrough\b|\buntil\b|\u2013|-|,)\s*(?P<b>.+)$")
_SET_ADVERBS = re.compile(r"\b(?:daily|weekly|monthly|annually|yearly)\b", re.I)
_AGO = re.compile(r"\b(?:ago|earlier|before|previous)\b", re.I)
_CALENDAR = re.compile(r"\d{4}(?:-\d\d){0,2}")



@dataclass(frozen=True)
class DateRef:
    """The date governing a clause: a TIMEX3 value cut to ``precision``."""

    value: str
    precision: Precision
    timex: Timex | None


@dataclass(frozen=True)
class FoundTimex:
    """A resolved timex with its token span and governing verb (token index, -1 none)."""

    timex: Timex
    start: int
    end: int
    sent_start: int
    governor: int


@dataclass
class TimexIndex:
    """What the stage leaves in ``ctx.timex_index`` for :func:`governing_date`."""

    items: list[FoundTimex] = field(default_factory=list)


# -- detection --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _patterns() -> re.Pattern[str]:
    """Expressions the small model tends to miss, as one case-sensitive regex."""
    lex = lexicon()
    holidays = sorted(
        (h.title().replace("'S", "'s") for h in [*lex.holidays_fixed, *lex.holidays_nth, *lex.holidays_easter]),
        key=len, reverse=True,
    )
    weekdays = "|".join(k.title() for k in lex.weekdays if len(k) > 3)
    months = "|".join(k.title() for k in lex.months if k != "may")
    day_parts = "|".join(k for k in lex.day_parts if k != "tonight")
    # Every expression starts a word: one \b in front of the alternation lets the regex
    # engine skip each alternative on its first character (3.6 -> 1.4 ms on a page).
    parts = [
        r"(?:[Nn]ow|[Cc]urrently|[Rr]ecently|[Nn]owadays|[Ll]ately)\b(?!-)",
        r"(?:[Tt]he (?:near |foreseeable |distant )?future)\b",
        r"(?:[Tt]oday|[Yy]esterday|[Tt]omorrow|[Tt]onight)\b(?!')",
        r"(?:(?:[Ll]ater )?[Tt]his (?:morning|afternoon|evening)|[Ll]ast (?:night|evening))\b",
        r"(?:(?:[Ee]arlier|[Ll]ater) )?(?:[Tt]his|[Ll]ast|[Nn]ext) (?:week|month|year|quarter)\b",
        r"(?:(?:[Ee]arlier|[Ll]ater) )?[Tt]hat (?:week|month|year)\b(?!-)",
        r"(?:[Ee]arlier|[Ll]ater) that day\b",
        r"[Tt]he (?:following|previous|preceding) (?:day|week|month|year)\b(?!-)",
        r"[Tt]he week\b(?!-)",
        r"(?:" + months + r")\.? \d{1,2}\b(?:, \d{4})?",
        r"(?:[Tt]he past)\b(?=\s*[,.;:])",
        r"(?:every|each) (?:other )?(?:day|week|month|year|" + weekdays.lower() + r")\b",
        r"(?:(?:last|next|this) )?(?:" + weekdays + r")(?: (?:" + day_parts + r"))?\b",
        r"(?:" + "|".join(re.escape(h) for h in holidays) + r")\b",
        r"(?<=\bfor )(?:weeks|months|years|days|decades|hours)\b",
        r"\d{1,2}(?::\d\d)?\s?[ap]\.m\.",
    ]
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in parts) + ")")


def _candidate_spans(doc: Doc, ctx: DocContext) -> list[Span]:
    text = token_table(doc).text
    spans = [_with_article(e) for e in doc_ents(doc, ctx) if e.label_ in ("DATE", "TIME")]
    taken = [(s.start_char, s.end_char) for s in spans]
    for m in _patterns().finditer(text):
        if any(m.start() < end and start < m.end() for start, end in taken):
            continue
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None and not _modifies_noun(span):
            spans.append(span)
            taken.append((span.start_char, span.end_char))
    for m in _SET_ADVERBS.finditer(text):  # set adverbs: "meets weekly", not "a weekly paper"
        span = doc.char_span(m.start(), m.end())
        if (
            span is not None
            and span.root.pos_ == "ADV"
            and not any(m.start() < end and start < m.end() for start, end in taken)
        ):
            spans.append(span)
    return _join_clock_and_day(sorted(spans, key=lambda s: s.start))


def _join_clock_and_day(spans: list[Span]) -> list[Span]:
    """"9 a.m. Tuesday", "noon Thursday", "5 p.m. EST, Nov. 6": a clock time and the day
    right after it are one TIME expression (TIMEX3), not a TIME and a DATE."""
    out: list[Span] = []
    for span in spans:
        prev = out[-1] if out else None
        if prev is not None and prev.end <= span.start and is_clock(prev.text) and _names_day(span) \
                and _only_zone_between(prev, span):
            out[-1] = span.doc[prev.start : span.end]
        else:
            out.append(span)
    return out


def _names_day(span: Span) -> bool:
    lex = lexicon()
    return any(
        t.lower_.rstrip(".") in lex.weekdays or t.lower_.rstrip(".") in lex.months
        or t.lower_ in ("today", "yesterday", "tomorrow")
        for t in span
    )


def _only_zone_between(left: Span, right: Span) -> bool:
    zones = lexicon().time_zones
    return right.start - left.end <= 2 and all(
        t.text == "," or t.lower_ in zones for t in left.doc[left.end : right.start]
    )


def _with_article(span: Span) -> Span:
    """The model's entity widened to the TIMEX3 extent it left out of its noun phrase.

    "the week" when the model marked only "week" ("the week's most active
    session"); "the 1988 period" when it marked only "1988"; "the day before
    last Tuesday" when it marked only "last Tuesday"; "Wednesday evening" when
    it marked only "Wednesday".
    """
    doc = span.doc
    before = [t.lower_ for t in doc[max(0, span.start - 3) : span.start]]
    if before[-2:] in (["day", "before"], ["day", "after"]):  # "the day before last Tuesday"
        return doc[span.start - (3 if before[:1] == ["the"] and len(before) == 3 else 2) : span.end]
    det = span.start > 0 and doc[span.start - 1].lower_ in ("the", "its")
    if len(span) == 1 and span[0].lower_ == "week" and det:
        return doc[span.start - 1 : span.end]
    lex = lexicon()
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.lower_ in lex.day_parts and after.lower_ != "tonight" \
            and span[-1].lower_ in (*lex.weekdays, "yesterday", "tomorrow"):
        return doc[span.start : span.end + 1]  # "Wednesday evening" when the model marked "Wednesday"
    nxt = doc[span.end] if span.end < len(doc) else None
    if len(span) == 1 and span[0].shape_ == "dddd" and det and nxt is not None and nxt.lower_ == "period" \
            and span[0].head == nxt:
        return doc[span.start - 1 : span.end + 1]
    return span


def _modifies_noun(span: Span) -> bool:
    """"the future direction", "today's talks" as a modifier: not a time expression here."""
    doc = span.doc
    nxt = doc[span.end] if span.end < len(doc) else None
    return nxt is not None and span[-1].lower_ == "future" and nxt.pos_ in ("NOUN", "PROPN", "ADJ")


def _trim(span: Span) -> Span | None:
    """Cut prepositions and punctuation off the edges (TIMEX3 extents)."""
    lex = lexicon()
    doc, start, end = span.doc, span.start, span.end

    def droppable_head(i: int) -> bool:
        word = doc[i].lower_
        if word in lex.hedges and i + 1 < end and doc[i + 1].like_num:
            return False  # "about 10 days" keeps its hedge
        return doc[i].is_punct or word in lex.trim_words

    while start < end and droppable_head(start):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].lower_ in ("'s", "of", "and", "to")):
        end -= 1
    return doc[start:end] if end > start else None


@dataclass(frozen=True)
class _Piece:
    """A span to resolve and the words to read it by ("25" in "April 24 and 25" reads "April 25")."""

    span: Span
    reading: str


def _split_range(span: Span) -> list[_Piece]:
    """"March to May", "between 2010 and 2014", "April 24 and 25": one timex per side."""
    m = _RANGE.match(span.text)
    whole = [_Piece(span, span.text)]
    if m is None or len(span) < 3:
        return whole
    doc = span.doc
    a_end = span.start_char + m.end("a")
    b_start = span.start_char + m.start("b")
    left = doc.char_span(span.start_char, a_end, alignment_mode="contract")
    right = doc.char_span(b_start, span.end_char, alignment_mode="contract")
    if left is None or right is None or not _looks_absolute(left.text):
        return whole
    month = _month_word(left.text)
    if re.fullmatch(r"\d{1,2}", right.text) and month and re.search(r"\d", left.text):
        return [_Piece(left, left.text), _Piece(right, f"{month} {right.text}")]
    if not _looks_absolute(right.text):
        return whole
    if span.text[m.end("a") : m.start("b")].strip() == "," and not (
        left.text.isdigit() and right.text.isdigit()
    ):
        return whole  # "Friday, Oct. 23" is one date; "1994, 1995" are two
    return [_Piece(left, left.text), *_split_range(right)]


def _month_word(text: str) -> str | None:
    lex = lexicon()
    return next((w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in lex.months), None)


def _looks_absolute(text: str) -> bool:
    lex = lexicon()
    lowered = text.lower().rstrip(".")
    return bool(re.fullmatch(r"(?:the )?\d{4}s?|today|yesterday|tomorrow", lowered)) or any(
        word in lex.months or word in lex.weekdays for word in re.findall(r"[a-z]+", lowered)
    )


# -- tense of the governing verb --------------------------------------------------------


def governor(span: Span) -> Token | None:
    """The verb the expression hangs from: up the heads to the first verb."""
    tok = span.root
    for _ in range(12):
        if tok.pos_ in ("VERB", "AUX") and tok not in span:
            return tok
        if tok.head is tok:
            return tok if tok.pos_ in ("VERB", "AUX") else None
        tok = tok.head
    return None


def verb_tense(verb: Token) -> Tense | None:
    """Future, past or present from the verb's auxiliaries, tag and controlling verb."""
    lex = lexicon()
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.lower_ in lex.future_aux for a in aux):
        return "future"
    if verb.lemma_ in lex.plan_verbs or verb.lemma_ in lex.future_lemmas and verb.tag_ in ("VBZ", "VBP"):
        return "future"  # "has scheduled a news conference Thursday", "plans to ... on Tuesday"
    if verb.tag_ == "VB" and verb.dep_ == "xcomp" and any(a.lower_ == "to" for a in aux) and verb.head.lemma_ == "be":
        return "future"  # "is to resume trading Tuesday"
    if verb.tag_ == "VBN" and verb.lemma_ in lex.future_participles and (
        any(a.lemma_ == "be" for a in aux) or verb.dep_ in ("acl", "relcl", "amod")
    ) and (verb.lemma_ not in lex.for_participles or any(c.lower_ == "for" for c in verb.children)):
        return "future"  # "is scheduled for", "a summit set for April"
    if verb.tag_ == "VBN" and not aux and verb.dep_ in ("acl", "amod"):
        return "past"  # a reduced relative is done: "the year ended March 31", "a plant closed in May"
    head = verb
    for _ in range(3):  # "plans to meet", "is set to sign", "is going to visit"
        if head.dep_ not in ("xcomp", "ccomp") or head.head is head:
            break
        if head.dep_ == "xcomp" and head.head.lemma_ in lex.future_lemmas:
            return "future"
        head = head.head
    has_have = any(a.lemma_ == "have" for a in aux)
    passive = verb.tag_ == "VBN" and any(a.dep_ == "auxpass" for a in aux)
    if not has_have and any(a.lower_ in lex.modals for a in aux) and verb.tag_ in ("VB", "VBG"):
        return "future"  # "would meet", "might come", "could be traveling"
    if not has_have and any(a.lower_ in lex.modals for a in aux) and passive:
        return "conditional"  # "would be paid in January"; not "could be located Wednesday"
    if verb.tag_ in ("VB", "VBN") and any(a.lower_ == "to" for a in aux):
        if _past_matrix(verb):
            return "past"  # "made it hard to meet demand into the summer"
        return "conditional"  # "is to resume", "an agreement to acquire", "to be published"
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in aux) or has_have:
        return "past"
    present = verb.tag_ in ("VBZ", "VBP") or any(a.tag_ in ("VBZ", "VBP") for a in aux)
    if present and verb.dep_ == "advcl" and any(
        c.dep_ in ("mark", "advmod") and c.lower_ in lex.future_clause_marks for c in verb.children
    ):
        return "future"  # English puts the future in the present after when/if: "when the case is heard in May"
    if verb.tag_ in ("VBZ", "VBP") and not aux and verb.lemma_ not in lex.stative_verbs and not any(
        t.tag_ == "VBD" for t in verb.sent
    ):
        return "future"  # news present of a lexical verb: "they meet Monday" (not in a past narrative)
    if verb.tag_ in ("VBZ", "VBP", "VBG") or any(a.tag_ in ("VBZ", "VBP") for a in aux):
        return "present"
    return None


def _past_matrix(verb: Token) -> bool:
    """Whether an infinitive hangs from a past verb that does not look ahead (ask, plan, hope)."""
    lex = lexicon()
    head = verb
    for _ in range(3):
        if head.dep_ not in ("xcomp", "advcl", "ccomp", "oprd", "acomp") or head.head is head:
            return False
        head = head.head
        if head.pos_ == "ADJ":
            continue  # "made it difficult to meet": up through the adjective
        if head.lemma_ in lex.directive_verbs or head.lemma_ in lex.future_lemmas:
            return False
        aux = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in lex.future_aux or a.lower_ in lex.modals for a in aux):
            return False
        if head.tag_ == "VBD" or any(a.tag_ == "VBD" or a.lemma_ == "have" for a in aux):
            return True
    return False


def _dates_noun_by_preposition(span: Span) -> bool:
    """"a cutback in September", "talks for March": the date hangs from a noun, not the verb."""
    root = span.root
    prep = root.head
    return root.dep_ == "pobj" and prep.dep_ == "prep" and prep.lower_ in ("in", "for") and prep.head.pos_ == "NOUN"


def _modifies_noun_as_date(span: Span) -> bool:
    """"a June agreement", "the late-November trip": the date names when a thing was."""
    root, lex = span.root, lexicon()
    head = root.head
    return (
        root.dep_ in ("compound", "nmod", "amod") and head.i >= span.end and head.pos_ == "NOUN"
        and head.lower_ not in lex.day_parts and head.lower_ not in lex.units  # "Tuesday morning"
    )


# -- the stage --------------------------------------------------------------------------


def _split_at_verbs(span: Span) -> list[Span]:
    """"the quarter ended Sept. 30": the model's one entity holds two expressions."""
    cuts = [t.i for t in span[1:] if t.pos_ == "VERB" and t.dep_ not in ("amod", "compound")]
    return split_at(span, cuts) if cuts else [span]


def _spans_to_resolve(doc: Doc, ctx: DocContext) -> Iterator[_Piece]:
    for candidate in _candidate_spans(doc, ctx):
        for piece in _split_at_verbs(candidate):
            trimmed = _trim(piece)
            if trimmed is not None:
                yield from _split_range(trimmed)


def _after_until(span: Span, verb: Token | None) -> bool:
    """"postponed until Tuesday", "until 9 a.m. Tuesday"; not "until Thursday, they had not"."""
    if verb is not None and any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children):
        return False
    return _after_word(span, lexicon().until_words)


def _after_word(span: Span, words: frozenset[str]) -> bool:
    """Whether one of ``words`` introduces the span: right before it or up its heads."""
    tok = span.root
    for _ in range(3):
        if tok.lower_ in words:
            return True
        if tok.head is tok:
            break
        tok = tok.head
    doc = span.doc
    return span.start > 0 and doc[span.start - 1].lower_ in words


def span_tense(span: Span, verb: Token | None) -> Tense | None:
    """The governing verb's tense, overridden by "until Friday" (future) and "by May"."""
    tense = verb_tense(verb) if verb is not None else None
    if verb is not None and verb.tag_ == "VBD" and span.end <= verb.i:
        return "past"  # a fronted date dates the act itself: "On Friday, they planned to pay"
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    if before == "by" and tense != "past" or _after_until(span, verb):
        return "future"
    if span.start >= 3 and doc[span.start - 3 : span.start].text.lower() == "as soon as":
        return "future"
    lex = lexicon()
    if _after_word(span, lex.since_words):
        return "past"  # "since Jan. 13" looks back
    if _after_word(span, lex.forward_words):
        return "future"  # "effective Feb. 1", "payable Dec. 15"
    if tense == "past" and _dates_noun_by_preposition(span):
        return "nominal"  # "told them of a cutback in September": the cutback's month, not the telling's
    if tense in ("conditional", "past") and verb is not None and verb.tag_ == "VB" and _modifies_noun_as_date(span):
        return "nominal"  # "to sell itself under a June agreement": the infinitive does not date June
    return tense


def _quarter_context(span: Span, last_quarter_sent: int) -> bool:
    """Whether "a year ago" here compares quarters (an earnings report), not years.

    True when the sentence names a quarter, or follows a quarter mention closely,
    or reads as an earnings comparison in a story that has named a quarter; never
    when the sentence compares longer periods ("for the nine months").
    """
    lex = lexicon()
    sent = span.sent
    text = token_table(span.doc).text_of(sent).lower()
    if any(period in text for period in lex.multi_quarter_periods):
        return False
    if "quarter" in text:
        return True
    if last_quarter_sent < 0:
        return False
    return sent.start - last_quarter_sent < 80 or any(w in text for w in lex.earnings_words)


def _reported_quarter(span: Span, value: str | None, tense: Tense | None) -> bool:
    """Whether ``span`` names the quarter a story reports on, for "the quarter" and "a year ago".

    A quarter said with its own year ("the third quarter of 1990") or as an
    offset ("a year ago") is not; nor one still ahead ("expects a loss in the
    fourth quarter"), unless it dates a figure ("expects to report a third-quarter loss").
    """
    if not value or not re.fullmatch(r"\d{4}-Q\d", value):
        return False
    if _AGO.search(span.text) or re.search(r"\d{4}", span.text):
        return False
    return tense not in ("future", "conditional") or _modifies_noun_as_date(span)


def find_timexes(doc: Doc, ctx: DocContext) -> TimexIndex:
    """Detect and resolve every time expression in ``doc``, in text order."""
    index = TimexIndex()
    last_quarter: str | None = None
    last_quarter_sent = -1
    reference: str | None = None  # the latest calendar date mentioned: "the following year" counts from it
    for piece in _spans_to_resolve(doc, ctx):
        span = piece.span
        verb = governor(span)
        norm_ctx = NormContext(
            anchor=ctx.anchor,
            tense=span_tense(span, verb),
            last_quarter=last_quarter,
            quarter_context=_quarter_context(span, last_quarter_sent),
            reference=reference,
        )
        found = normalize(piece.reading, norm_ctx)
        if found is None:
            continue
        if found.type == "DATE" and found.value and _CALENDAR.fullmatch(found.value):
            reference = found.value
        timex = Timex(span.text, span.start_char, span.end_char, found.type, found.value)
        if _reported_quarter(span, found.value, norm_ctx.tense):
            last_quarter, last_quarter_sent = found.value, span.sent.start
        index.items.append(FoundTimex(timex, span.start, span.end, span.sent.start,
                                      verb.i if verb is not None else -1))
    return index


def timex_stage(doc: Doc, ctx: DocContext) -> None:
    """Fill ``ctx.timexes`` and leave the index for :func:`governing_date`."""
    index = find_timexes(doc, ctx)
    ctx.timexes.extend(item.timex for item in index.items)
    ctx.timex_index = index


# -- the API for the events stage -------------------------------------------------------


def date_ref(timex: Timex) -> DateRef | None:
    """A DATE/TIME timex as a calendar date with precision; None for durations and refs."""
    value = timex.value or ""
    if timex.type not in ("DATE", "TIME"):
        return None
    if m := re.match(r"(\d{4}-\d\d-\d\d)", value):
        return DateRef(m.group(1), "day", timex)
    if m := re.fullmatch(r"(\d{4})-W(\d\d)(?:-WE)?", value):
        from datetime import date

        thursday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 4)
        return DateRef(thursday.strftime("%Y-%m"), "month", timex)
    if re.fullmatch(r"\d{4}-\d\d", value):
        return DateRef(value, "month", timex)
    if m := re.fullmatch(r"(\d{4})(?:-(?:Q\d|H\d|SP|SU|FA|WI))?", value):
        return DateRef(m.group(1), "year", timex)
    # Underspecified values keep their known part: "1998-10-XX" is October 1998,
    # "1989-WXX" and "1988-QX" are 1989 and 1988; "199X" names no year.
    if m := re.fullmatch(r"(\d{4}-\d\d)-XX", value):
        return DateRef(m.group(1), "month", timex)
    if m := re.fullmatch(r"(\d{4})-(?:XX(?:-XX)?|WXX(?:-\d)?|QX|HX)", value):
        return DateRef(m.group(1), "year", timex)
    return None


def governing_date(span: Span, ctx: DocContext) -> DateRef | None:
    """The date governing the clause that contains ``span``, or None if its sentence has none.

    Prefers a timex hanging from the same verb as ``span``, then one whose verb
    dominates or is dominated by it, then the nearest one in the sentence. The
    caller falls back to the publication date on None.
    """
    index = ctx.timex_index
    if index is None:
        return None
    sent = span.sent
    refs = [
        (item, ref) for item in index.items
        if sent.start <= item.start < sent.end and (ref := date_ref(item.timex)) is not None
    ]
    if not refs:
        return None
    verb = span.root if span.root.pos_ in ("VERB", "AUX") else governor(span)
    verb_i = verb.i if verb is not None else -1

    def rank(pair: tuple[FoundTimex, DateRef]) -> tuple[int, int]:
        item = pair[0]
        if item.governor == verb_i and verb_i >= 0:
            tier = 0
        elif verb is not None and item.governor >= 0 and _related(span.doc[item.governor], verb):
            tier = 1
        else:
            tier = 2
        distance = min(abs(item.start - span.end), abs(span.start - item.end))
        return tier, distance

    return min(refs, key=rank)[1]


def _related(a: Token, b: Token) -> bool:
    return a.is_ancestor(b) or b.is_ancestor(a)
