"""What every NLP stage receives besides the parsed Doc."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from spacy.tokens import Doc, Span

from ..model import Result
from ..settings import Settings


@dataclass
class DocContext:
    """The article being analysed and the results filled so far.

    Stages run in order (actors, time, quotes, events); each fills its own list
    in ``result`` and may read what earlier stages filled. ``anchor`` is the
    date relative expressions resolve against: the caller's ``published``, else
    the detected publication date, else None.
    """

    result: Result
    settings: Settings
    anchor: date | None = None
    # Internal structures one stage hands to a later one (e.g. the actor linker's
    # mention index); keys are the producing module's name.
    shared: dict[str, Any] = field(default_factory=dict)


class Stage(Protocol):
    def __call__(self, doc: Doc, ctx: DocContext) -> None: ...


def sentences(doc: Doc, ctx: DocContext) -> list[Span]:
    """The doc's sentences, listed once per document and shared by every stage.

    ``doc.sents`` walks every token anew on each access; the stages need it several times.
    """
    cached = ctx.shared.get("sentences")
    if cached is None:
        cached = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        ctx.shared["sentences"] = cached
    sents: list[Span] = cached
    return sents


def doc_ents(doc: Doc, ctx: DocContext) -> tuple[Span, ...]:
    """The doc's entities, made into spans once per document (``Doc.ents`` makes them anew)."""
    cached = ctx.shared.get("ents")
    if cached is None:
        cached = ctx.shared["ents"] = tuple(doc.ents)
    ents: tuple[Span, ...] = cached
    return ents
