"""The daily archive: every story truly published on a day, with its events and quotes.

The seed page's "Back issues": ``day(db, "2022-01-28")`` gives a :class:`DayArchive` of
the stories (story clusters: an article and its near-duplicate copies) published that
day by their *true* publication date, not the banner date a page shows (which is kept,
as ``banner_date``, when the pipeline overruled it). Each story lists its articles, the
events they report (once per event, however many copies report it) and their quotes.
``previous``/``following`` name the nearest days that have stories, for navigation.

Records only; rendering is the caller's (``format_day`` for the terminal, the web app's
templates for ``/day/{YYYY-MM-DD}``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ..errors import DetenteError
from ..store import Database, archive

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayArticle:
    article_id: int
    title: str | None
    url: str | None
    publisher: str | None
    banner_date: str | None  # the page's own date where the true one overruled it


@dataclass(frozen=True)
class DayEvent:
    event_id: int
    type: str
    quad: int
    date: str | None
    actor: str | None  # code
    actor_name: str | None
    actor_text: str | None  # the mention as written
    recipient: str | None
    recipient_name: str | None
    recipient_text: str | None
    modality: str
    negated: bool
    sentence: str
    article_ids: list[int] = field(default_factory=list)  # the story's articles reporting it


@dataclass(frozen=True)
class DayQuote:
    article_id: int
    text: str
    kind: str
    speaker: str | None  # who it resolves to, else the mention
    speaker_code: str | None
    speaker_sector: str | None
    via: str | None


@dataclass(frozen=True)
class Story:
    cluster_id: int | None
    title: str | None  # the first article's
    articles: list[DayArticle]
    events: list[DayEvent]
    quotes: list[DayQuote]


@dataclass(frozen=True)
class DayArchive:
    date: str
    stories: list[Story]
    previous: str | None  # the nearest earlier day with stories
    following: str | None  # the nearest later day with stories

    @property
    def counts(self) -> dict[str, int]:
        return {
            "stories": len(self.stories),
            "articles": sum(len(s.articles) for s in self.stories),
            "events": sum(len(s.events) for s in self.stories),
            "quotes": sum(len(s.quotes) for s in self.stories),
        }

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["counts"] = self.counts
        return out


def parse_day(text: str) -> str:
    """``YYYY-MM-DD`` -> the same ISO date, checked; a clear error otherwise."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise DetenteError(
            f"{text!r} is not a day: write it as YYYY-MM-DD, e.g. 2022-01-28"
        ) from None


def day(db: Database, when: str | date) -> DayArchive:
    """The daily archive of ``when`` (a ``date`` or ``YYYY-MM-DD``)."""
    iso = when.isoformat() if isinstance(when, date) else parse_day(when)
    articles = archive.day_articles(db, iso)
    events = archive.day_events(db, iso)
    quotes = archive.day_quotes(db, iso)
    previous, following = archive.neighbour_days(db, iso)
    stories = [_story(group, events, quotes) for group in _by_cluster(articles)]
    logger.info("day %s: %d stories", iso, len(stories))
    return DayArchive(date=iso, stories=stories, previous=previous, following=following)


def _by_cluster(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Articles grouped by story, stories in the order of their first article."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        key = row["cluster_id"] if row["cluster_id"] is not None else ("article", row["article_id"])
        groups.setdefault(key, []).append(row)
    return sorted(groups.values(), key=lambda g: int(g[0]["article_id"]))


def _story(
    articles: list[dict[str, Any]], events: list[dict[str, Any]], quotes: list[dict[str, Any]]
) -> Story:
    ids = [int(a["article_id"]) for a in articles]
    members = set(ids)
    return Story(
        cluster_id=articles[0]["cluster_id"],
        title=articles[0]["title"],
        articles=[_article(a) for a in articles],
        events=_events([e for e in events if e["article_id"] in members]),
        quotes=_quotes([q for q in quotes if q["article_id"] in members]),
    )


def _article(row: dict[str, Any]) -> DayArticle:
    page_date = row["page_date"]
    overruled = page_date if page_date and page_date != row["published"] else None
    return DayArticle(article_id=int(row["article_id"]), title=row["title"], url=row["url"],
                      publisher=row["publisher"], banner_date=overruled)


def _events(rows: list[dict[str, Any]]) -> list[DayEvent]:
    """One record per event (copies of a story report the same events), first mention kept."""
    merged: dict[int, DayEvent] = {}
    for row in rows:
        event_id = int(row["event_id"])
        if event_id in merged:
            if row["article_id"] not in merged[event_id].article_ids:
                merged[event_id].article_ids.append(int(row["article_id"]))
            continue
        merged[event_id] = DayEvent(
            event_id=event_id, type=row["type"], quad=int(row["quad"]), date=row["date"],
            actor=row["actor_code"], actor_name=row["actor_name"], actor_text=row["actor_text"],
            recipient=row["recipient_code"], recipient_name=row["recipient_name"],
            recipient_text=row["recipient_text"], modality=row["modality"],
            negated=bool(row["negated"]), sentence=row["sentence"],
            article_ids=[int(row["article_id"])],
        )
    return list(merged.values())


def _quotes(rows: list[dict[str, Any]]) -> list[DayQuote]:
    """Quotes of the story, a quote repeated by a copy kept once."""
    seen: set[tuple[str | None, str]] = set()
    out = []
    for row in rows:
        speaker = row["speaker_name"] or row["speaker_text"]
        key = (speaker, " ".join(str(row["text"]).split()))
        if key in seen:
            continue
        seen.add(key)
        out.append(DayQuote(article_id=int(row["article_id"]), text=row["text"], kind=row["kind"],
                            speaker=speaker, speaker_code=row["speaker_code"],
                            speaker_sector=row["speaker_sector"], via=row["via"]))
    return out


# -- the terminal -----------------------------------------------------------------------

def format_day(archive_: DayArchive, width: int = 100) -> str:
    """The archive as plain text for the terminal (``detente day --format table``)."""
    counts = archive_.counts
    lines = [f"{archive_.date}: " + ", ".join(_counted(counts[name], name) for name in counts),
             f"previous: {archive_.previous or '-'}   next: {archive_.following or '-'}"]
    if not archive_.stories:
        lines.append(f"no stories were published on {archive_.date}")
    for number, story in enumerate(archive_.stories, 1):
        lines += ["", _fit(f"{number}. {story.title or '(untitled)'}", width)]
        lines += [_fit(f"   {_source(a)}", width) for a in story.articles]
        lines += [_fit(f"   {_event_line(e)}", width) for e in story.events]
        lines += [_fit(f"   quote  {q.speaker or '?'}: {_flat(q.text)}", width) for q in story.quotes]
    return "\n".join(lines)


def _source(article: DayArticle) -> str:
    parts = [article.publisher or "?", article.url or f"article {article.article_id}"]
    if article.banner_date:
        parts.append(f"(page dated {article.banner_date})")
    return "  ".join(parts)


def _event_line(event: DayEvent) -> str:
    who = f"{event.actor or '-'} -> {event.recipient or '-'}"
    notes = (["negated"] if event.negated else []) + (
        [event.modality] if event.modality != "asserted" else [])
    note = f" [{', '.join(notes)}]" if notes else ""
    return f"event  {event.type} {who}{note}: {_flat(event.sentence)}"


def _counted(n: int, plural: str) -> str:
    """``1 story``, ``2 stories``, ``1 quote``."""
    one = "story" if plural == "stories" else plural[:-1]
    return f"{n} {one if n == 1 else plural}"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
