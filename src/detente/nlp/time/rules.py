"""Time expression text -> TIMEX3 type and value, under news-tense rules.

Pure functions, no spaCy: ``normalize(text, NormContext)`` reads the words of
one expression ("last Thursday", "the third quarter", "two weeks ago") and
resolves it against the anchor (the publication date). The caller supplies
the tense of the governing verb: a weekday, bare month, season or day without
a year is the most recent past one (the anchor day or month included) unless
the tense is future, then the next one.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from .calendar import (
    easter_sunday,
    iso_week,
    nth_weekday,
    quarter_of,
    reference_day,
    resolve_anaphor,
    shift_month,
)
from .lexicon import TimeLexicon, lexicon
from .words import (
    Direction,
    Normalized,
    NormContext,
    Tense,
    Words,
    direction_of,
    explicit_year,
    number,
    words_of,
)

logger = logging.getLogger(__name__)

__all__ = ["NormContext", "Normalized", "Tense", "is_clock", "normalize", "resolve_month", "resolve_weekday"]

_AGE = re.compile(r"\d+\s*-?\s*(?:year|month|week|day)s?\s*-?\s*olds?\b|\byears?\s+old\b", re.I)
_CLOCK = re.compile(
    r"\b(\d{1,2})(?:[:.](\d\d))?\s*([ap])\.?\s?m\b\.?|\b(\d{1,2}):(\d\d)\b|\b(noon|midday|midnight)\b",
    re.I,
)


def normalize(text: str, ctx: NormContext) -> Normalized | None:
    """Type and value of one expression; None when the words are not a time expression."""
    if _AGE.search(text):
        return None
    w = words_of(text)
    if not w.tokens:
        return None
    lex = lexicon()
    for rule in _RULES:
        found = rule(w, ctx, lex)
        if found is not None:
            return found
    return None


# -- the rules, tried in order ----------------------------------------------------------


def _rule_refs(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    key = " ".join(w.tokens)
    for candidate in (key, key.removeprefix("the ")):
        if candidate in lex.refs:
            return Normalized("DATE", lex.refs[candidate])
    if w.tokens[-1] in ("future",) and w.has("near", "foreseeable", "distant"):
        return Normalized("DATE", "FUTURE_REF")
    return None


def _rule_set(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    if len(w.tokens) == 1 and w.tokens[0] in lex.set_adverbs:
        return Normalized("SET", lex.set_adverbs[w.tokens[0]])
    if w.tokens[0] in lex.set_quantifiers and len(w.tokens) >= 2:
        unit = lex.units.get(w.tokens[-1])
        if unit in ("D", "W", "M", "Y", "Q"):
            n = number(w.tokens[1:-1], lex) or 1
            return Normalized("SET", f"P{3 * n}M" if unit == "Q" else f"P{n}{unit}")
        if w.tokens[-1] in lex.weekdays:
            return Normalized("SET", f"XXXX-WXX-{lex.weekdays[w.tokens[-1]] + 1}")
    return None


def _day_of(w: Words, ctx: NormContext, lex: TimeLexicon) -> str | None:
    """The day a clock time falls on, from a weekday/today word in the expression."""
    for rule in (_rule_relative_day, _rule_weekday, _rule_month):
        found = rule(w, ctx, lex)
        if found is not None and found.value and len(found.value) == 10:
            return found.value
    return ctx.anchor.isoformat() if ctx.anchor else None


def _rule_clock(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    m = _CLOCK.search(w.raw)
    if m is None:
        return None
    if m.group(6):
        hour, minute = (0 if m.group(6) == "midnight" else 12), 0
    elif m.group(3):
        hour, minute = int(m.group(1)) % 12 + (12 if m.group(3) == "p" else 0), int(m.group(2) or 0)
    else:
        hour, minute = int(m.group(4)), int(m.group(5))
    if hour > 23 or minute > 59:
        return None
    day = _day_of(w, ctx, lex) or "XXXX-XX-XX"
    return Normalized("TIME", f"{day}T{hour:02d}:{minute:02d}")


def is_clock(text: str) -> bool:
    """Whether ``text`` holds a clock time ("9 a.m.", "10:35", "noon")."""
    return _CLOCK.search(text.lower()) is not None


def _rule_day_part(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    """A part of a day, a TIME: "this morning", "last night" (from the publication day) and
    "Wednesday evening" (a named day and a part the lexicon keeps suffixed)."""
    key = " ".join(w.tokens)
    if key in lex.deictic_day_parts:
        if ctx.anchor is None:
            return Normalized("TIME", None)
        offset, part = lex.deictic_day_parts[key]
        return Normalized("TIME", f"{(ctx.anchor + timedelta(days=offset)).isoformat()}T{part}")
    word = w.tokens[-1].removesuffix("'s")
    if len(w.tokens) < 2 or word not in lex.suffixed_day_parts or word not in lex.day_parts:
        return None
    day_words = Words(w.raw, w.tokens[:-1])
    for rule in (_rule_relative_day, _rule_weekday, _rule_month):
        found = rule(day_words, ctx, lex)
        if found is not None and found.value and re.fullmatch(r"\d{4}-\d\d-\d\d", found.value):
            return Normalized("TIME", f"{found.value}T{lex.day_parts[word]}")
    return None


def _resolve_month_day(month: int, day: int, ctx: NormContext, direction: Direction) -> str | None:
    anchor = ctx.anchor
    if anchor is None:
        return f"XXXX-{month:02d}-{day:02d}"
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None
    if direction == "past":  # the most recent, unless a date just ahead was meant (a schedule)
        options = [d for d in options if -400 < (d - anchor).days <= 45] or options
        pick = min(options, key=lambda d: abs((d - anchor).days))
    elif direction == "future":  # the next, unless a date just behind was meant
        options = [d for d in options if -21 <= (d - anchor).days < 400] or options
        pick = min(options, key=lambda d: abs((d - anchor).days))
    else:
        pick = min(options, key=lambda d: abs((d - anchor).days))
    return pick.isoformat()


def resolve_month(month: int, ctx: NormContext, direction: Direction) -> str:
    """A bare month: the most recent past one (the anchor's month included), the next one, or
    the nearest one (a month dating a thing: "under a June agreement")."""
    if ctx.anchor is None:
        return f"XXXX-{month:02d}"
    year = ctx.anchor.year
    if direction == "nearest":
        offset = (month - ctx.anchor.month) % 12  # months ahead to the next one
        # News dates things mostly behind it: the next one only when it is close ahead.
        year += (1 if month < ctx.anchor.month else 0) if offset <= 3 else (-1 if month > ctx.anchor.month else 0)
    elif direction == "future":
        year += 1 if month < ctx.anchor.month else 0
    else:
        year -= 1 if month > ctx.anchor.month else 0
    return f"{year}-{month:02d}"


def _day_number(w: Words, month_index: int) -> int | None:
    lex = lexicon()
    for i in (month_index + 1, month_index - 1, month_index - 2):
        if 0 <= i < len(w.tokens) and w.tokens[i] in lex.day_ordinals:
            return lex.day_ordinals[w.tokens[i]]
        if 0 <= i < len(w.tokens):
            m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", w.tokens[i])
            if m and 1 <= int(m.group(1)) <= 31:
                return int(m.group(1))
    return None


def _rule_day_around(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    """"the day before last Tuesday", "the day after Christmas": a day from the named day."""
    tokens = w.tokens[1:] if w.tokens[:1] == ("the",) else w.tokens
    if len(tokens) < 3 or tokens[0] != "day" or tokens[1] not in ("before", "after"):
        return None
    rest = tokens[2:]
    found = normalize(" ".join(rest), ctx)
    if found is None or not found.value or not re.fullmatch(r"\d{4}-\d\d-\d\d", found.value):
        return None
    shift = -1 if tokens[1] == "before" else 1
    return Normalized("DATE", (date.fromisoformat(found.value) + timedelta(days=shift)).isoformat())


def _rule_week_of(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    """"the week of March 6": the ISO week holding the day."""
    if "week" not in w.tokens or "of" not in w.tokens or w.tokens.index("week") > w.tokens.index("of"):
        return None
    rest = w.tokens[w.tokens.index("of") + 1 :]
    found = _rule_month(Words(" ".join(rest), rest), ctx, lex)
    if found is None or not found.value or not re.fullmatch(r"\d{4}-\d\d-\d\d", found.value):
        return None
    return Normalized("DATE", iso_week(date.fromisoformat(found.value)))


def _rule_month(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    index = next((i for i, t in enumerate(w.tokens) if t in lex.months), None)
    if index is None:
        return None
    month = lex.months[w.tokens[index]]
    day = _day_number(w, index)
    year = explicit_year(w, lex)
    if day is not None and year is not None:
        return Normalized("DATE", f"{year}-{month:02d}-{day:02d}")
    if year is not None:
        return Normalized("DATE", f"{year}-{month:02d}")
    weekday = next((lex.weekdays[t] for t in w.tokens if t in lex.weekdays), None)
    if day is not None and weekday is not None and ctx.anchor is not None:
        for year in (ctx.anchor.year, ctx.anchor.year - 1, ctx.anchor.year + 1):
            try:
                if date(year, month, day).weekday() == weekday:
                    return Normalized("DATE", f"{year}-{month:02d}-{day:02d}")
            except ValueError:
                break
    if day is not None:
        tense_dir: Direction = "future" if ctx.tense in ("future", "conditional") else (
            "past" if ctx.tense == "past" else "nearest")
        return Normalized("DATE", _resolve_month_day(month, day, ctx, tense_dir))
    if w.has("this") and ctx.anchor:
        return Normalized("DATE", f"{ctx.anchor.year}-{month:02d}")
    if w.has("last", "past") and ctx.anchor and month == ctx.anchor.month:
        return Normalized("DATE", f"{ctx.anchor.year - 1}-{month:02d}")
    return Normalized("DATE", resolve_month(month, ctx, direction_of(ctx, w)))


def resolve_weekday(weekday: int, anchor: date, direction: Direction, strict: bool) -> date:
    """The weekday up to and including the anchor (strict: before it), or the next one.

    A future weekday may be the anchor day itself ("will meet Friday" in Friday's
    paper means today): TimeBank's annotators read it so; "next Friday" is strict.
    """
    if direction == "future":
        ahead = (weekday - anchor.weekday()) % 7
        return anchor + timedelta(days=7 if strict and ahead == 0 else ahead)
    back = (anchor.weekday() - weekday) % 7
    if strict and back == 0:
        back = 7
    return anchor - timedelta(days=back)


def _rule_weekday(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    weekday = next((lex.weekdays[t] for t in w.tokens if t in lex.weekdays), None)
    if weekday is None:
        return None
    if ctx.anchor is None:
        return Normalized("DATE", f"XXXX-WXX-{weekday + 1}")
    direction = direction_of(ctx, w, weak_future=False)
    if w.has("this") and ctx.tense != "future":
        direction = "past"
    base = ctx.anchor
    if w.has("the") and w.has(*lex.anaphoric_shifts) and ctx.reference:
        base = reference_day(ctx.reference) or base  # "the previous Friday": before the story's day
        direction = "future" if w.has("following", "next", "subsequent") else "past"
    day = resolve_weekday(weekday, base, direction, strict=w.has("last", "past", "previous", "next")
                          or base != ctx.anchor)
    return Normalized("DATE", day.isoformat())


def _rule_relative_day(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    offsets = lex.day_offsets
    word = next((t for t in w.tokens if t in offsets), None)
    if word is None:
        return None
    if ctx.anchor is None:
        return Normalized("DATE", None)
    shift = offsets[word] + (1 if w.has("after") else 0) - (1 if w.has("before") else 0)
    return Normalized("DATE", (ctx.anchor + timedelta(days=shift)).isoformat())


def _rule_holiday(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    key = " ".join(t for t in w.tokens if t not in ("the", "last", "next", "this", "on", "at"))
    key = re.sub(r"\s*\d{4}$", "", key)
    fixed, nth = lex.holidays_fixed.get(key), lex.holidays_nth.get(key)
    easter = lex.holidays_easter.get(key)
    if fixed is None and nth is None and easter is None:
        return None
    year = explicit_year(w, lex)
    if ctx.anchor is None and year is None:
        return Normalized("DATE", None)

    def on(y: int) -> date:
        if fixed is not None:
            return date(y, fixed[0], fixed[1])
        if easter is not None:
            return easter_sunday(y) + timedelta(days=easter)
        assert nth is not None
        return nth_weekday(y, nth[0], nth[1], nth[2])

    if year is None:
        assert ctx.anchor is not None
        anchor = ctx.anchor
        if direction_of(ctx, w) == "future":
            year = anchor.year if on(anchor.year) >= anchor else anchor.year + 1
        else:
            year = anchor.year if on(anchor.year) <= anchor else anchor.year - 1
    return Normalized("DATE", on(year).isoformat())


def _ago(w: Words, ctx: NormContext, lex: TimeLexicon) -> tuple[int, str] | None:
    """(signed count, unit) for "two weeks ago", "a year earlier", "three days later"."""
    sign = 0
    if w.has("ago", "earlier", "before") or w.tokens[0] == "year" and w.has("earlier", "ago"):
        sign = -1
    elif w.has("later", "hence") or w.raw.endswith("from now"):
        sign = 1
    if sign == 0:
        return None
    unit_index = next((i for i, t in enumerate(w.tokens) if t in lex.units), None)
    if unit_index is None:
        return None
    if unit_index == 0 and sign < 0:  # "year-earlier", "year-ago"
        return -1, lex.units[w.tokens[0]]
    if w.tokens[0] in ("earlier", "later") and unit_index > 0:
        return None  # "earlier this year": not an offset
    before = w.tokens[:unit_index]
    count = 1 if before and before[-1] in ("a", "an") else number(before, lex)
    if count is None:
        vague = any(t in lex.numbers for t in before if t not in ("a", "an"))
        return (0 if vague else sign), lex.units[w.tokens[unit_index]]
    return sign * count, lex.units[w.tokens[unit_index]]


def _rule_ago(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    found = _ago(w, ctx, lex)
    if found is None:
        return None
    count, unit = found
    if count == 0:
        return Normalized("DATE", "PAST_REF" if w.has("ago", "earlier") else "FUTURE_REF")
    anchor = ctx.anchor
    if anchor is None:
        return Normalized("DATE", None)
    if unit in ("D", "W"):
        days = count * (7 if unit == "W" else 1)
        return Normalized("DATE", (anchor + timedelta(days=days)).isoformat())
    if unit == "M":
        y, m = shift_month(anchor.year, anchor.month, count)
        return Normalized("DATE", f"{y}-{m:02d}")
    if unit == "Y" and ctx.quarter_context and ctx.last_quarter:
        year, q = ctx.last_quarter.split("-")
        return Normalized("DATE", f"{int(year) + count}-{q}")
    if unit in ("Y", "DE", "CE"):
        years = count * {"Y": 1, "DE": 10, "CE": 100}[unit]
        return Normalized("DATE", str(anchor.year + years))
    if unit == "Q":
        y, m = shift_month(anchor.year, anchor.month, 3 * count)
        return Normalized("DATE", f"{y}-Q{(m - 1) // 3 + 1}")
    return None


def _reference_year(w: Words, ctx: NormContext, lex: TimeLexicon, base: int) -> int:
    """The year a quarter/half/season belongs to: written, or relative to ``base``."""
    year = explicit_year(w, lex)
    if year is not None:
        return year
    if w.has("last", "ago", "earlier", "previous") and (
        w.has("year's", "year", "ago", "earlier")
    ):
        return base - 1
    if w.has("next") and w.has("year's", "year"):
        return base + 1
    return base


def _rule_quarter(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    # "the latest period", "the year-ago period"; "the 1988 period" in an earnings story
    # is that year's quarter, like "the year-ago period".
    period = w.has("period") and (
        w.has("latest", "year") or bool(ctx.quarter_context and ctx.last_quarter and explicit_year(w, lex)))
    if not w.has("quarter", "half", "quarters") and not period:
        return None
    if w.has("quarters") and not w.has("two", "first") or w.has("century"):
        return None
    if any(re.fullmatch(r"\d{3}0s|'\d0s", t) or t in lex.decade_words for t in w.tokens):
        return None  # "the last half of the '80s": a part of a decade, valued as the decade
    quarter_at = next((i for i, t in enumerate(w.tokens) if t in ("quarter", "half")), 0)
    if number(tuple(t for t in w.tokens[:quarter_at] if t in lex.numbers and t not in ("a", "an")), lex):
        return None  # "four-quarter", "two quarters": a duration
    if w.tokens[0] in ("a", "an") or w.has("than"):
        return None  # "a quarter", "more than a quarter"
    anchor = ctx.anchor
    if anchor is None and explicit_year(w, lex) is None:
        return Normalized("DATE", None)
    ref_year, ref_q = anchor.year if anchor else 0, quarter_of(anchor) if anchor else 1
    if ctx.last_quarter:
        ref_year, ref_q = int(ctx.last_quarter[:4]), int(ctx.last_quarter[-1])
    elif anchor:
        ref_year, ref_q = (anchor.year, ref_q - 1) if ref_q > 1 else (anchor.year - 1, 4)
    base = anchor.year if anchor else ref_year
    if w.has("half") or w.has("quarters"):
        half = 2 if w.has("second", "last", "latter") and not w.has("two") else 1
        return Normalized("DATE", f"{_reference_year(w, ctx, lex, base)}-H{half}")
    ordinal = next((lex.ordinals[t] for t in w.tokens if t in lex.ordinals and t != "last"), None)
    if ordinal is not None:
        return Normalized("DATE", f"{_reference_year(w, ctx, lex, base)}-Q{ordinal}")
    if w.has("current", "this") and anchor:
        return Normalized("DATE", f"{anchor.year}-Q{quarter_of(anchor)}")
    if w.has("next", "coming") and anchor:
        y, m = shift_month(anchor.year, anchor.month, 3)
        return Normalized("DATE", f"{y}-Q{(m - 1) // 3 + 1}")
    year = _reference_year(w, ctx, lex, ref_year)
    return Normalized("DATE", f"{year}-Q{ref_q}")


def _rule_season(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    season = next((lex.seasons[t] for t in w.tokens if t in lex.seasons), None)
    if season is None:
        return None
    year = explicit_year(w, lex)
    if year is None:
        if ctx.anchor is None:
            return Normalized("DATE", f"XXXX-{season}")
        start, now = lex.season_start_month[season], ctx.anchor.month
        year = ctx.anchor.year
        direction = direction_of(ctx, w)
        if w.has("this"):
            pass
        elif direction == "future":
            year += 1 if start < now - 2 else 0
        elif start > now or w.has("last") and now - start < 3:
            year -= 1  # not begun yet this year, or "last summer" said in summer
    return Normalized("DATE", f"{year}-{season}")


def _rule_decade(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    for tok in w.tokens:
        m = re.fullmatch(r"(\d{3})0s|'(\d)0s", tok)
        if m:
            return Normalized("DATE", m.group(1) or f"19{m.group(2)}")
        if tok in lex.decade_words:
            return Normalized("DATE", f"19{lex.decade_words[tok]}")
    if w.has("century", "centuries"):
        m = re.search(r"(\d+)(?:st|nd|rd|th)", w.raw)
        if m:
            return Normalized("DATE", f"{int(m.group(1)) - 1:02d}")
        if w.has("this", "current") and ctx.anchor:
            return Normalized("DATE", f"{ctx.anchor.year // 100:02d}")
        return None
    if w.has("decade") and ctx.anchor and not w.has("decades"):
        decade = ctx.anchor.year // 10
        if w.has("last", "past", "previous") and not w.has("the"):
            return Normalized("DATE", str(decade - 1))
        if w.has("this", "current"):
            return Normalized("DATE", str(decade))
    return None


def _rule_relative_unit(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    """this/last/next week, month, year; "earlier this month"; "the weekend"."""
    units = [lex.units[t] for t in w.tokens if t in lex.units]
    if len(units) != 1 or number(tuple(t for t in w.tokens if t not in ("a", "an")), lex):
        return None
    unit = units[0]
    if any(lex.numbers.get(t, 0) is None for t in w.tokens):
        return None  # "the next few years": a vague duration
    if _is_anaphoric(w, lex):
        return _from_reference(w, unit, ctx)
    if any(t in lex.units and t.endswith("s") for t in w.tokens):  # "past years": no one period
        if w.has(*lex.relative_last, "recent"):
            return Normalized("DATE", "PAST_REF")
        if w.has(*lex.relative_next):
            return Normalized("DATE", "FUTURE_REF")
    if unit == "W" and w.tokens in (("the", "week"), ("the", "week's")) and ctx.anchor:
        return Normalized("DATE", f"{ctx.anchor.year}-WXX")  # "for the week": which one, unsaid
    if w.has(*lex.relative_last) and w.has("the") and not w.has("weekend"):
        return Normalized("DURATION", f"P1{unit}" if unit != "WE" else "P1W")
    if w.has("fiscal") and w.has("year") and ctx.anchor:
        return Normalized("DATE", str(ctx.anchor.year))
    shift = 1 if w.has(*lex.relative_next) else -1 if w.has(*lex.relative_last) else 0
    if shift == 0 and not w.has(*lex.relative_this, "earlier", "later", "end", "weekend"):
        return None  # "the year" is vague
    anchor = ctx.anchor
    if anchor is None:
        return Normalized("DATE", None)
    if unit == "WE":
        return _weekend(anchor, shift, ctx)
    if unit == "W":
        return Normalized("DATE", iso_week(anchor + timedelta(days=7 * shift)))
    if unit == "M":
        y, m = shift_month(anchor.year, anchor.month, shift)
        return Normalized("DATE", f"{y}-{m:02d}")
    if unit == "Y":
        return Normalized("DATE", str(anchor.year + shift))
    if unit == "D" and shift == 0:
        return Normalized("DATE", anchor.isoformat())
    return None


def _is_anaphoric(w: Words, lex: TimeLexicon) -> bool:
    """"that day", "the same week", "the following year": relative to the story's time, not now."""
    return w.has("that", "same") or w.has("the") and w.has(*lex.anaphoric_shifts)


def _from_reference(w: Words, unit: str, ctx: NormContext) -> Normalized:
    """An anaphoric unit resolved against the latest date the text gave (TimeML's reference time)."""
    delta = 1 if w.has("following", "subsequent", "next") else -1 if w.has("preceding", "previous") else 0
    if ctx.reference is None:
        return Normalized("DATE", None)
    return Normalized("DATE", resolve_anaphor(ctx.reference, unit, delta))


def _weekend(anchor: date, shift: int, ctx: NormContext) -> Normalized:
    """"the weekend": the one under way or just past; ahead when next or future."""
    saturday = anchor - timedelta(days=(anchor.weekday() - 5) % 7)  # most recent Saturday
    in_weekend = anchor.weekday() >= 5
    if shift > 0 or shift == 0 and ctx.tense == "future" and not in_weekend:
        saturday += timedelta(days=7)
    elif shift < 0 and in_weekend:
        saturday -= timedelta(days=7)
    return Normalized("DATE", f"{iso_week(saturday)}-WE")


def _rule_year(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    year = explicit_year(w, lex)
    return None if year is None else Normalized("DATE", str(year))


def _unit_value(count: int | None, unit: str) -> str:
    n = "X" if count is None else str(count)
    if unit.startswith("T"):
        return f"PT{n}{unit[1:]}"
    if unit == "Q":
        return f"P{3 * count}M" if count is not None else "PXQ"
    if unit == "WE":
        return f"P{n}WE"
    if unit == "2W":
        return f"P{2 * count if count else 'X'}W"
    return f"P{n}{unit}"


def _rule_duration(w: Words, ctx: NormContext, lex: TimeLexicon) -> Normalized | None:
    index = next((i for i, t in enumerate(w.tokens) if t in lex.units), None)
    if index is None:
        return None
    unit = lex.units[w.tokens[index]]
    before = w.tokens[:index]
    count = number(before, lex)
    if count is None and not w.tokens[index].endswith("s"):
        vague = any(t in lex.numbers and lex.numbers[t] is None for t in before)
        if not vague:
            return None
    return Normalized("DURATION", _unit_value(count, unit))


_RULES = (
    _rule_refs, _rule_set, _rule_clock, _rule_day_part, _rule_holiday, _rule_day_around, _rule_week_of, _rule_month, _rule_weekday,
    _rule_relative_day, _rule_quarter, _rule_season, _rule_decade, _rule_ago, _rule_relative_unit,
    _rule_year, _rule_duration,
)
