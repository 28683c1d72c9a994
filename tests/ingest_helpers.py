"""Hand-built results and a model-free analyzer for the store, ingest and export tests.

A document's text may carry event lines ``EVENT <TYPE> <ACTOR> <RECIPIENT|-> <DATE|->``;
the fake analyzer turns each into an Event, so tests control exactly what is stored
without depending on the NLP stages.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from detente.ingest.sources import ErrorRecord
from detente.model import (
    QUAD,
    Actor,
    Article,
    Entity,
    Event,
    EventActor,
    Location,
    Quote,
    RawDocument,
    Result,
    Speaker,
    Timex,
)

STORY = (
    "Russian forces shelled the city of Kharkiv on Tuesday, officials said, as talks between "
    "the foreign ministers of France and Russia ended without agreement. The governor of the "
    "region said three people were wounded and a school was damaged in the strikes, which "
    "began before dawn and lasted several hours. Ukraine's president called on Western allies "
    "to send more air defence systems and accused Moscow of targeting civilians deliberately. "
    "The Kremlin denied the accusation and said its forces struck only military targets. "
    "Diplomats in Brussels said the European Union was preparing a new package of sanctions."
)


def event(kind: str, actor: str | None, recipient: str | None, when: str | None,
          sentence: str = "", start: int = 0) -> Event:
    """A hand-built event (codes double as names)."""
    return Event(
        type=kind, mode=None, context=[],
        actor=[EventActor(text=actor, name=actor, code=actor, sector="GOV")] if actor else [],
        recipient=[EventActor(text=recipient, name=recipient, code=recipient, sector=None)]
        if recipient else [],
        date=when, date_precision="day" if when else None, negated=False, modality="asserted",
        location=Location(name="Kharkiv", country="UKR", lat=49.99, lon=36.23),
        intensity=-5.0, quad=QUAD[kind], cameo=None, sentence=sentence or f"{actor} {kind} {recipient}",
        start=start, end=start + 10, confidence=0.9,
    )


def result(doc_id: str, body: str, *, title: str | None = None, url: str | None = None,
           published: str | None = None, events: Iterable[Event] = ()) -> Result:
    """A hand-built Result with one entity, timex and quote taken from ``body``."""
    article = Article(title=title, url=url, body=body, publisher="Example News",
                      published=date.fromisoformat(published) if published else None)
    first = body.split()[0] if body.split() else ""
    return Result(
        id=doc_id, article=article,
        entities=[Entity(text=first, label="NORP", start=0, end=len(first),
                         actor=Actor(name="Russia", code="RUS", sector=None))],
        timexes=[Timex(text="Tuesday", start=0, end=7, type="DATE", value=published)],
        quotes=[Quote(text="its forces struck only military targets", start=0, end=10,
                      kind="indirect", cue="said",
                      speaker=Speaker(text="The Kremlin", start=0, end=11, name="Kremlin",
                                      code="RUS", sector="GOV"))],
        events=list(events),
    )


class FakeAnalyzer:
    """Stands in for detente.pipeline.Analyzer: no model, events read from the text."""

    def __init__(self, settings: Any = None) -> None:
        self.settings = settings
        self.delay = float(os.environ.get("DETENTE_FAKE_DELAY", "0"))

    def warm_up(self) -> None:
        """Nothing to load."""

    def analyze_many(self, items: Iterable[RawDocument | ErrorRecord]) -> Iterator[Result | ErrorRecord]:
        for item in items:
            if isinstance(item, ErrorRecord):
                yield item
                continue
            if self.delay:
                time.sleep(self.delay)
            text = item.text or item.html or ""
            if "FAIL" in text:
                yield ErrorRecord(id=item.id, error=f"{item.source}: analysis failed: FAIL marker")
                continue
            done = self._result(item, text)
            if "BROKEN_STAGE" in text:  # as when one stage raises: the article stays, with a note
                done.quotes = []
                done.notes.append("stage detente_quotes failed: ValueError('BROKEN_STAGE marker')")
            yield done

    def _result(self, raw: RawDocument, text: str) -> Result:
        lines = text.splitlines()
        events = []
        for number, line in enumerate(lines):
            parts = line.split()
            if len(parts) == 5 and parts[0] == "EVENT":
                _, kind, actor, recipient, when = parts
                events.append(event(kind, actor, None if recipient == "-" else recipient,
                                    None if when == "-" else when, sentence=line, start=number))
        published = raw.published.isoformat() if raw.published else None
        return result(raw.id, text.strip(), title=lines[0] if lines else None, url=raw.url,
                      published=published, events=events)


def fake_analyzer(settings: Any) -> FakeAnalyzer:
    """The analyzer factory the ingest tests pass (``IngestOptions(analyzer_factory=...)``);
    module-level, so it pickles where workers are spawned."""
    return FakeAnalyzer(settings)


def event_corpus(folder: Path, docs: int, *, first: str = "", bad: str = "doc999.txt") -> Path:
    """``docs`` text dumps for the fake analyzer: events (some repeated: merged), every
    fourth a near-copy of the one before (clustered), ``first`` added to the first one,
    and one input that fails in analysis (``bad``: reported, never stored)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        base = i - 1 if i % 4 == 3 else i
        body = f"Headline {i}\n\n{STORY} Paragraph {base} of the report.\n"
        body += f"EVENT ASSAULT RUS UKR 2022-05-{10 + base % 5:02d}\n"
        if i % 3 == 0:
            body += f"EVENT CONSULT FRA RUS 2022-05-{10 + i % 4:02d}\n"
        if i % 7 == 0:
            body += f"EVENT PROTEST - - 2022-06-0{1 + i % 5}\n"
        if i == 0:
            body += first
        (folder / f"doc{i:03d}.txt").write_text(body, "utf-8")
    (folder / bad).write_text("FAIL in analysis")
    return folder
