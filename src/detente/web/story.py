"""A stored story's annotations as spans to mark in its body and captions.

Entities link to their actor's page, quotes to their speaker's, event triggers to the
event in the story's list of events; time expressions carry their value as a title.
"""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup

from ..store.pages import Record
from .marks import Span, mark

logger = logging.getLogger(__name__)


def _actor_href(code: Any) -> str | None:
    return f"/actor/{code}" if code else None


def _in_frame(item: Record, caption: int | None) -> bool:
    return item.get("caption") == caption


def entity_spans(result: Record, caption: int | None = None) -> list[Span]:
    spans = []
    for e in result.get("entities") or []:
        if not _in_frame(e, caption):
            continue
        actor = e.get("actor") or {}
        title = e.get("label") or ""
        if actor:
            title += f" · {actor.get('name')} ({actor.get('code')}{' ' + actor['sector'] if actor.get('sector') else ''})"
        spans.append(Span(e["start"], e["end"], "entity", _actor_href(actor.get("code")), title))
    return spans


def timex_spans(result: Record, caption: int | None = None) -> list[Span]:
    return [Span(t["start"], t["end"], "timex", None, f"{t.get('type')} {t.get('value') or ''}".strip())
            for t in result.get("timexes") or [] if _in_frame(t, caption)]


def quote_spans(result: Record, caption: int | None = None) -> list[Span]:
    spans = []
    for i, q in enumerate(result.get("quotes") or []):
        if not _in_frame(q, caption):
            continue
        speaker = q.get("speaker") or {}
        who = speaker.get("name") or speaker.get("text") or "no source named"
        code = speaker.get("code")
        spans.append(Span(q["start"], q["end"], f"quote {q.get('kind') or ''}".strip(),
                          _actor_href(code), f"{q.get('kind')} quote: {who}", f"quote-{i}"))
        if speaker.get("text") and speaker.get("end", 0) > speaker.get("start", 0):
            spans.append(Span(speaker["start"], speaker["end"], "speaker", _actor_href(code),
                              f"speaker: {who}"))
    return spans


def event_spans(events: list[Record], caption: int | None = None) -> list[Span]:
    """Each event's trigger (else its sentence), linked to the event in the list."""
    spans = []
    for row in events:
        event = row["event"]
        if not _in_frame(event, caption):
            continue
        trigger = event.get("trigger") or {}
        start, end = (trigger["start"], trigger["end"]) if trigger else (row["start"], row["end"])
        who = f"{row.get('actor_code') or '?'} → {row.get('recipient_code') or '?'}"
        spans.append(Span(start, end, "event", f"#event-{row['id']}",
                          f"{row['type']} ({who}), {row.get('modality')}", f"mark-{row['source_id']}"))
    return spans


def marked(text: str, result: Record, events: list[Record], caption: int | None = None) -> Markup:
    """``text`` (the body, or caption number ``caption``) with every annotation marked."""
    spans = [*event_spans(events, caption), *quote_spans(result, caption),
             *entity_spans(result, caption), *timex_spans(result, caption)]
    return mark(text, spans)
