"""The weekly digest: what happened in one ISO week, with the evidence to check it.

``digest(db, "2022-W04")`` gathers, as plain records (:class:`Digest`):

- **alerts**: the week's escalation and de-escalation alerts (``detente.analysis.alerts``),
  strongest score first, each with its evidence sentences;
- **busiest dyads**: coded actor -> recipient pairs by independent stories (story
  clusters, so fifty copies of one wire story count once), then events, each with its
  best-attested events and their sentences;
- **movers**: the dyads whose escalation index changed most against the week before;
- **notable quotes** by office-holders (how they are chosen: :data:`QUOTE_RULE`);
- **new actors**: coded actors named in the week's stories and in no earlier story;
- **counts** and a **chart** of the week's events per day by quad class.

Events belong to the week they happened in (their date), stories to the week they were
truly published in. Only factual events count (not negated, hypothetical, future or
denied). Rendering is :mod:`detente.analysis.render` (Markdown, email-safe HTML, JSON).
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from ..data import read_table
from ..errors import DetenteError
from ..store import Database, archive
from .alerts import alerts, alerts_and_movers, movers

logger = logging.getLogger(__name__)

_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")
# Quotation marks around a direct quote (the templates add their own).
_OPENING, _CLOSING = "\"“‘«„'", "\"”’»'"

# Sectors whose named people hold public office (PLOVER: government, military, police,
# legislature, judiciary).
OFFICE_SECTORS = frozenset({"GOV", "MIL", "COP", "LEG", "JUD"})
# Direct words first: they are what an analyst quotes on.
KIND_RANK = {"direct": 0, "mixed": 1, "partial": 2, "indirect": 3}
QUOTES_PER_SPEAKER = 2
MIN_QUOTE_WORDS = 5
QUOTE_RULE = (
    "Quotes from the week's stories whose speaker is a named person holding office: one the "
    "codebook lists as in office on the story's date (people.tsv), or one coded to a "
    "government, military, police, legislative or judicial sector (GOV, MIL, COP, LEG, JUD). "
    f"At least {MIN_QUOTE_WORDS} words; direct quotes before partial and indirect ones; at "
    f"most {QUOTES_PER_SPEAKER} a speaker, speakers taken in turn; copies of a story count once."
)


@dataclass(frozen=True)
class Week:
    label: str  # 2022-W04
    start: date  # its Monday
    end: date  # its Sunday

    @property
    def previous(self) -> str:
        return week_of(self.start - timedelta(days=7)).label

    @property
    def following(self) -> str:
        return week_of(self.start + timedelta(days=7)).label


@dataclass(frozen=True)
class Evidence:
    """One event and the sentence reporting it, as in an alert's evidence."""

    article_id: int
    title: str | None
    url: str | None
    date: str | None
    type: str
    sentence: str
    actor_name: str | None = None  # who acted, as resolved ("Emmanuel Macron")
    recipient_name: str | None = None


@dataclass(frozen=True)
class Dyad:
    actor: str
    recipient: str
    events: int
    stories: int
    outlets: int
    cooperation: int
    conflict: int
    evidence: list[Evidence]


@dataclass(frozen=True)
class NotableQuote:
    speaker: str
    office: str | None  # "foreign minister (RUS)" where the codebook knows it
    code: str
    sector: str | None
    kind: str
    text: str
    article_id: int
    title: str | None
    url: str | None
    published: str


@dataclass(frozen=True)
class NewActor:
    code: str
    name: str
    sector: str | None
    first_seen: str
    stories: int
    mentions: int


@dataclass(frozen=True)
class DayCount:
    day: str
    quads: list[int]  # events of quad 1, 2, 3, 4


@dataclass(frozen=True)
class Digest:
    week: str
    start: str
    end: str
    previous: str
    following: str
    counts: dict[str, int]
    alerts: list[dict[str, Any]]  # Alert.to_dict(), strongest first
    movers: list[dict[str, Any]]  # Mover.to_dict()
    dyads: list[Dyad]
    quotes: list[NotableQuote]
    new_actors: list[NewActor]
    daily: list[DayCount]
    quote_rule: str = QUOTE_RULE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- weeks -------------------------------------------------------------------------------

