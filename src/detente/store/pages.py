"""The read queries behind the web app's pages (``detente.web``).

Every query is bounded (a LIMIT, a date range, one article, one actor code) and rides an
index: a page is never assembled by loading a whole table. Rows come back as plain
dicts, ready for a template or for JSON. The app opens the store read-only
(``detente.open(path, read_only=True)``).

The SQL is the store's (``?`` parameters, SQLite's FTS5 look-ups, translated for
PostgreSQL by ``detente.store.backend``); what differs beyond that is chosen here by the
connection's dialect: the search page's snippets and ranking, and where NULLs sort.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from .backend import POSTGRESQL, TS_CONFIG, Connection
from .query import FACTUAL_MODALITIES, fts_query

logger = logging.getLogger(__name__)

Record = dict[str, Any]

# Marks around the words a full-text search matched in a snippet: control characters
# that cannot occur in stored text, replaced by <mark> tags after escaping.
HIT_OPEN, HIT_CLOSE = "\x02", "\x03"

_FACTUAL = f"e.negated = 0 AND e.modality IN ({', '.join('?' * len(FACTUAL_MODALITIES))})"


def _rows(conn: Connection, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Record]:
    return [dict(row) for row in conn.execute(sql, params)]


def _postgresql(conn: Connection) -> bool:
    return getattr(conn, "dialect", None) == POSTGRESQL


def _desc(conn: Connection, column: str) -> str:
    """``column DESC`` with NULLs last, as SQLite sorts them (PostgreSQL puts them first)."""
    return f"{column} DESC NULLS LAST" if _postgresql(conn) else f"{column} DESC"


@dataclass(frozen=True)
class EventFilter:
    """What the event side of a search or a dyad keeps. Codes are upper-case."""

    actor: str | None = None
    recipient: str | None = None
    type: str | None = None
    quad: int | None = None
    since: str | None = None
    until: str | None = None
    factual: bool = False

    def where(self, alias: str = "e") -> tuple[list[str], list[Any]]:
        """SQL conditions on ``events`` (first actor and recipient codes: indexed)."""
        clauses: list[str] = []
        params: list[Any] = []
        for clause, value in (
            (f"{alias}.actor_code = ?", self.actor), (f"{alias}.recipient_code = ?", self.recipient),
            (f"{alias}.type = ?", self.type), (f"{alias}.quad = ?", self.quad),
            (f"{alias}.date >= ?", self.since), (f"{alias}.date <= ? || '~'", self.until),
        ):
            if value is not None and value != "":
                clauses.append(clause)
                params.append(value)
        if self.factual:
            clauses.append(_FACTUAL.replace("e.", f"{alias}."))
            params.extend(FACTUAL_MODALITIES)
        return clauses, params

    @property
    def on_events(self) -> bool:
        return any(v not in (None, "") for v in (self.actor, self.recipient, self.type, self.quad))


@dataclass(frozen=True)
class Slice:
    """One page of results: ``offset`` rows skipped, at most ``limit`` kept."""

    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class Found:
    """A page of results and whether there are more after it."""

    items: list[Record]
    more: bool


def _page(rows: list[Record], limit: int) -> Found:
    return Found(rows[:limit], len(rows) > limit)


# -- the store as a whole -----------------------------------------------------------

def latest_date(conn: Connection) -> str | None:
    """The latest publication date stored (the store's 'today')."""
    row = conn.execute("SELECT max(published) FROM articles").fetchone()
    return str(row[0]) if row and row[0] else None


def latest_articles(conn: Connection, limit: int = 20) -> list[Record]:
    """The most recently published stories, one article a story (cluster), undated ones last.

    ``copies`` counts the story's other articles among those read (the latest
    ``5 * limit`` articles), enough to say "and 3 copies" without a scan. Rides the
    ``published`` index (SQLite sorts NULLs first, so last in descending order).
    """
    rows = _rows(
        conn,
        "SELECT id, title, publisher, url, published, cluster_id FROM articles"
        f" ORDER BY {_desc(conn, 'published')}, id DESC LIMIT ?", (5 * limit,),
    )
    stories: dict[Any, Record] = {}
    for row in rows:
        key = row["cluster_id"] if row["cluster_id"] is not None else f"a{row['id']}"
        if key in stories:
            stories[key]["copies"] += 1
        elif len(stories) < limit:
            stories[key] = {**row, "copies": 0}
    return list(stories.values())


# -- search -----------------------------------------------------------------------

def _article_event_clause(f: EventFilter) -> tuple[str, list[Any]]:
    clauses, params = f.where("e")
    if not f.on_events:
        return "", []
    return (
        " AND EXISTS (SELECT 1 FROM event_sources s JOIN events e ON e.id = s.event_id"
        f" WHERE s.article_id = a.id AND {' AND '.join(clauses)})", params,
    )


def _published_clause(f: EventFilter) -> tuple[str, list[Any]]:
    sql, params = "", list[Any]()
    if f.since:
        sql, params = sql + " AND a.published >= ?", [*params, f.since]
    if f.until:
        sql, params = sql + " AND a.published <= ?", [*params, f.until]
    return sql, params


def search_articles(conn: Connection, text: str, f: EventFilter, part: Slice) -> Found:
    """Stories matching ``text`` (every word; best first) and the filters, one page."""
    events_sql, event_params = _article_event_clause(EventFilter(
        f.actor, f.recipient, f.type, f.quad, factual=f.factual))
    dates_sql, date_params = _published_clause(f)
    if text.strip() and _postgresql(conn):
        sql = (
            "SELECT a.id, a.title, a.publisher, a.url, a.published,"
            f" ts_headline('{TS_CONFIG}', a.body, q.query, ?) AS snippet"
            f" FROM articles a, plainto_tsquery('{TS_CONFIG}', ?) AS q(query)"
            f" WHERE a.fts @@ q.query{dates_sql}{events_sql}"
            " ORDER BY ts_rank(a.fts, q.query) DESC, a.id LIMIT ? OFFSET ?"
        )
        headline = f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=24, MinWords=12"
        params = [headline, fts_query(text), *date_params, *event_params]
    elif text.strip():
        sql = (
            "SELECT a.id, a.title, a.publisher, a.url, a.published,"
            " snippet(articles_fts, 2, ?, ?, '…', 24) AS snippet"
            " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
            f" WHERE articles_fts MATCH ?{dates_sql}{events_sql} ORDER BY rank LIMIT ? OFFSET ?"
        )
        params = [HIT_OPEN, HIT_CLOSE, fts_query(text), *date_params, *event_params]
    else:
        sql = (
            "SELECT a.id, a.title, a.publisher, a.url, a.published, substr(a.body, 1, 200) AS snippet"
            f" FROM articles a WHERE 1 = 1{dates_sql}{events_sql}"
            f" ORDER BY {_desc(conn, 'a.published')}, a.id DESC LIMIT ? OFFSET ?"
        )
        params = [*date_params, *event_params]
    return _page(_rows(conn, sql, [*params, part.limit + 1, part.offset]), part.limit)


def search_quotes(conn: Connection, text: str, f: EventFilter, part: Slice) -> Found:
    """Quotes matching ``text`` (speaker's code as ``actor``), one page."""
    where, params = ["1 = 1"], []
    if text.strip():
        where.append("q.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)")
        params.append(fts_query(text))
    if f.actor:
        where.append("q.speaker_code = ?")
        params.append(f.actor)
    dates_sql, date_params = _published_clause(f)
    sql = (
        "SELECT q.id, q.article_id, q.text, q.kind, q.speaker_text, q.speaker_name, q.speaker_code,"
        " a.title, a.published FROM quotes q JOIN articles a ON a.id = q.article_id"
        f" WHERE {' AND '.join(where)}{dates_sql} ORDER BY q.id DESC LIMIT ? OFFSET ?"
    )
    return _page(_rows(conn, sql, [*params, *date_params, part.limit + 1, part.offset]), part.limit)


EVENT_FIELDS = (
    "e.id, e.type, e.quad, e.date, e.modality, e.negated, e.intensity,"
    " e.actor_code, e.actor_name, e.recipient_code, e.recipient_name"
)


def search_events(conn: Connection, f: EventFilter, part: Slice) -> Found:
    """Events matching the filters, newest first, with one evidence sentence each."""
    clauses, params = f.where("e")
    sql = (
        f"SELECT {EVENT_FIELDS}, e.first_article_id AS article_id,"
        " (SELECT s.sentence FROM event_sources s WHERE s.event_id = e.id ORDER BY s.id LIMIT 1)"
        f" AS sentence FROM events e WHERE {' AND '.join(clauses) or '1 = 1'}"
        f" ORDER BY {_desc(conn, 'e.date')}, e.id DESC LIMIT ? OFFSET ?"
    )
    return _page(_rows(conn, sql, [*params, part.limit + 1, part.offset]), part.limit)


def events_in(conn: Connection, article_ids: list[int], f: EventFilter, limit: int = 100) -> list[Record]:
    """The events these stories report that match the filters (the sentence from each story)."""
    if not article_ids:
        return []
    clauses, params = f.where("e")
    marks = ",".join("?" * len(article_ids))
    return _rows(
        conn,
        f"SELECT {EVENT_FIELDS}, s.article_id, s.sentence FROM event_sources s"
        f" JOIN events e ON e.id = s.event_id WHERE s.article_id IN ({marks})"
        f"{''.join(' AND ' + c for c in clauses)} ORDER BY {_desc(conn, 'e.date')}, e.id DESC,"
        " s.id LIMIT ?",
        [*article_ids, *params, limit],
    )


# -- one story ------------------------------------------------------------------

def article(conn: Connection, article_id: int) -> Record | None:
    """One stored story with its full result (``result``: the contract's JSON)."""
    row = conn.execute(
        "SELECT id, doc_id, url, title, publisher, published, page_date, cluster_id, result_json"
        " FROM articles WHERE id = ?", (article_id,),
    ).fetchone()
    if row is None:
        return None
    record = dict(row)
    record["result"] = json.loads(record.pop("result_json"))
    return record


def article_events(conn: Connection, article_id: int) -> list[Record]:
    """The events a story reports, each with its event id and the story's own version."""
    rows = _rows(
        conn,
        f"SELECT s.id AS source_id, s.start, s.\"end\", s.sentence, s.event_json, {EVENT_FIELDS},"
        " (SELECT count(DISTINCT s2.article_id) FROM event_sources s2 WHERE s2.event_id = e.id)"
        " AS articles FROM event_sources s JOIN events e ON e.id = s.event_id"
        " WHERE s.article_id = ? ORDER BY s.start, s.id", (article_id,),
    )
    for row in rows:
        row["event"] = json.loads(row.pop("event_json"))
    return rows


def copies(conn: Connection, cluster_id: int | None, article_id: int, limit: int = 50) -> list[Record]:
    """Near-duplicates of a story: the other articles of its cluster."""
    if cluster_id is None:
        return []
    return _rows(
        conn,
        "SELECT id, title, publisher, url, published FROM articles"
        " WHERE cluster_id = ? AND id != ? ORDER BY id LIMIT ?", (cluster_id, article_id, limit),
    )


# -- one actor ------------------------------------------------------------------

def actor_names(conn: Connection, code: str) -> list[str]:
    """The names an actor code was given in events (most frequent first)."""
    rows = conn.execute(
        "SELECT actor_name, count(*) AS n FROM events WHERE actor_code = ? AND actor_name IS NOT NULL"
        " GROUP BY actor_name ORDER BY n DESC LIMIT 5", (code,),
    )
    return [str(row[0]) for row in rows]


def partners(conn: Connection, code: str, *, outgoing: bool, limit: int = 20) -> list[Record]:
    """Who ``code`` acts on (``outgoing``) or who acts on it, busiest first."""
    mine, other = ("actor_code", "recipient_code") if outgoing else ("recipient_code", "actor_code")
    return _rows(
        conn,
        f"SELECT {other} AS code, count(*) AS events,"
        " sum(CASE WHEN quad IN (1, 2) THEN 1 ELSE 0 END) AS cooperation,"
        " sum(CASE WHEN quad IN (3, 4) THEN 1 ELSE 0 END) AS conflict, max(date) AS latest"
        " FROM events"
        f" WHERE {mine} = ? AND {other} IS NOT NULL GROUP BY {other}"
        " ORDER BY events DESC LIMIT ?", (code, limit),
    )


_COOP = "CASE WHEN quad IN (1, 2) THEN 1 ELSE 0 END"
_CONF = "CASE WHEN quad IN (3, 4) THEN 1 ELSE 0 END"


def actor_months(conn: Connection, code: str, limit: int = 36) -> list[Record]:
    """Per month: events ``code`` did and events done to it, by cooperation and conflict."""
    rows = _rows(
        conn,
        "SELECT month, sum(out_coop) AS out_cooperation, sum(out_conf) AS out_conflict,"
        " sum(in_coop) AS in_cooperation, sum(in_conf) AS in_conflict FROM ("
        f" SELECT substr(date, 1, 7) AS month, {_COOP} AS out_coop, {_CONF} AS out_conf,"
        " 0 AS in_coop, 0 AS in_conf FROM events WHERE actor_code = ? AND date IS NOT NULL"
        f" UNION ALL SELECT substr(date, 1, 7), 0, 0, {_COOP}, {_CONF} FROM events"
        " WHERE recipient_code = ? AND date IS NOT NULL) AS m"
        " GROUP BY month ORDER BY month DESC LIMIT ?", (code, code, limit),
    )
    return rows[::-1]


def actor_quotes(conn: Connection, code: str, limit: int = 20) -> list[Record]:
    """The latest quotes whose speaker carries ``code``."""
    return _rows(
        conn,
        "SELECT q.id, q.article_id, q.text, q.kind, q.speaker_text, q.speaker_name, a.title,"
        " a.published FROM quotes q JOIN articles a ON a.id = q.article_id"
        " WHERE q.speaker_code = ? ORDER BY q.id DESC LIMIT ?", (code, limit),
    )


# -- one dyad ---------------------------------------------------------------------

def dyad_days(conn: Connection, f: EventFilter) -> list[Record]:
    """Per (day, story cluster): the dyad's events by quad class and summed intensity.

    Periods (weeks, months) and independent-story counts are made from these rows.
    """
    clauses, params = f.where("e")
    clauses.append("e.date IS NOT NULL")
    return _rows(
        conn,
        "SELECT substr(e.date, 1, 10) AS day, e.cluster_id, count(*) AS events,"
        f" {', '.join(f'sum(CASE WHEN e.quad = {q} THEN 1 ELSE 0 END) AS q{q}' for q in (1, 2, 3, 4))},"
        " coalesce(sum(e.intensity), 0) AS intensity FROM events e"
        f" WHERE {' AND '.join(clauses)} GROUP BY day, e.cluster_id ORDER BY day",
        params,
    )


def evidence(conn: Connection, f: EventFilter, limit: int = 100) -> list[Record]:
    """The sentences behind a dyad's events between two dates, with their stories."""
    clauses, params = f.where("e")
    return _rows(
        conn,
        f"SELECT {EVENT_FIELDS}, s.article_id, s.sentence, a.title, a.url, a.publisher,"
        " a.published FROM events e JOIN event_sources s ON s.event_id = e.id"
        f" JOIN articles a ON a.id = s.article_id WHERE {' AND '.join(clauses) or '1 = 1'}"
        " ORDER BY e.date, e.id, s.id LIMIT ?", [*params, limit],
    )
