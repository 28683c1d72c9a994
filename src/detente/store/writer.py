"""Writing one analysed article: all its rows in one transaction, or none.

The input is the typed ``Result`` (``detente.model``); worker processes send it
back through the pool as it is (dataclasses pickle). ``result_json`` keeps the
contract's JSON of the whole result, for lossless export.

Many writers, one PostgreSQL store: each article's transaction first takes one
transaction-level advisory lock (``pg_advisory_xact_lock``, released at COMMIT or
ROLLBACK), the same for every detente writer. Story clustering and event merging read
what is stored, decide, then write: with the lock, each article's read-decide-write sees
every article committed before it, exactly as the single SQLite writer does, whichever
process or machine wrote them. Only these few milliseconds of writing are serialised; the
analysis runs in parallel. The content hash is checked under the lock too, and the
``UNIQUE`` hash with ``ON CONFLICT DO NOTHING`` guards against any writer without it.
SQLite keeps its single-writer path (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..model import Article, Entity, Event, EventActor, Quote, Result, Timex, to_jsonable
from . import dedup
from .backend import POSTGRESQL, SQLITE
from .pgschema import WRITE_LOCK

logger = logging.getLogger(__name__)

# Days apart two day-dated reports of one event may be.
MERGE_DAYS = 1


@dataclass(frozen=True)
class Written:
    """What storing one article did."""

    article_id: int
    cluster_id: int
    new_events: int
    merged_events: int


@dataclass(frozen=True)
class EventDate:
    value: str | None
    precision: str | None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_result(
    conn: Any,
    result: Result,
    *,
    content_hash: str,
    source: str | None = None,
    signature: dedup.Signature | None = None,
) -> Written | None:
    """Store ``result`` in one transaction; None when ``content_hash`` is already stored."""
    sig = signature if signature is not None else dedup.signature(result.article.body)
    _begin(conn)
    try:
        if conn.execute("SELECT 1 FROM articles WHERE hash = ?", (content_hash,)).fetchone():
            conn.execute("ROLLBACK")
            return None
        written = _write(conn, result, content_hash, source, sig)
        if written is None:
            conn.execute("ROLLBACK")
            return None
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return written


def dialect_of(conn: Any) -> str:
    """``"postgresql"`` for the store's PostgreSQL connection, else ``"sqlite"``."""
    return str(getattr(conn, "dialect", SQLITE))


def _begin(conn: Any) -> None:
    """Begin an article's write transaction, the only writer of the store while it runs."""
    if dialect_of(conn) == POSTGRESQL:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    else:
        conn.execute("BEGIN IMMEDIATE")


def _write(
    conn: Any, result: Result, content_hash: str, source: str | None,
    sig: dedup.Signature,
) -> Written | None:
    article = result.article
    stamp = now_iso()
    article_id = _insert_article(conn, result, content_hash, source, sig, stamp)
    if article_id is None:
        return None
    cluster_id = _assign_cluster(conn, article_id, sig, bool(article.body.strip()))
    _insert_entities(conn, article_id, result.entities)
    _insert_timexes(conn, article_id, result.timexes)
    _insert_quotes(conn, article_id, result.quotes)
    new = merged = 0
    first_break = _first_paragraph_end(article.body)
    for event in result.events:
        is_new = _store_event(conn, event, article, article_id, cluster_id, first_break, stamp)
        new += is_new
        merged += not is_new
    return Written(article_id, cluster_id, new, merged)


