"""Reads for the daily archive and the weekly digest (``detente day``, ``detente digest``).

Each function runs one indexed query (or one per listed dyad) and returns plain dicts;
``detente.analysis.day`` and ``detente.analysis.digest`` shape them into records.

Two clocks: an article belongs to the day it was truly published (``articles.published``,
not the page's banner date); an event belongs to the day it happened (``events.date``).
Events count only when factual (not negated, hypothetical, future or denied), as in
``Filters(factual=True)``.
"""

from __future__ import annotations

import logging
from typing import Any

from . import Database
from .query import FACTUAL_MODALITIES

logger = logging.getLogger(__name__)

# An event that happened, in the window [?, ?] (inclusive days; '~' sorts after any suffix).
_FACTUAL = f"e.negated = 0 AND e.modality IN ({', '.join('?' * len(FACTUAL_MODALITIES))})"
_WINDOW = "e.date >= ? AND e.date <= ? || '~'"
# One outlet: the publisher, else the page's address, else the article itself.
OUTLET = "coalesce(a.publisher, a.url, CAST(a.id AS TEXT))"


def _dicts(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in db.rows(sql, params)]


def _event_window(since: str, until: str) -> list[Any]:
    return [*FACTUAL_MODALITIES, since, until]


# -- the daily archive -----------------------------------------------------------------

def day_articles(db: Database, day: str) -> list[dict[str, Any]]:
    """Articles truly published on ``day``, story by story (cluster), in stored order."""
    return _dicts(db, "SELECT a.id AS article_id, a.title, a.url, a.publisher, a.published,"
                      " a.page_date, a.cluster_id FROM articles a WHERE a.published = ?"
                      " ORDER BY a.cluster_id, a.id", [day])


def day_events(db: Database, day: str) -> list[dict[str, Any]]:
    """Every event reported by an article published on ``day``, with its sentence there."""
    return _dicts(db, "SELECT s.article_id, e.id AS event_id, e.type, e.quad, e.date,"
                      " e.actor_code, e.actor_name, e.actor_sector, e.recipient_code,"
                      " e.recipient_name, e.recipient_sector, e.modality, e.negated,"
                      " s.actor_text, s.recipient_text, s.sentence"
                      " FROM articles a JOIN event_sources s ON s.article_id = a.id"
                      " JOIN events e ON e.id = s.event_id WHERE a.published = ?"
                      " ORDER BY s.article_id, s.start, s.id", [day])


def day_quotes(db: Database, day: str) -> list[dict[str, Any]]:
    """Every quote in an article published on ``day``, in the order of the text."""
    return _dicts(db, "SELECT q.article_id, q.id AS quote_id, q.text, q.kind, q.speaker_text,"
                      " q.speaker_name, q.speaker_code, q.speaker_sector, q.via"
                      " FROM articles a JOIN quotes q ON q.article_id = a.id"
                      " WHERE a.published = ? ORDER BY q.article_id, q.start, q.id", [day])


def neighbour_days(db: Database, day: str) -> tuple[str | None, str | None]:
    """The nearest earlier and later publication days that have articles (index look-ups)."""
    before = next(db.rows("SELECT max(published) FROM articles WHERE published < ?", [day]))[0]
    after = next(db.rows("SELECT min(published) FROM articles WHERE published > ?", [day]))[0]
    return before, after


# -- the weekly digest -----------------------------------------------------------------

def week_counts(db: Database, since: str, until: str) -> dict[str, int]:
    """Articles, stories, outlets and quotes published in the window; events that happened in it."""
    row = next(db.rows(
        f"SELECT count(*) AS articles, count(DISTINCT a.cluster_id) AS stories,"
        f" count(DISTINCT {OUTLET}) AS outlets,"
        " (SELECT count(*) FROM quotes q JOIN articles b ON b.id = q.article_id"
        "   WHERE b.published BETWEEN ? AND ?) AS quotes"
        " FROM articles a WHERE a.published BETWEEN ? AND ?", [since, until, since, until]))
    events = next(db.rows(f"SELECT count(*) FROM events e WHERE {_FACTUAL} AND {_WINDOW}",
                          _event_window(since, until)))[0]
    return {**{key: int(value) for key, value in dict(row).items()}, "events": int(events)}


def daily_quads(db: Database, since: str, until: str) -> list[dict[str, Any]]:
    """Factual events dated to a day in the window, counted by day and quad class."""
    return _dicts(db, f"SELECT e.date AS day, e.quad, count(*) AS events FROM events e"
                      f" WHERE {_FACTUAL} AND {_WINDOW} AND length(e.date) = 10"
                      " GROUP BY e.date, e.quad ORDER BY e.date, e.quad",
                  _event_window(since, until))


