"""Dates in a text dump: the page's banner date and the story's own date.

Every full date (day, month and year) on the page is a candidate. Where it sits
says what it is: above the headline it is the page's date bar (``page_date``);
next to the headline or byline, in a "Published/Updated" line, in a photo
caption or in the story text it is evidence of the story's own date. The
story's evidence wins over the banner. Candidates are scored by where they
sit, by whether a weekday written with them is right, by whether the story's
relative weekdays ("on Friday", "On Wednesday") fall just before or on them,
and by recency (a story is published after the dates it reports, mostly).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

logger = logging.getLogger(__name__)

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = r"(?:(?P<wd>mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS = (
    re.compile(rf"\b{_WD}{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b{_WD}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<num>\d\d)-(?P<day>\d\d)\b"),
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_RELATIVE_DAY = re.compile(r"\b(?:on|last|this|early|late|since|until|by)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_PUBLISHED = re.compile(r"\b(?:published|posted|first published|updated|last updated|date)\b", re.I)
_UPDATED = re.compile(r"\bupdated\b", re.I)

# Where a candidate sits, and the weight of that place as evidence of the story's date.
SOURCE_WEIGHT = {"published-line": 3.0, "byline-area": 2.5, "caption": 2.0, "body": 1.0}


@dataclass(frozen=True)
class DateMention:
    """One full date written on the page."""

    value: date
    text: str
    line: int
    weekday_ok: bool | None  # None: no weekday written with it


@dataclass(frozen=True)
class DumpDates:
    """The page's date, the story's date and why that date was chosen."""

    page_date: date | None = None
    published: date | None = None
    evidence: str | None = None


def find_mentions(text: str, line: int = -1) -> list[DateMention]:
    """Every full date written in ``text``."""
    out: list[DateMention] = []
    if not _YEAR.search(text):
        return out
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = int(groups["num"]) if "num" in groups else MONTHS[groups["mon"].lower()[:3]]
            try:
                value = date(int(m.group("year")), month, int(m.group("day")))
            except ValueError:
                continue
            wd = m.groupdict().get("wd")
            ok = None if not wd else WEEKDAYS[value.weekday()].startswith(wd.lower()[:3])
            out.append(DateMention(value, m.group(0), line, ok))
    return out


def relative_weekdays(texts: list[str]) -> list[int]:
    """Weekday numbers (Monday 0) the story refers to as "on Friday", "last Wednesday"..."""
    return [WEEKDAYS.index(m.group(1).lower()) for t in texts for m in _RELATIVE_DAY.finditer(t)]


def weekday_fit(value: date, weekdays: list[int]) -> float:
    """0..1: how well ``value`` fits as the day a story mentioning ``weekdays`` was written.

    News refers to the past week by weekday: a mention lagging the candidate by
    0 days fits best, by 6 days worst.
    """
    if not weekdays:
        return 0.0
    lags = [(value.weekday() - w) % 7 for w in weekdays]
    return sum(1.0 - lag / 6.0 for lag in lags) / len(lags)


def find_dates(
    lines: list[str], body: list[int], captions: list[str], title_index: int | None = None
) -> DumpDates:
    """The page's banner date and the story's own publication date, with evidence."""
    if not lines:
        return DumpDates()
    start = body[0] if body else 0
    head_end = title_index if title_index is not None else max(0, start - 3)
    page_date = _page_date(lines, head_end)
    candidates = _story_candidates(lines, body, captions, head_end, start)
    if not candidates:
        if page_date is None:
            return DumpDates()
        return DumpDates(page_date, page_date, "page date bar (no date inside the story)")
    weekdays = relative_weekdays([lines[i] for i in body] + captions)
    latest = max(m.value for _, m in candidates)
    scored = []
    for source, mention in candidates:
        score = SOURCE_WEIGHT[source] + weekday_fit(mention.value, weekdays)
        score += 0.5 if mention.weekday_ok else (-1.0 if mention.weekday_ok is False else 0.0)
        score += 0.5 if mention.value == latest else 0.0
        if source == "published-line" and _UPDATED.search(lines[mention.line] if mention.line >= 0 else ""):
            score -= 0.5
        scored.append((score, source, mention))
    score, source, best = max(scored, key=lambda s: s[0])
    evidence = f"{source.replace('-', ' ')}: '{best.text}'"
    if weekdays:
        names = sorted({WEEKDAYS[w].capitalize() for w in weekdays})
        evidence += f"; story's weekdays ({', '.join(names)}) fit {weekday_fit(best.value, weekdays):.2f}"
    if page_date and page_date != best.value:
        evidence += f"; page date bar {page_date.isoformat()} overruled"
    return DumpDates(page_date, best.value, evidence)


def _page_date(lines: list[str], head_end: int) -> date | None:
    """The first full date above the headline (a date bar or header)."""
    for i in range(head_end):
        mentions = find_mentions(lines[i], i)
        if mentions:
            return mentions[0].value
    return None


def _story_candidates(
    lines: list[str], body: list[int], captions: list[str], head_end: int, start: int
) -> list[tuple[str, DateMention]]:
    out: list[tuple[str, DateMention]] = []
    end = body[-1] if body else start
    body_set = set(body)
    # The story proper starts at its first paragraph-length line; shorter lines
    # before it (names, outlet, date) are the byline area.
    story = next((i for i in body if len(lines[i].split()) >= 8), start)
    for i in range(head_end, min(len(lines), end + 6)):
        line = lines[i]
        if _PUBLISHED.search(line) and len(line.split()) <= 12:
            source = "published-line"
        elif i < story:
            source = "byline-area"
        elif i in body_set:
            source = "body"
        else:
            continue
        out.extend((source, m) for m in find_mentions(line, i))
    for caption in captions:
        out.extend(("caption", m) for m in find_mentions(caption))
    return out
