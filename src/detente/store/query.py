"""Read queries over the store: SQL built from one ``Filters`` object.

Every function returns plain SQL and parameters; ``Database`` runs them and
hands back pandas DataFrames or rows.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import DetenteError
from ..model import PLOVER_TYPES

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    """What to select. Codes compare case-insensitively; dates are inclusive ISO dates."""

    actor: str | None = None
    recipient: str | None = None
    type: str | None = None
    quad: int | None = None
    since: str | None = None
    until: str | None = None
    text: str | None = None  # full-text search over titles, deks and bodies
    limit: int | None = None
    # Only events reported as happening: not negated, not hypothetical, future or denied.
    # "Russia denied it plans to invade" must not count as an assault in a time series.
    factual: bool = True
    # Only events with a code on both sides (a coded dyad). Events whose actor or recipient
    # could not be coded ("was shot", "gunmen") are stored with null codes and left out here.
    coded: bool = False
    # With ``coded``: leave out codes inferred from context (a place, a country named
    # nearby) rather than read from the mention.
    stated: bool = False

    def __post_init__(self) -> None:
        if self.type and self.type.upper() not in PLOVER_TYPES:
            raise DetenteError(
                f"unknown event type '{self.type}': use one of {', '.join(PLOVER_TYPES)}"
            )
        if self.quad is not None and self.quad not in (1, 2, 3, 4):
            raise DetenteError(f"quad must be 1, 2, 3 or 4, not {self.quad}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value:
                _check_date(name, value)


@dataclass
class Sql:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.where.append(clause)
        self.params.extend(params)

    def clause(self) -> str:
        return (" WHERE " + " AND ".join(self.where)) if self.where else ""


def _check_date(name: str, value: str) -> None:
    try:
        date.fromisoformat(value if len(value) == 10 else (value + "-01-01")[:10])
    except ValueError as exc:
        raise DetenteError(f"--{name} {value!r} is not a date: write YYYY-MM-DD") from exc


def fts_query(text: str) -> str:
    """User text -> an FTS5 query: every word must occur (punctuation is ignored)."""
    words = _TOKEN.findall(text)
    if not words:
        raise DetenteError(f"the text search {text!r} has no words to look for")
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _limit(filters: Filters) -> str:
    return f" LIMIT {int(filters.limit)}" if filters.limit else ""


FACTUAL_MODALITIES = ("asserted", "reported", "claimed", "historical")


def _event_filters(sql: Sql, f: Filters, alias: str = "e") -> None:
    if f.factual:
        sql.add(f"{alias}.negated = 0 AND {alias}.modality IN (?, ?, ?, ?)", *FACTUAL_MODALITIES)
    if f.coded or f.stated:
        sql.add(f"{alias}.actor_code IS NOT NULL AND {alias}.recipient_code IS NOT NULL")
    if f.stated:
        sql.add(f"{alias}.actor_inferred = 0 AND {alias}.recipient_inferred = 0")
    if f.actor:
        sql.add(f"EXISTS (SELECT 1 FROM json_each({alias}.actor_codes) WHERE value = ?)", f.actor.upper())
    if f.recipient:
        sql.add(f"EXISTS (SELECT 1 FROM json_each({alias}.recipient_codes) WHERE value = ?)",
                f.recipient.upper())
    if f.type:
        sql.add(f"{alias}.type = ?", f.type.upper())
    if f.quad is not None:
        sql.add(f"{alias}.quad = ?", f.quad)
    if f.since:
        sql.add(f"{alias}.date >= ?", f.since)
    if f.until:
        sql.add(f"{alias}.date <= ? || '~'", f.until)  # '~' sorts after any suffix of that day
    if f.text:
        sql.add(
            f"EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = {alias}.id AND s.article_id IN"
            " (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?))", fts_query(f.text),
        )


EVENT_COLUMNS = """
    e.id AS event_id, e.date, e.date_precision, e.type, e.quad, e.cameo, e.mode, e.context,
    e.actor_code, e.actor_name, e.actor_sector, e.actor_codes,
    e.recipient_code, e.recipient_name, e.recipient_sector, e.recipient_codes,
    e.negated, e.modality, e.location_name, e.location_country, e.lat, e.lon,
    e.intensity, e.confidence, e.cluster_id, e.added_at,
    (SELECT count(*) FROM event_sources s WHERE s.event_id = e.id) AS num_mentions,
    (SELECT count(DISTINCT s.article_id) FROM event_sources s WHERE s.event_id = e.id) AS num_articles,
    (SELECT count(DISTINCT coalesce(a.publisher, a.url, CAST(a.id AS TEXT))) FROM event_sources s
        JOIN articles a ON a.id = s.article_id WHERE s.event_id = e.id) AS num_sources,
    (SELECT max(s.is_root) FROM event_sources s WHERE s.event_id = e.id) AS is_root,
    (SELECT s.sentence FROM event_sources s WHERE s.event_id = e.id ORDER BY s.id LIMIT 1) AS sentence,
    fa.url AS source_url, fa.title AS source_title, fa.publisher AS source_publisher,
    fa.published AS source_published
