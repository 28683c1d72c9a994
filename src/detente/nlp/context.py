"""The per-document state detente's components share while a Doc goes through the pipe.

Each component (``nlp/components.py``) finds the document's :class:`DocContext` with
:func:`context_of` and fills its own typed list; later components read what earlier
ones left, through named, typed fields (no string-keyed side channel). ``anchor`` is
the date relative expressions resolve against: ``doc._.detente_published``, set by
the caller before the pipe runs (detente's analyzer sets the given or detected
publication date), else None.

The context is kept beside the Doc, not in ``doc.user_data`` (which spaCy serialises
with msgpack when ``nlp.pipe(n_process=...)`` sends docs between processes): the
public results are on ``doc._.detente_*`` as plain dicts. The last detente component
of a pipeline calls :meth:`DocContext.release`, which drops every structure that
refers to the Doc, so the entry dies with its Doc.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from ..model import Entity, Event, Quote, Timex

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .actors.link import MentionIndex
    from .mentions import Coreference
    from .time.stage import TimexIndex

PUBLISHED = "detente_published"
if not Doc.has_extension(PUBLISHED):
    Doc.set_extension(PUBLISHED, default=None)


@dataclass
class DocContext:
    """One document's results so far, and the indexes one stage hands to the next."""

    anchor: date | None = None
    entities: list[Entity] = field(default_factory=list)
    timexes: list[Timex] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Structures over the Doc, built on first use and dropped by release():
    sents: list[Span] | None = None
    ents: tuple[Span, ...] | None = None
    mentions: MentionIndex | None = None  # the actors stage's mention index
    timex_index: TimexIndex | None = None  # the time stage's resolved timexes
    coref: Coreference | None = None  # who pronouns and role nominals stand for

    def release(self) -> None:
        """Drop what refers to the Doc; the typed results stay."""
        self.sents = None
        self.ents = None
        self.mentions = None
        self.timex_index = None
        self.coref = None


_CONTEXTS: weakref.WeakKeyDictionary[Doc, DocContext] = weakref.WeakKeyDictionary()


def context_of(doc: Doc) -> DocContext:
    """The document's context, made on first use with the Doc's publication date."""
    ctx = _CONTEXTS.get(doc)
    if ctx is None:
        published = doc._.get(PUBLISHED)
        ctx = _CONTEXTS[doc] = DocContext(anchor=published if isinstance(published, date) else None)
    return ctx


def sentences(doc: Doc, ctx: DocContext) -> list[Span]:
    """The doc's sentences, listed once per document and shared by every stage.

    ``doc.sents`` walks every token anew on each access; the stages need it several times.
    """
    if ctx.sents is None:
        ctx.sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    return ctx.sents


def doc_ents(doc: Doc, ctx: DocContext) -> tuple[Span, ...]:
    """The doc's entities, made into spans once per document (``Doc.ents`` makes them anew)."""
    if ctx.ents is None:
        ctx.ents = tuple(doc.ents)
    return ctx.ents