def busiest_dyads(db: Database, since: str, until: str, limit: int = 10) -> list[dict[str, Any]]:
    """Coded actor -> recipient pairs of the window, by independent stories, then events."""
    return _dicts(db, f"SELECT e.actor_code AS actor, e.recipient_code AS recipient,"
                      " count(DISTINCT e.id) AS events, count(DISTINCT a.cluster_id) AS stories,"
                      f" count(DISTINCT {OUTLET}) AS outlets,"
                      " count(DISTINCT CASE WHEN e.quad IN (1, 2) THEN e.id END) AS cooperation,"
                      " count(DISTINCT CASE WHEN e.quad IN (3, 4) THEN e.id END) AS conflict"
                      " FROM events e JOIN event_sources s ON s.event_id = e.id"
                      " JOIN articles a ON a.id = s.article_id"
                      f" WHERE {_FACTUAL} AND {_WINDOW}"
                      " AND e.actor_code IS NOT NULL AND e.recipient_code IS NOT NULL"
                      " GROUP BY e.actor_code, e.recipient_code"
                      " ORDER BY stories DESC, events DESC, actor, recipient LIMIT ?",
                  [*_event_window(since, until), limit])


def dyad_evidence(
    db: Database, actor: str, recipient: str, since: str, until: str, limit: int = 3
) -> list[dict[str, Any]]:
    """A dyad's best-attested events of the window, each with the first sentence reporting it.

    Best attested: most reporting articles, then reported in a story's opening paragraph.
    """
    return _dicts(db, "SELECT e.id AS event_id, s.article_id, a.title, a.url, e.date, e.type,"
                      " s.sentence, e.actor_name, e.recipient_name FROM events e"
                      " JOIN event_sources s ON s.id ="
                      "   (SELECT min(s2.id) FROM event_sources s2 WHERE s2.event_id = e.id)"
                      " JOIN articles a ON a.id = s.article_id"
                      f" WHERE {_FACTUAL} AND {_WINDOW}"
                      " AND e.actor_code = ? AND e.recipient_code = ?"
                      " ORDER BY (SELECT count(*) FROM event_sources s3 WHERE s3.event_id = e.id) DESC,"
                      " (SELECT max(s4.is_root) FROM event_sources s4 WHERE s4.event_id = e.id) DESC,"
                      " e.date, e.id LIMIT ?",
                  [*_event_window(since, until), actor, recipient, limit])


def week_quotes(db: Database, since: str, until: str) -> list[dict[str, Any]]:
    """Quotes with a coded, named speaker in articles published in the window.

    ``is_person``: the article names the speaker as a person (a PERSON entity resolved to
    the same name), which tells "Sergey Lavrov" from "the Kremlin".
    """
    return _dicts(db, "SELECT q.id AS quote_id, q.article_id, q.text, q.kind, q.speaker_text,"
                      " q.speaker_name, q.speaker_code, q.speaker_sector, q.via,"
                      " a.title, a.url, a.published, a.cluster_id,"
                      " CASE WHEN EXISTS (SELECT 1 FROM entities n WHERE n.article_id = q.article_id"
                      "   AND n.label = 'PERSON' AND n.actor_name = q.speaker_name) THEN 1 ELSE 0 END"
                      " AS is_person"
                      " FROM articles a JOIN quotes q ON q.article_id = a.id"
                      " WHERE a.published BETWEEN ? AND ?"
                      " AND q.speaker_name IS NOT NULL AND q.speaker_code IS NOT NULL"
                      " ORDER BY a.published, q.article_id, q.start", [since, until])


def new_actors(db: Database, since: str, until: str, limit: int = 15) -> list[dict[str, Any]]:
    """Coded actors (code and name) named in the window's articles and in no earlier article.

    Earlier: published before ``since``; articles without a publication date do not count.
    """
    return _dicts(db, "SELECT n.actor_code AS code, n.actor_name AS name,"
                      " min(n.actor_sector) AS sector, min(a.published) AS first_seen,"
                      " count(DISTINCT a.cluster_id) AS stories, count(*) AS mentions"
                      " FROM articles a JOIN entities n ON n.article_id = a.id"
                      " WHERE a.published BETWEEN ? AND ?"
                      " AND n.actor_code IS NOT NULL AND n.actor_name IS NOT NULL"
                      " AND NOT EXISTS (SELECT 1 FROM entities m JOIN articles b ON b.id = m.article_id"
                      "   WHERE m.actor_code = n.actor_code AND m.actor_name = n.actor_name"
                      "   AND b.published < ?)"
                      " GROUP BY n.actor_code, n.actor_name"
                      " ORDER BY stories DESC, mentions DESC, name LIMIT ?",
                  [since, until, since, limit])


def event_days(db: Database) -> list[dict[str, Any]]:
    """Factual events dated to a day, counted by day (for finding the busiest week)."""
    return _dicts(db, f"SELECT e.date AS day, count(*) AS events FROM events e"
                      f" WHERE {_FACTUAL} AND length(e.date) = 10 GROUP BY e.date",
                  list(FACTUAL_MODALITIES))