def _insert_article(
    conn: Any, result: Result, content_hash: str, source: str | None,
    sig: dedup.Signature, stamp: str,
) -> int | None:
    """The new article's id; None when its hash is stored already."""
    a = result.article
    cur = conn.execute(
        "INSERT INTO articles(hash, doc_id, source, url, title, dek, authors, publisher, published,"
        " page_date, language, body, signature, result_json, notes, added_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (hash) DO NOTHING RETURNING id",
        (
            content_hash, str(result.id or ""), source, a.url, a.title, a.dek,
            json.dumps(a.authors, ensure_ascii=False), a.publisher, _iso(a.published),
            _iso(a.page_date), a.language, a.body, dedup.to_blob(sig),
            json.dumps(result.to_dict(), ensure_ascii=False),
            json.dumps(result.notes, ensure_ascii=False), stamp,
        ),
    )
    row = cur.fetchone()
    return None if row is None else int(row[0])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _assign_cluster(
    conn: Any, article_id: int, sig: dedup.Signature, has_text: bool
) -> int:
    match = _best_match(conn, sig) if has_text else None
    if match is None:
        cluster_id = int(conn.execute("INSERT INTO clusters(first_article_id) VALUES (?) RETURNING id",
                                      (article_id,)).fetchone()[0])
    else:
        cluster_id = match.cluster_id
    conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (cluster_id, article_id))
    if has_text:
        conn.executemany(
            "INSERT INTO minhash_bands(key, article_id) VALUES (?, ?)",
            [(key, article_id) for key in dedup.band_keys(sig)],
        )
    return cluster_id


def _best_match(conn: Any, sig: dedup.Signature) -> dedup.ClusterMatch | None:
    keys = dedup.band_keys(sig)
    marks = ",".join("?" * len(keys))
    rows = conn.execute(
        f"SELECT a.id, a.cluster_id, a.signature FROM articles a WHERE a.id IN "
        f"(SELECT DISTINCT article_id FROM minhash_bands WHERE key IN ({marks})) ORDER BY a.id",
        keys,
    ).fetchall()
    best: dedup.ClusterMatch | None = None
    for row in rows:
        score = dedup.similarity(sig, dedup.from_blob(row["signature"]))
        if score >= dedup.SIMILAR and (best is None or score > best.similarity):
            best = dedup.ClusterMatch(int(row["id"]), int(row["cluster_id"]), score)
    return best


def _insert_entities(conn: Any, article_id: int, entities: list[Entity]) -> None:
    rows = []
    for e in entities:
        actor = e.actor
        rows.append((article_id, e.text, e.label, e.start, e.end,
                     actor.name if actor else None, actor.code if actor else None,
                     actor.sector if actor else None))
    conn.executemany(
        'INSERT INTO entities(article_id, text, label, start, "end", actor_name, actor_code,'
        " actor_sector) VALUES (?,?,?,?,?,?,?,?)", rows,
    )


def _insert_timexes(conn: Any, article_id: int, timexes: list[Timex]) -> None:
    conn.executemany(
        'INSERT INTO timexes(article_id, text, start, "end", type, value) VALUES (?,?,?,?,?,?)',
        [(article_id, t.text, t.start, t.end, t.type, t.value) for t in timexes],
    )


def _insert_quotes(conn: Any, article_id: int, quotes: list[Quote]) -> None:
    rows = []
    for q in quotes:
        s = q.speaker
        speaker = (s.text, s.start, s.end, s.name, s.code, s.sector) if s else (None,) * 6
        rows.append((article_id, q.text, q.start, q.end, q.kind, q.cue, *speaker, q.via))
    conn.executemany(
        'INSERT INTO quotes(article_id, text, start, "end", kind, cue, speaker_text, speaker_start,'
        " speaker_end, speaker_name, speaker_code, speaker_sector, via)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows,
    )


def _codes(parties: list[EventActor]) -> list[str]:
    return sorted({str(p.code) for p in parties if p.code})


def event_date(event: Event, article: Article) -> EventDate:
    """The event's own date, else the article's publication date (as a day)."""
    if event.date:
        return EventDate(str(event.date), event.date_precision or "day")
    if article.published:
        return EventDate(article.published.isoformat(), "day")
    return EventDate(None, None)


def merge_key(event: Event, cluster_id: int, when: EventDate) -> str:
    """Reports with one key (and dates within a day) are one real-world event.

    Events with no coded actor or no date merge only within their story cluster:
    "someone attacked someone" in two unrelated stories is not one event.
    """
    actors, recipients = _codes(event.actor), _codes(event.recipient)
    key = f"{event.type}|{','.join(actors)}|{','.join(recipients)}|{int(bool(event.negated))}"
    if not actors or when.value is None:
        key += f"|c{cluster_id}"
    return key


