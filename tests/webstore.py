"""A small store for the web app's tests, built through ``Database.add`` (no model needed).

Hand-written stories (the Macron-Putin call with entities, time expressions, quotes,
events with triggers, a caption with its credit, an overruled banner date, a copy by a
second outlet) plus a generated stream (``detente.analysis.synthetic``) with a burst of
fighting, so the home page and the dyad chart have alerts to show.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import detente
from detente.analysis.synthetic import Burst, Pair, Stream, write_results
from detente.model import (
    Actor,
    Article,
    Caption,
    Entity,
    Event,
    EventActor,
    Quote,
    Result,
    Speaker,
    Timex,
    Trigger,
)

CALL_BODY = (
    "French President Emmanuel Macron and Russian President Vladimir Putin spoke by telephone "
    "on Friday about the crisis in Ukraine.\n\n"
    '"We agreed that the situation calls for de-escalation," Macron said after the call.\n\n'
    "Putin told Macron that Russia had no plans to attack Ukraine, the Kremlin said."
)
CALL_WEEK = "2022-W04"
CALL_DAY = "2022-01-28"


def _span(body: str, text: str, after: int = 0) -> tuple[int, int]:
    start = body.index(text, after)
    return start, start + len(text)


def call_result(outlet: str = "Courthouse News Service", suffix: str = "") -> Result:
    """The seed's story: a call between Macron and Putin, fully annotated."""
    body = CALL_BODY
    macron, putin = Actor("Emmanuel Macron", "FRA", "GOV"), Actor("Vladimir Putin", "RUS", "GOV")
    m1, p1 = _span(body, "Emmanuel Macron"), _span(body, "Vladimir Putin")
    m2 = _span(body, "Macron", m1[1])
    q = _span(body, "We agreed that the situation calls for de-escalation,")
    friday = _span(body, "Friday")
    sentence = _span(body, body[: body.index("\n\n")])
    trigger = _span(body, "spoke")
    quote_sentence = _span(body, '"We agreed that the situation calls for de-escalation," Macron said after the call.')
    agreed = _span(body, "agreed")
    return Result(
        id=f"call{suffix}",
        article=Article(
            title="Hopes for de-escalation over Ukraine grow as Macron, Putin talk",
            publisher=outlet, url=f"https://{outlet.split()[0].lower()}.example/call{suffix}",
            published=date(2022, 1, 28), page_date=date(2023, 12, 8),
            published_evidence="story's weekdays fit; page date bar 2023-12-08 overruled",
            captions=[Caption("Ukrainian soldiers train near Yavoriv on Friday, Jan. 28, 2022.",
                              "AP Photo/Pavlo Palamarchuk")],
            body=body,
        ),
        entities=[
            Entity("Emmanuel Macron", "PERSON", *m1, macron),
            Entity("Vladimir Putin", "PERSON", *p1, putin),
            Entity("Macron", "PERSON", *m2, macron),
            Entity("Ukrainian", "NORP", 0, 9, Actor("Ukraine", "UKR", None), caption=0),
        ],
        timexes=[Timex("Friday", *friday, "DATE", "2022-01-28")],
        quotes=[Quote("We agreed that the situation calls for de-escalation,", *q, "direct", "said",
                      Speaker("Macron", *m2, "Emmanuel Macron", "FRA", "GOV"))],
        events=[
            Event("CONSULT", "phone", ["diplomatic"],
                  [EventActor("Emmanuel Macron", "Emmanuel Macron", "FRA", "GOV")],
                  [EventActor("Vladimir Putin", "Vladimir Putin", "RUS", "GOV")],
                  CALL_DAY, "day", False, "asserted", None, 1.0, 1, "040",
                  body[sentence[0]:sentence[1]], *sentence, 0.9, trigger=Trigger("spoke", *trigger)),
            Event("AGREE", None, [], [EventActor("We", "Emmanuel Macron", "FRA", "GOV")], [],
                  CALL_DAY, "day", False, "reported", None, 2.5, 1, "030",
                  body[quote_sentence[0]:quote_sentence[1]], *quote_sentence, 0.8,
                  trigger=Trigger("agreed", *agreed)),
        ],
    )


def build(path: Path) -> Path:
    """Write the test store at ``path`` (a new file) and return it."""
    db = detente.open(path)
    try:
        db.add(call_result())
        db.add(call_result("Daily Wire Service", "-copy"))
        write_results(db, Stream(
            start=date(2021, 11, 1), weeks=13, filler=15.0, outlets=8,
            pairs=(Pair("RUS", "UKR", 3, 0.5),),
            bursts=(Burst("RUS", "UKR", 12, "escalation", 24),), seed=7,
        ))
    finally:
        db.close()
    return path
