"""detente's stages as spaCy components, for detente's own pipeline and for anyone's.

Four components, registered by factory name (and through the ``spacy_factories`` entry
point, so ``nlp.add_pipe("detente_events")`` works in any pipeline once detente is
installed), in the order they must run:

=================  ==============================  ===============================
component          reads                           assigns
=================  ==============================  ===============================
detente_actors     parse, entities                 ``doc._.detente_entities``
detente_time       parse, entities                 ``doc._.detente_timexes``
detente_quotes     parse, detente_entities         ``doc._.detente_quotes``
detente_events     parse, entities, timexes,       ``doc._.detente_events``
                   quotes
=================  ==============================  ===============================

Each value is a list of dicts in the shape of the contract's result (offsets are
character offsets into ``doc.text``). Relative dates resolve against
``doc._.detente_published`` (a ``datetime.date``), which the caller sets before the
pipe runs. Two helpers make the parse detente's stages expect: ``detente_paragraphs``
(before the parser: a blank line ends a sentence) and ``detente_actor_ruler`` (after
``ner``: codebook names as entities); ``detente_actors`` adds them where they are
missing (config ``parse_helpers = false`` to keep the pipeline as it is), so the four
components by name give what ``detente analyze`` gives.

A stage that raises on one document costs that document only that stage's results:
its list is left empty, ``doc._.detente_notes`` says which stage failed and why, the
traceback is logged, and the next stages run. With ``strict = true`` in the
component's config (``detente analyze --strict``) the error is raised instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc

from ..model import to_jsonable
from .actors import link_actors
from .context import PUBLISHED, DocContext, context_of
from .events import events_stage
from .parse import add_parse_helpers
from .quotes import quotes_stage
from .time import timex_stage

logger = logging.getLogger(__name__)

Output = Literal["entities", "timexes", "quotes", "events"]
StageFunction = Callable[[Doc, DocContext], None]

ACTORS, TIME, QUOTES, EVENTS = "detente_actors", "detente_time", "detente_quotes", "detente_events"
STAGE_NAMES = (ACTORS, TIME, QUOTES, EVENTS)
NOTES = "detente_notes"

for _name in ("detente_entities", "detente_timexes", "detente_quotes", "detente_events", NOTES):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class StageComponent:
    """One detente stage run as a pipeline component, with its failures contained."""

    def __init__(self, nlp: Language, name: str, stage: StageFunction, output: Output,
                 strict: bool) -> None:
        self.nlp = nlp
        self.name = name
        self.stage = stage
        self.output: Output = output
        self.extension = f"detente_{output}"
        self.strict = strict

    def __call__(self, doc: Doc) -> Doc:
        ctx = context_of(doc)
        started = time.perf_counter()
        try:
            self.stage(doc, ctx)
        except Exception as exc:
            if self.strict:
                ctx.release()
                raise
            # Contained, not swallowed: logged with its traceback and noted on the document.
            logger.error("%s failed on a document of %d characters (%s); its %s are left empty",
                         self.name, len(doc.text), _first_words(doc), self.output, exc_info=exc)
            setattr(ctx, self.output, [])
            ctx.notes.append(f"stage {self.name} failed: {exc!r}; its {self.output} are empty, "
                             "the other stages' results are kept")
        logger.debug("%s: %.1f ms, %d %s", self.name, (time.perf_counter() - started) * 1000,
                     len(getattr(ctx, self.output)), self.output)
        doc._.set(self.extension, to_jsonable(getattr(ctx, self.output)))
        doc._.set(NOTES, list(ctx.notes))
        if self._last_of_detente():
            ctx.release()
        return doc

    def _last_of_detente(self) -> bool:
        names = self.nlp.pipe_names
        later = names[names.index(self.name) + 1:] if self.name in names else []
        return not any(name in STAGE_NAMES for name in later)


def _first_words(doc: Doc) -> str:
    words = doc.text[:60].split()
    return repr(" ".join(words[:8]))


_REQUIRES_PARSE = ["token.dep", "token.head", "token.lemma", "token.tag", "doc.ents"]


@Language.factory(ACTORS, default_config={"strict": False, "parse_helpers": True},
                  requires=_REQUIRES_PARSE, assigns=["doc._.detente_entities"])
def make_actors(nlp: Language, name: str, strict: bool, parse_helpers: bool) -> StageComponent:
    """Entities and actor noun phrases coded to country/organisation and sector.

    ``parse_helpers``: add ``detente_paragraphs`` and ``detente_actor_ruler`` to the
    pipeline where they are missing, so that the parse is the one ``detente analyze``
    reads and the results are the same.
    """
    if parse_helpers:
        add_parse_helpers(nlp)
    return StageComponent(nlp, name, link_actors, "entities", strict)


@Language.factory(TIME, default_config={"strict": False}, requires=_REQUIRES_PARSE,
                  assigns=["doc._.detente_timexes"])
def make_time(nlp: Language, name: str, strict: bool) -> StageComponent:
    """Time expressions, typed and resolved against ``doc._.detente_published``."""
    return StageComponent(nlp, name, timex_stage, "timexes", strict)


@Language.factory(QUOTES, default_config={"strict": False},
                  requires=[*_REQUIRES_PARSE, "doc._.detente_entities"],
                  assigns=["doc._.detente_quotes"])
def make_quotes(nlp: Language, name: str, strict: bool) -> StageComponent:
    """Direct, partial, mixed and indirect quotes with speakers and cues."""
    return StageComponent(nlp, name, quotes_stage, "quotes", strict)


@Language.factory(EVENTS, default_config={"strict": False},
                  requires=[*_REQUIRES_PARSE, "doc._.detente_entities", "doc._.detente_timexes",
                            "doc._.detente_quotes"],
                  assigns=["doc._.detente_events"])
def make_events(nlp: Language, name: str, strict: bool) -> StageComponent:
    """PLOVER events with participants, dates, modality and the sentence as evidence."""
    return StageComponent(nlp, name, events_stage, "events", strict)


STAGE_FUNCTIONS: dict[str, StageFunction] = {
    ACTORS: link_actors, TIME: timex_stage, QUOTES: quotes_stage, EVENTS: events_stage,
}


def run_stages(doc: Doc, ctx: DocContext, upto: str = EVENTS) -> DocContext:
    """Run the stages on a parsed Doc in pipeline order, through ``upto``, into ``ctx``.

    For tests and benchmarks that read a stage's indexes afterwards (the components drop
    them after the last stage); errors are raised, not contained.
    """
    for name in STAGE_NAMES[: STAGE_NAMES.index(upto) + 1]:
        STAGE_FUNCTIONS[name](doc, ctx)
    return ctx


__all__ = ["ACTORS", "EVENTS", "NOTES", "PUBLISHED", "QUOTES", "STAGE_FUNCTIONS", "STAGE_NAMES",
           "TIME", "StageComponent", "make_actors", "make_events", "make_quotes", "make_time",
           "run_stages"]
