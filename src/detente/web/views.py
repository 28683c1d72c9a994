"""What each page shows, as plain data: the same dicts feed the HTML and the JSON API.

Views call the store's page queries (``detente.store.pages``) and the analysis
adapters (``detente.web.insight``), nothing else; they never touch SQL themselves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..errors import DetenteError
from ..model import PLOVER_TYPES
from ..store import pages
from ..store.pages import EventFilter, Record, Slice
from . import insight
from .stores import Store

logger = logging.getLogger(__name__)

PERIODS = ("day", "week", "month")
_CODE = re.compile(r"^[A-Z0-9]{2,8}$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
PER_PAGE = 20


class NotFound(DetenteError):
    """A page asked for something the store does not hold."""


# -- checking what the URL says ----------------------------------------------------

def check_code(value: str, name: str = "actor") -> str:
    """An actor code as stored (upper case), or a clear error."""
    code = value.strip().upper()
    if code != "*" and not _CODE.match(code):
        raise DetenteError(f"{name} code {value!r} is not an actor code: write one like RUS, USA or NATO")
    return code


def check_day(value: str, name: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DetenteError(f"{name} {value!r} is not a date: write YYYY-MM-DD") from exc


def check_week(value: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www``."""
    match = _WEEK.match(value.strip())
    try:
        if match:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise DetenteError(f"week {value!r} does not exist ({exc})") from exc
    raise DetenteError(f"week {value!r} is not an ISO week: write it like 2022-W04")


def period_start(day: date, by: str) -> date:
    """The first day of the ``by`` period holding ``day``."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def period_label(start: date, by: str) -> str:
    """``2022-01-28``, ``2022-W04`` or ``2022-01``."""
    if by == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m") if by == "month" else start.isoformat()


def period_end(start: date, by: str) -> date:
    if by == "week":
        return start + timedelta(days=6)
    if by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start


def week_label(day: date) -> str:
    return period_label(period_start(day, "week"), "week")


# -- the home page -------------------------------------------------------------------

def home(store: Store) -> Record:
    """This week's alerts, movers, busiest dyads and the latest stories."""
    conn = store.conn()
    latest = pages.latest_date(conn)
    today = date.fromisoformat(latest[:10]) if latest else None
    week = _week_range(today) if today else None
    return {
        "latest": latest,
        "week": week,
        "alerts": insight.alerts(store, week["since"], week["until"]) if week else [],
        "movers": insight.movers(store, week["label"]) if week else [],
        "busiest": insight.busiest(store, week["since"], week["until"]) if week else [],
        "stories": pages.latest_articles(conn, PER_PAGE),
    }


def _week_range(day: date) -> Record:
    monday = period_start(day, "week")
    return {"label": period_label(monday, "week"), "since": monday.isoformat(),
            "until": (monday + timedelta(days=6)).isoformat()}


# -- search -------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchParams:
    """What ``/search`` was asked: the text and the filters, and which page."""

    q: str = ""
    actor: str = ""
    recipient: str = ""
    type: str = ""
    quad: int | None = None
    since: str = ""
    until: str = ""
    factual: bool = False
    page: int = 1

    def checked(self) -> EventFilter:
        if self.type and self.type.upper() not in PLOVER_TYPES:
            raise DetenteError(f"unknown event type {self.type!r}: use one of {', '.join(PLOVER_TYPES)}")
        if self.quad is not None and self.quad not in (1, 2, 3, 4):
            raise DetenteError(f"quad must be 1, 2, 3 or 4, not {self.quad}")
        for name in ("since", "until"):
            if getattr(self, name):
                check_day(getattr(self, name), name)
        if self.page < 1 or self.page > 10_000:
            raise DetenteError(f"page {self.page} is out of range: pages count from 1")
        return EventFilter(
            actor=check_code(self.actor) if self.actor else None,
            recipient=check_code(self.recipient, "recipient") if self.recipient else None,
            type=self.type.upper() or None, quad=self.quad, since=self.since or None,
            until=self.until or None, factual=self.factual,
        )


def search(store: Store, params: SearchParams) -> Record:
    """One page of stories, quotes and events matching the text and filters."""
    f = params.checked()
    if len(params.q) > 500:
        raise DetenteError("the search text is too long: use at most 500 characters")
    part = Slice(offset=(params.page - 1) * PER_PAGE, limit=PER_PAGE)
    conn = store.conn()
    stories = pages.search_articles(conn, params.q, f, part)
    quotes = pages.search_quotes(conn, params.q, f, part)
    if params.q.strip():  # the events of the stories found (this page of them)
        events = pages.events_in(conn, [s["id"] for s in stories.items], f)
        more = stories.more or quotes.more
    else:
        found = pages.search_events(conn, f, part)
        events, more = found.items, stories.more or quotes.more or found.more
    return {
        "query": params.__dict__, "page": params.page,
        "stories": stories.items, "quotes": quotes.items, "events": events, "more": more,
    }


# -- one story ------------------------------------------------------------------------

def article(store: Store, article_id: int) -> Record:
    """A story with its annotations, the events it reports (with ids) and its copies."""
    conn = store.conn()
    found = pages.article(conn, article_id)
    if found is None:
        raise NotFound(f"there is no story {article_id} in this store: find one through /search")
    found["events"] = pages.article_events(conn, article_id)
    found["copies"] = pages.copies(conn, found["cluster_id"], article_id)
    return found