# How many days apart an event's date is from a day (bound parameter), per dialect.
DAYS_APART = {
    SQLITE: "abs(julianday(date) - julianday(?))",
    POSTGRESQL: "abs(CAST(substr(date, 1, 10) AS date) - CAST(? AS date))",
}
# NULL-safe equality, per dialect.
SAME = {SQLITE: "IS", POSTGRESQL: "IS NOT DISTINCT FROM"}


def _find_event(conn: Any, key: str, when: EventDate) -> int | None:
    dialect = dialect_of(conn)
    if when.value is not None and when.precision == "day":
        day = date.fromisoformat(when.value[:10])
        row = conn.execute(
            "SELECT id FROM events WHERE merge_key = ? AND date_precision = 'day'"
            f" AND date BETWEEN ? AND ? ORDER BY {DAYS_APART[dialect]}, id LIMIT 1",
            (key, (day - timedelta(days=MERGE_DAYS)).isoformat(),
             (day + timedelta(days=MERGE_DAYS)).isoformat(), day.isoformat()),
        ).fetchone()
    else:
        row = conn.execute(
            f"SELECT id FROM events WHERE merge_key = ? AND date {SAME[dialect]} ?"
            f" AND date_precision {SAME[dialect]} ?"
            " ORDER BY id LIMIT 1", (key, when.value, when.precision),
        ).fetchone()
    return int(row[0]) if row else None


def _store_event(
    conn: Any, event: Event, article: Article, article_id: int,
    cluster_id: int, first_break: int, stamp: str,
) -> bool:
    """Add ``event`` as a new event or as one more source of a stored one; True when new."""
    when = event_date(event, article)
    key = merge_key(event, cluster_id, when)
    event_id = _find_event(conn, key, when)
    is_new = event_id is None
    if event_id is None:
        event_id = _insert_event(conn, event, key, when, article_id, cluster_id, stamp)
    conn.execute(
        'INSERT INTO event_sources(event_id, article_id, sentence, start, "end", actor_text,'
        " recipient_text, modality, confidence, is_root, event_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (event_id, article_id, event.sentence or "", event.start, event.end,
         _texts(event.actor), _texts(event.recipient), event.modality, event.confidence,
         int(event.start < first_break), json.dumps(to_jsonable(event), ensure_ascii=False)),
    )
    return is_new


def _insert_event(
    conn: Any, event: Event, key: str, when: EventDate, article_id: int,
    cluster_id: int, stamp: str,
) -> int:
    actor = _first(event.actor)
    recipient = _first(event.recipient)
    loc = event.location
    cur = conn.execute(
        "INSERT INTO events(merge_key, type, quad, cameo, mode, context, actor_code, actor_name,"
        " actor_sector, actor_codes, recipient_code, recipient_name, recipient_sector,"
        " recipient_codes, date, date_precision, negated, modality, location_name,"
        " location_country, lat, lon, intensity, confidence, cluster_id, first_article_id, added_at,"
        " actor_inferred, recipient_inferred)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
        (
            key, event.type, event.quad or 0, event.cameo, event.mode,
            json.dumps(event.context or []), *_party(actor), json.dumps(_codes(event.actor)),
            *_party(recipient), json.dumps(_codes(event.recipient)), when.value, when.precision,
            int(bool(event.negated)), event.modality or "asserted",
            loc.name if loc else None, loc.country if loc else None, loc.lat if loc else None,
            loc.lon if loc else None, event.intensity, event.confidence, cluster_id, article_id,
            stamp, int(bool(actor and actor.code and actor.inferred)),
            int(bool(recipient and recipient.code and recipient.inferred)),
        ),
    )
    return int(cur.fetchone()[0])


def _first(parties: list[EventActor]) -> EventActor | None:
    """The first coded party, else the first party."""
    coded = [p for p in parties if p.code]
    return (coded or parties)[0] if parties else None


def _party(party: EventActor | None) -> tuple[str | None, str | None, str | None]:
    """The code, name and sector columns of ``party``."""
    return (party.code, party.name, party.sector) if party else (None, None, None)


def _texts(parties: list[EventActor]) -> str | None:
    texts = [str(p.text) for p in parties if p.text]
    return "; ".join(texts) or None


def _first_paragraph_end(body: str) -> int:
    """Where the lead paragraph ends: an event reported there is GDELT's 'root event'."""
    cut = body.find("\n\n")
    return cut if cut > 0 else len(body)
