"""Writing one analysed article: all its rows in one transaction, or none.

The input is the contract's JSON result (``Result.to_dict()``), so results
coming back from worker processes as plain dicts are stored as they are.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from . import dedup

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
    conn: sqlite3.Connection,
    result: dict[str, Any],
    *,
    content_hash: str,
    source: str | None = None,
    signature: dedup.Signature | None = None,
) -> Written | None:
    """Store ``result`` in one transaction; None when ``content_hash`` is already stored."""
    article = result["article"]
    sig = signature if signature is not None else dedup.signature(article.get("body") or "")
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("SELECT 1 FROM articles WHERE hash = ?", (content_hash,)).fetchone():
            conn.execute("ROLLBACK")
            return None
        written = _write(conn, result, content_hash, source, sig)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return written


def _write(
    conn: sqlite3.Connection, result: dict[str, Any], content_hash: str, source: str | None,
    sig: dedup.Signature,
) -> Written:
    article = result["article"]
    stamp = now_iso()
    article_id = _insert_article(conn, result, content_hash, source, sig, stamp)
    cluster_id = _assign_cluster(conn, article_id, sig, bool((article.get("body") or "").strip()))
    _insert_entities(conn, article_id, result.get("entities") or [])
    _insert_timexes(conn, article_id, result.get("timexes") or [])
    _insert_quotes(conn, article_id, result.get("quotes") or [])
    new = merged = 0
    first_break = _first_paragraph_end(article.get("body") or "")
    for event in result.get("events") or []:
        is_new = _store_event(conn, event, article, article_id, cluster_id, first_break, stamp)
        new += is_new
        merged += not is_new
    return Written(article_id, cluster_id, new, merged)


def _insert_article(
    conn: sqlite3.Connection, result: dict[str, Any], content_hash: str, source: str | None,
    sig: dedup.Signature, stamp: str,
) -> int:
    a = result["article"]
    cur = conn.execute(
        "INSERT INTO articles(hash, doc_id, source, url, title, dek, authors, publisher, published,"
        " page_date, language, body, signature, result_json, added_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            content_hash, str(result.get("id") or ""), source, a.get("url"), a.get("title"),
            a.get("dek"), json.dumps(a.get("authors") or [], ensure_ascii=False), a.get("publisher"),
            a.get("published"), a.get("page_date"), a.get("language"), a.get("body") or "",
            dedup.to_blob(sig), json.dumps(result, ensure_ascii=False), stamp,
        ),
    )
    return int(cur.lastrowid or 0)


def _assign_cluster(
    conn: sqlite3.Connection, article_id: int, sig: dedup.Signature, has_text: bool
) -> int:
    match = _best_match(conn, sig) if has_text else None
    if match is None:
        cluster_id = int(
            conn.execute("INSERT INTO clusters(first_article_id) VALUES (?)", (article_id,)).lastrowid
            or 0
        )
    else:
        cluster_id = match.cluster_id
    conn.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (cluster_id, article_id))
    if has_text:
        conn.executemany(
            "INSERT INTO minhash_bands(key, article_id) VALUES (?, ?)",
            [(key, article_id) for key in dedup.band_keys(sig)],
        )
    return cluster_id


def _best_match(conn: sqlite3.Connection, sig: dedup.Signature) -> dedup.ClusterMatch | None:
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


def _insert_entities(conn: sqlite3.Connection, article_id: int, entities: list[dict[str, Any]]) -> None:
    rows = []
    for e in entities:
        actor = e.get("actor") or {}
        rows.append((article_id, e["text"], e["label"], e["start"], e["end"],
                     actor.get("name"), actor.get("code"), actor.get("sector")))
    conn.executemany(
        'INSERT INTO entities(article_id, text, label, start, "end", actor_name, actor_code,'
        " actor_sector) VALUES (?,?,?,?,?,?,?,?)", rows,
    )


def _insert_timexes(conn: sqlite3.Connection, article_id: int, timexes: list[dict[str, Any]]) -> None:
    conn.executemany(
        'INSERT INTO timexes(article_id, text, start, "end", type, value) VALUES (?,?,?,?,?,?)',
        [(article_id, t["text"], t["start"], t["end"], t["type"], t.get("value")) for t in timexes],
    )


def _insert_quotes(conn: sqlite3.Connection, article_id: int, quotes: list[dict[str, Any]]) -> None:
    rows = []
    for q in quotes:
        s = q.get("speaker") or {}
        rows.append((article_id, q["text"], q["start"], q["end"], q["kind"], q.get("cue"),
                     s.get("text"), s.get("start"), s.get("end"), s.get("name"), s.get("code"),
                     s.get("sector"), q.get("via")))
    conn.executemany(
        'INSERT INTO quotes(article_id, text, start, "end", kind, cue, speaker_text, speaker_start,'
        " speaker_end, speaker_name, speaker_code, speaker_sector, via)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows,
    )


def _codes(parties: list[dict[str, Any]]) -> list[str]:
    return sorted({str(p["code"]) for p in parties if p.get("code")})


def event_date(event: dict[str, Any], article: dict[str, Any]) -> EventDate:
    """The event's own date, else the article's publication date (as a day)."""
    if event.get("date"):
        return EventDate(str(event["date"]), event.get("date_precision") or "day")
    if article.get("published"):
        return EventDate(str(article["published"]), "day")
    return EventDate(None, None)


def merge_key(event: dict[str, Any], cluster_id: int, when: EventDate) -> str:
    """Reports with one key (and dates within a day) are one real-world event.

    Events with no coded actor or no date merge only within their story cluster:
    "someone attacked someone" in two unrelated stories is not one event.
    """
    actors, recipients = _codes(event.get("actor") or []), _codes(event.get("recipient") or [])
    key = f"{event['type']}|{','.join(actors)}|{','.join(recipients)}|{int(bool(event.get('negated')))}"
    if not actors or when.value is None:
        key += f"|c{cluster_id}"
    return key


def _find_event(conn: sqlite3.Connection, key: str, when: EventDate) -> int | None:
    if when.value is not None and when.precision == "day":
        day = date.fromisoformat(when.value[:10])
        row = conn.execute(
            "SELECT id FROM events WHERE merge_key = ? AND date_precision = 'day'"
            " AND date BETWEEN ? AND ? ORDER BY abs(julianday(date) - julianday(?)), id LIMIT 1",
            (key, (day - timedelta(days=MERGE_DAYS)).isoformat(),
             (day + timedelta(days=MERGE_DAYS)).isoformat(), day.isoformat()),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT id FROM events WHERE merge_key = ? AND date IS ? AND date_precision IS ?"
            " ORDER BY id LIMIT 1", (key, when.value, when.precision),
        ).fetchone()
    return int(row[0]) if row else None


def _store_event(
    conn: sqlite3.Connection, event: dict[str, Any], article: dict[str, Any], article_id: int,
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
        (event_id, article_id, event.get("sentence") or "", event.get("start", 0),
         event.get("end", 0), _texts(event.get("actor")), _texts(event.get("recipient")),
         event.get("modality"), event.get("confidence"),
         int(int(event.get("start", 0)) < first_break), json.dumps(event, ensure_ascii=False)),
    )
    return is_new


def _insert_event(
    conn: sqlite3.Connection, event: dict[str, Any], key: str, when: EventDate, article_id: int,
    cluster_id: int, stamp: str,
) -> int:
    actor = _first(event.get("actor"))
    recipient = _first(event.get("recipient"))
    loc = event.get("location") or {}
    cur = conn.execute(
        "INSERT INTO events(merge_key, type, quad, cameo, mode, context, actor_code, actor_name,"
        " actor_sector, actor_codes, recipient_code, recipient_name, recipient_sector,"
        " recipient_codes, date, date_precision, negated, modality, location_name,"
        " location_country, lat, lon, intensity, confidence, cluster_id, first_article_id, added_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            key, event["type"], event.get("quad") or 0, event.get("cameo"), event.get("mode"),
            json.dumps(event.get("context") or []), actor.get("code"), actor.get("name"),
            actor.get("sector"), json.dumps(_codes(event.get("actor") or [])),
            recipient.get("code"), recipient.get("name"), recipient.get("sector"),
            json.dumps(_codes(event.get("recipient") or [])), when.value, when.precision,
            int(bool(event.get("negated"))), event.get("modality") or "asserted", loc.get("name"),
            loc.get("country"), loc.get("lat"), loc.get("lon"), event.get("intensity"),
            event.get("confidence"), cluster_id, article_id, stamp,
        ),
    )
    return int(cur.lastrowid or 0)


def _first(parties: list[dict[str, Any]] | None) -> dict[str, Any]:
    coded = [p for p in parties or [] if p.get("code")]
    return (coded or parties or [{}])[0]


def _texts(parties: list[dict[str, Any]] | None) -> str | None:
    texts = [str(p.get("text")) for p in parties or [] if p.get("text")]
    return "; ".join(texts) or None


def _first_paragraph_end(body: str) -> int:
    """Where the lead paragraph ends: an event reported there is GDELT's 'root event'."""
    cut = body.find("\n\n")
    return cut if cut > 0 else len(body)