# -- one actor --------------------------------------------------------------------------

def actor(store: Store, code: str) -> Record:
    """Who an actor acts on and who acts on it, over time; its quotes and office-holders."""
    code = check_code(code)
    conn = store.conn()
    out = {
        "code": code,
        "names": pages.actor_names(conn, code),
        "targets": pages.partners(conn, code, outgoing=True),
        "sources": pages.partners(conn, code, outgoing=False),
        "months": pages.actor_months(conn, code),
        "quotes": pages.actor_quotes(conn, code),
        "office_holders": insight.office_holders(code),
    }
    if not (out["names"] or out["targets"] or out["sources"] or out["quotes"]):
        raise NotFound(f"actor {code} has no events or quotes in this store: find actors through /search")
    return out


# -- one dyad ---------------------------------------------------------------------------

def dyad(store: Store, actor_code: str, recipient_code: str, by: str = "week",
         period: str | None = None, factual: bool = True) -> Record:
    """A dyad's series per period, its alerts, and the evidence of one period."""
    if by not in PERIODS:
        raise DetenteError(f"unknown period {by!r}: use one of {', '.join(PERIODS)}")
    a, r = check_code(actor_code), check_code(recipient_code, "recipient")
    f = EventFilter(actor=None if a == "*" else a, recipient=None if r == "*" else r, factual=factual)
    rows = pages.dyad_days(store.conn(), f)
    series = _periods(rows, by)
    scores = insight.dyad_scores(store, a, r, by, factual)
    for entry in series:
        entry.update(scores.get(entry["period"]) or {"index": None, "z": None, "alert": None})
    chosen = _chosen_period(period, by, series)
    evidence: list[Record] = []
    if chosen is not None:
        window = EventFilter(f.actor, f.recipient, since=chosen["since"], until=chosen["until"],
                             factual=factual)
        evidence = pages.evidence(store.conn(), window)
    return {"actor": a, "recipient": r, "by": by, "factual": factual, "series": series,
            "period": chosen, "evidence": evidence}


def _empty_period(start: date, by: str) -> Record:
    return {"period": period_label(start, by), "start": start.isoformat(), "events": 0,
            "stories": set(), "quad": [0, 0, 0, 0], "intensity": 0.0}


def _periods(rows: list[Record], by: str) -> list[Record]:
    """Day-and-story rows -> one entry a period, empty periods included (zeros).

    A story (cluster) counts once a period however many of its events fall in it.
    """
    out: dict[date, Record] = {}
    for row in rows:
        try:
            start = period_start(date.fromisoformat(row["day"]), by)
        except ValueError:
            continue  # a month- or year-precision date: no day to place it on
        entry = out.setdefault(start, _empty_period(start, by))
        entry["events"] += row["events"]
        entry["stories"].add(row["cluster_id"])
        for i in range(4):
            entry["quad"][i] += row[f"q{i + 1}"] or 0
        entry["intensity"] += row["intensity"] or 0.0
    if out:
        current, last = min(out), max(out)
        while current < last:
            current = period_start(period_end(current, by) + timedelta(days=1), by)
            out.setdefault(current, _empty_period(current, by))
    series = [out[k] for k in sorted(out)]
    for entry in series:
        entry["stories"] = len(entry["stories"])
        entry["cooperation"] = entry["quad"][0] + entry["quad"][1]
        entry["conflict"] = entry["quad"][2] + entry["quad"][3]
        entry["intensity"] = round(entry["intensity"], 2)
    return series


def _chosen_period(label: str | None, by: str, series: list[Record]) -> Record | None:
    if not label:
        return None
    for entry in series:
        if entry["period"] == label:
            start = date.fromisoformat(entry["start"])
            return {"label": label, "since": entry["start"],
                    "until": period_end(start, by).isoformat()}
    raise NotFound(f"the period {label!r} has no events for this dyad: pick a column of the chart")


# -- one day and one week -------------------------------------------------------------

def day(store: Store, value: str) -> Record:
    """The stories published on a day, with their events and quotes, and the days around."""
    return insight.day(store, check_day(value).isoformat())


def digest(store: Store, week: str) -> Record:
    """The weekly digest: alerts with evidence, busiest dyads, movers, notable quotes."""
    return insight.digest(store, period_label(check_week(week), "week"))


def warm_up(store: Store) -> list[Callable[[], Any]]:
    """The pages worth computing as the app starts: the home page and the latest digest."""
    latest = pages.latest_date(store.conn())
    tasks: list[Callable[[], Any]] = [lambda: home(store)]
    if latest:
        tasks.append(lambda: digest(store, week_label(date.fromisoformat(latest[:10]))))
    return tasks


def jsonable(record: Any) -> Any:
    """Sets and dates inside a view's data -> JSON values."""
    if isinstance(record, dict):
        return {str(k): jsonable(v) for k, v in record.items()}
    if isinstance(record, (list, tuple, set)):
        return [jsonable(v) for v in record]
    if isinstance(record, date):
        return record.isoformat()
    return record