"""


def events_sql(f: Filters) -> tuple[str, list[Any]]:
    """Merged events (one row each) with their counts of mentions, articles and sources."""
    sql = Sql()
    _event_filters(sql, f)
    return (
        f"SELECT {EVENT_COLUMNS} FROM events e JOIN articles fa ON fa.id = e.first_article_id"
        f"{sql.clause()} ORDER BY e.date IS NULL, e.date DESC, e.id DESC{_limit(f)}",
        sql.params,
    )


def event_sources_sql(f: Filters) -> tuple[str, list[Any]]:
    """One row per (event, reporting article) with the evidence sentence."""
    sql = Sql()
    _event_filters(sql, f)
    return (
        "SELECT s.event_id, s.article_id, a.url, a.title, a.publisher, a.published, s.sentence,"
        ' s.start, s."end", s.actor_text, s.recipient_text, s.modality, s.confidence, s.is_root'
        " FROM event_sources s JOIN events e ON e.id = s.event_id JOIN articles a ON a.id = s.article_id"
        f"{sql.clause()} ORDER BY s.event_id, s.id{_limit(f)}",
        sql.params,
    )


def _published_filters(sql: Sql, f: Filters) -> None:
    """``since``/``until`` on the article's publication date (alias ``a``)."""
    if f.since:
        sql.add("a.published >= ?", f.since)
    if f.until:
        sql.add("a.published <= ?", f.until)


def _article_filters(sql: Sql, f: Filters) -> None:
    _published_filters(sql, f)
    if f.text:
        sql.add("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", fts_query(f.text))
    if f.actor and not (f.recipient or f.type or f.quad):
        sql.add(
            "(EXISTS (SELECT 1 FROM entities n WHERE n.article_id = a.id AND n.actor_code = ?)"
            " OR EXISTS (SELECT 1 FROM event_sources s JOIN events e ON e.id = s.event_id"
            " WHERE s.article_id = a.id AND EXISTS (SELECT 1 FROM json_each(e.actor_codes)"
            " WHERE value = ?)))", f.actor.upper(), f.actor.upper(),
        )
    elif f.recipient or f.type or f.quad or f.actor:
        inner = Sql()
        _event_filters(inner, Filters(actor=f.actor, recipient=f.recipient, type=f.type, quad=f.quad))
        sql.add(
            "EXISTS (SELECT 1 FROM event_sources s2 JOIN events e ON e.id = s2.event_id"
            f" WHERE s2.article_id = a.id AND {' AND '.join(inner.where)})", *inner.params,
        )


ARTICLE_COLUMNS = (
    "a.id AS article_id, a.doc_id, a.url, a.title, a.dek, a.authors, a.publisher, a.published,"
    " a.page_date, a.language, a.cluster_id, a.source, a.notes, a.added_at"
)


def articles_sql(f: Filters, *, body: bool = False, result: bool = False) -> tuple[str, list[Any]]:
    """Stored articles (without bodies unless asked), oldest first."""
    sql = Sql()
    _article_filters(sql, f)
    extra = (", a.body" if body else "") + (", a.result_json" if result else "")
    return (
        f"SELECT {ARTICLE_COLUMNS}{extra} FROM articles a{sql.clause()} ORDER BY a.id{_limit(f)}",
        sql.params,
    )


def quotes_sql(f: Filters) -> tuple[str, list[Any]]:
    """Quotes with their speakers and articles; ``actor`` is the speaker's code."""
    sql = Sql()
    if f.actor:
        sql.add("q.speaker_code = ?", f.actor.upper())
    _published_filters(sql, f)
    if f.text:
        sql.add("q.id IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)", fts_query(f.text))
    return (
        'SELECT q.id AS quote_id, q.article_id, q.text, q.start, q."end", q.kind, q.cue,'
        " q.speaker_text, q.speaker_name, q.speaker_code, q.speaker_sector, q.via,"
        " a.url, a.title, a.published FROM quotes q JOIN articles a ON a.id = q.article_id"
        f"{sql.clause()} ORDER BY q.id{_limit(f)}",
        sql.params,
    )


def pairs_sql(f: Filters) -> tuple[str, list[Any]]:
    """Actor -> recipient pairs by number of distinct events, busiest first.

    Events without a coded recipient are no pair and are left out.
    """
    sql = Sql()
    _event_filters(sql, f)
    sql.add("e.actor_code IS NOT NULL AND e.recipient_code IS NOT NULL")
    return (
        "SELECT e.actor_code, e.recipient_code, count(*) AS events,"
        " sum((SELECT count(*) FROM event_sources s WHERE s.event_id = e.id)) AS mentions,"
        " sum(CASE WHEN e.quad IN (1, 2) THEN 1 ELSE 0 END) AS cooperation,"
        " sum(CASE WHEN e.quad IN (3, 4) THEN 1 ELSE 0 END) AS conflict,"
        " max(e.date) AS latest"
        f" FROM events e{sql.clause()} GROUP BY e.actor_code, e.recipient_code"
        f" ORDER BY events DESC, mentions DESC, e.actor_code, e.recipient_code{_limit(f)}",
        sql.params,
    )