def parse_week(text: str) -> Week:
    """``YYYY-Www`` (``2022-W04``) -> its :class:`Week`; a clear error otherwise."""
    match = _WEEK.match(text.strip())
    if not match:
        raise DetenteError(f"{text!r} is not an ISO week: write it as YYYY-Www, e.g. 2022-W04")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise DetenteError(f"{text!r}: {year} has no ISO week {number:02d}") from None
    return Week(f"{year}-W{number:02d}", monday, monday + timedelta(days=6))


def week_of(day: date) -> Week:
    """The ISO week holding ``day``."""
    year, number, _ = day.isocalendar()
    monday = day - timedelta(days=day.weekday())
    return Week(f"{year}-W{number:02d}", monday, monday + timedelta(days=6))


def busiest_week(db: Database) -> str | None:
    """The ISO week with the most factual events dated to a day (the latest on a tie)."""
    per_week: Counter[str] = Counter()
    for row in archive.event_days(db):
        try:
            per_week[week_of(date.fromisoformat(row["day"])).label] += int(row["events"])
        except ValueError:
            logger.debug("skipping the malformed event date %r", row["day"])
    if not per_week:
        return None
    return max(per_week, key=lambda label: (per_week[label], label))


# -- the digest --------------------------------------------------------------------------

def digest(db: Database, week: str, *, limit: int = 10) -> Digest:
    """The digest of ``week`` (``YYYY-Www``); ``limit`` caps each list."""
    when = parse_week(week)
    since, until = when.start.isoformat(), when.end.isoformat()
    alerted, moved = week_alerts_and_movers(db, when, limit=limit)
    found = Digest(
        week=when.label, start=since, end=until, previous=when.previous, following=when.following,
        counts=archive.week_counts(db, since, until),
        alerts=alerted[: min(limit, 5)], movers=moved,
        dyads=busiest_dyads(db, since, until, limit=limit),
        quotes=notable_quotes(db, since, until, limit=limit),
        new_actors=[NewActor(**row) for row in archive.new_actors(db, since, until, limit=15)],
        daily=daily_counts(db, when),
    )
    logger.info("digest %s: %d alerts, %d dyads, %d quotes", when.label, len(found.alerts),
                len(found.dyads), len(found.quotes))
    return found


def busiest_dyads(db: Database, since: str, until: str, *, limit: int = 10) -> list[Dyad]:
    """The window's busiest coded dyads, each with up to three events as evidence."""
    out = []
    for row in archive.busiest_dyads(db, since, until, limit=limit):
        rows = archive.dyad_evidence(db, row["actor"], row["recipient"], since, until)
        evidence = [Evidence(article_id=int(e["article_id"]), title=e["title"], url=e["url"],
                             date=e["date"], type=e["type"], sentence=e["sentence"],
                             actor_name=e["actor_name"], recipient_name=e["recipient_name"])
                    for e in rows]
        out.append(Dyad(**row, evidence=evidence))
    return out


def daily_counts(db: Database, week: Week) -> list[DayCount]:
    """Each day of the week with its factual events per quad class (zeros included)."""
    days = [(week.start + timedelta(days=i)).isoformat() for i in range(7)]
    quads = {day: [0, 0, 0, 0] for day in days}
    for row in archive.daily_quads(db, days[0], days[-1]):
        if row["day"] in quads and 1 <= int(row["quad"]) <= 4:
            quads[row["day"]][int(row["quad"]) - 1] = int(row["events"])
    return [DayCount(day, quads[day]) for day in days]


# -- alerts and movers: the analysis core ------------------------------------------------

def top_alerts(db: Database, week: Week, *, limit: int = 5) -> list[dict[str, Any]]:
    """The week's alerts, strongest score first, as their JSON dicts (with evidence).

    Each dyad is scored against its own past (the history before the week is read too).
    """
    found = alerts(db, since=week.start.isoformat(), until=week.end.isoformat(), by="week")
    return [a.to_dict() for a in found if a.period == week.label][:limit]


def week_alerts_and_movers(
    db: Database, week: Week, *, limit: int = 10
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The week's alerts (strongest first, with evidence) and movers, as JSON dicts, from
    one scoring of the panel."""
    found, moved = alerts_and_movers(db, week.label, by="week", limit=limit)
    return [a.to_dict() for a in found], [m.to_dict() for m in moved]


def top_movers(db: Database, week: Week, *, limit: int = 10) -> list[dict[str, Any]]:
    """The dyads whose index moved most into ``week``, as their JSON dicts."""
    return [m.to_dict() for m in movers(db, week.label, by="week", limit=limit)]


# -- notable quotes ----------------------------------------------------------------------

def notable_quotes(db: Database, since: str, until: str, *, limit: int = 10) -> list[NotableQuote]:
    """The window's quotes by office-holders, chosen as :data:`QUOTE_RULE` says."""
    candidates: list[NotableQuote] = []
    seen: set[tuple[Any, str, str]] = set()
    for row in archive.week_quotes(db, since, until):
        text = bare_quote(str(row["text"]))
        key = (row["cluster_id"] or ("article", row["article_id"]), row["speaker_name"], text)
        if key in seen or len(text.split()) < MIN_QUOTE_WORDS:
            continue
        seen.add(key)
        office = office_of(row["speaker_name"], row["published"])
        if office is None and not (row["is_person"] and row["speaker_sector"] in OFFICE_SECTORS):
            continue
        candidates.append(NotableQuote(
            speaker=row["speaker_name"], office=office, code=row["speaker_code"],
            sector=row["speaker_sector"], kind=row["kind"], text=text,
            article_id=int(row["article_id"]), title=row["title"], url=row["url"],
            published=row["published"]))
    return _in_turns(candidates, limit)


def bare_quote(text: str) -> str:
    """A quote's words on one line, without the quotation marks around it (and the comma
    it hands over to its cue: "We don't need this panic," he said)."""
    text = " ".join(text.split())
    if len(text) > 1 and text[0] in _OPENING and text[-1] in _CLOSING:
        text = text[1:-1].rstrip(" ,")
    return text


def _in_turns(quotes: list[NotableQuote], limit: int) -> list[NotableQuote]:
    """Each speaker's best quote, then each one's second best, up to ``limit``."""
    by_speaker: dict[str, list[NotableQuote]] = {}
    for quote in sorted(quotes, key=lambda q: (KIND_RANK.get(q.kind, 9), -len(q.text))):
        by_speaker.setdefault(quote.speaker, []).append(quote)
    chosen: list[NotableQuote] = []
    for turn in range(QUOTES_PER_SPEAKER):
        firsts = [qs[turn] for qs in by_speaker.values() if len(qs) > turn]
        chosen += sorted(firsts, key=lambda q: (KIND_RANK.get(q.kind, 9), -len(q.text)))
    return chosen[:limit]


@functools.cache
def _offices() -> dict[str, list[dict[str, str]]]:
    """people.tsv by lower-cased name and alias: a name's terms of office."""
    table: dict[str, list[dict[str, str]]] = {}
    for row in read_table("codebook/people.tsv"):
        names = [row["name"], *filter(None, (row.get("aliases") or "").split(";"))]
        for name in names:
            table.setdefault(name.strip().lower(), []).append(row)
    return table


def office_of(name: str | None, when: str | None) -> str | None:
    """The office ``name`` held on ``when`` per the codebook, as "foreign minister (RUS)"."""
    if not name:
        return None
    for term in _offices().get(name.strip().lower(), []):
        start, end = term.get("start") or "", term.get("end") or ""
        if when and ((start and when < start) or (end and when > end)):
            continue
        return f"{term['office'].replace('_', ' ')} ({term['country']})"
    return None
