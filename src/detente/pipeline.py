"""Raw documents -> Results: extraction, then the NLP stages over one parse.

A batch never dies of one input. Extraction that fails gives that input an
ErrorRecord; when ``nlp.pipe`` raises on a batch (any exception type), what it had
not finished is analysed again one document at a time, so only the document it fails
on gets an ErrorRecord. A text longer than the parser's ``nlp.max_length`` is
analysed in pieces of at most ``PIECE_CHARS`` characters cut at paragraph breaks,
each with the article's publication date, and the pieces' entities, timexes, quotes
and events are merged with their offsets moved into the article's frame (the result
carries a note saying so); with the setting ``long_documents = "refuse"`` such a
document gets an ErrorRecord instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from .errors import ConfigError, DetenteError
from .extract import extract_article
from .ingest.sources import ErrorRecord, validate
from .model import Article, RawDocument, Result
from .nlp.context import PUBLISHED, context_of
from .nlp.layout import Layout, Piece, layout_of, relocate, shift, split_pieces
from .nlp.pipeline import pipeline_for
from .settings import Settings, load_settings

logger = logging.getLogger(__name__)

# A small page that touches every stage's data: extraction, places, actors, time,
# quotes and events.
_WARM_UP = (
    "World news\n\nLeaders meet in Paris\n\nBy A Reporter\n\n"
    "PARIS (AP) - French President Emmanuel Macron spoke with Russian President Vladimir "
    "Putin by phone on Friday, the Elysee said. \"We want peace,\" Macron told reporters "
    "in Paris after the call. Russia has denied that it plans to invade Ukraine, and NATO "
    "said in December that it would send more troops to Poland.\n"
)


class Analyzer:
    """Analyses documents one by one or in batches; loads the model once, lazily."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = pipeline_for(self.settings)
        return self._nlp

    def warm_up(self) -> None:
        """Load the model and every lexicon, index and classifier now, not in the first
        article (one small built-in page runs through every stage)."""
        from .nlp.places import place_index

        place_index()
        self.analyze(RawDocument(id="warm-up", text=_WARM_UP))

    def analyze(self, raw: RawDocument) -> Result:
        """Analyse one document; raises DetenteError on input it cannot use."""
        for item in self.analyze_many([raw]):
            if isinstance(item, ErrorRecord):
                raise DetenteError(item.error)
            return item
        raise AssertionError("analyze_many yielded nothing")  # pragma: no cover

    def analyze_many(
        self, items: Iterable[RawDocument | ErrorRecord]
    ) -> Iterator[Result | ErrorRecord]:
        """Results in input order; an input that fails yields an ErrorRecord."""
        batch: list[_Prepared] = []
        for item in items:
            batch.append(_Prepared(self._prepare(item), _source_of(item)))
            if len(batch) >= self.settings.batch_size:
                yield from self._annotate_batch(batch)
                batch = []
        if batch:
            yield from self._annotate_batch(batch)

    def _prepare(self, item: RawDocument | ErrorRecord) -> Result | ErrorRecord:
        if isinstance(item, ErrorRecord):
            return item
        try:
            validate(item, self.settings)
            article = extract_article(item)
        except DetenteError as exc:
            return ErrorRecord(id=item.id, error=str(exc))
        except Exception as exc:  # a bug must not sink the batch: report it
            return ErrorRecord(id=item.id, error=f"{item.source}: extraction failed: {exc!r}")
        result = Result(id=item.id, article=article)
        note = skip_note(article, self.settings)
        if note is not None:
            result.notes.append(note)
        return result

    def _annotate_batch(self, batch: list[_Prepared]) -> Iterator[Result | ErrorRecord]:
        """``batch`` annotated, in its order: a document the pipeline fails on gets an
        ErrorRecord, the others their results."""
        planned = [self._plan(p.item, p.source) for p in batch
                   if isinstance(p.item, Result) and _wants_nlp(p.item)]
        done: dict[int, Result | ErrorRecord] = {}
        plans = []
        for plan in planned:
            if isinstance(plan.refusal, ErrorRecord):
                done[id(plan.result)] = plan.refusal
            else:
                plans.append(plan)
        done.update(self._run_together([p for p in plans if len(p.pieces) == 1]))
        for plan in plans:
            if len(plan.pieces) > 1:
                done[id(plan.result)] = self._run_alone(plan)
        for prepared in batch:
            yield done.get(id(prepared.item), prepared.item)

    def _plan(self, result: Result, source: str) -> _Plan:
        """How ``result``'s text goes through the parser: whole, or in pieces when it is
        longer than the parser takes (or refused, as ``long_documents`` says)."""
        layout = layout_of(result.article)
        plan = _Plan(result, source, layout, [Piece(0, layout.text)])
        limit = self.nlp.max_length
        if len(layout.text) <= limit:
            return plan
        if long_documents(self.settings) == "refuse":
            plan.refusal = ErrorRecord(id=result.id, error=(
                f"{source}: the text to analyse has {len(layout.text):,} characters, over "
                f"the parser's limit of {limit:,} (set long_documents = \"split\" in "
                "detente.toml to analyse it in pieces, or split the document)"))
            return plan
        plan.pieces = split_pieces(layout.text, min(limit, PIECE_CHARS))
        logger.info("%s: %d characters, analysed in %d pieces", source, len(layout.text),
                    len(plan.pieces))
        result.notes.append(
            f"the text has {len(layout.text):,} characters, over the parser's limit of "
            f"{limit:,}: it was analysed in {len(plan.pieces)} pieces cut at paragraph "
            "breaks (a quote or event spanning a cut is not found)")
        return plan

    def _run_together(self, plans: list[_Plan]) -> dict[int, Result | ErrorRecord]:
        """One ``nlp.pipe`` over ``plans`` (one piece each); if it raises, whatever it
        had not yet finished is redone one document at a time."""
        done: dict[int, Result | ErrorRecord] = {}
        if not plans:
            return done
        try:
            docs = self.nlp.pipe(self._doc_for(p.result, p.pieces[0]) for p in plans)
            for plan, doc in zip(plans, docs, strict=True):
                done[id(plan.result)] = self._finish(plan, [_found(plan.result, doc, 0)])
        except Exception as exc:  # any failure: find the document it was
            if self.strict:
                raise  # --strict: a stage's error stops the run (for development)
            logger.warning("a batch of %d failed (%r): analysing it one by one", len(plans), exc)
            for plan in plans:
                if id(plan.result) not in done:
                    done[id(plan.result)] = self._run_alone(plan)
        return done

    def _run_alone(self, plan: _Plan) -> Result | ErrorRecord:
        """``plan``'s pieces through the pipeline one at a time (one parse in memory at
        once); an ErrorRecord if any piece fails."""
        found, where = [], ""
        try:
            for number, piece in enumerate(plan.pieces, start=1):
                if len(plan.pieces) > 1:
                    where = f"piece {number} of {len(plan.pieces)}"
                doc = self.nlp(self._doc_for(plan.result, piece))
                found.append(_found(plan.result, doc, piece.start))
            where = ""
            return self._finish(plan, found)
        except Exception as exc:  # one document's failure, whatever its type
            if self.strict:
                raise
            logger.warning("%s: analysis failed: %r", plan.source, exc, exc_info=True)
            return ErrorRecord(id=plan.result.id, error=_failure(plan.source, exc, where))

    @property
    def strict(self) -> bool:
        """Whether a stage's error is to be raised, not noted (``--strict``, or a component
        configured ``strict``)."""
        return self.settings.strict or any(
            getattr(component, "strict", False) is True for _, component in self.nlp.pipeline)

    def _doc_for(self, result: Result, piece: Piece) -> Doc:
        """The unparsed Doc of ``piece``, carrying its article's publication date."""
        doc = self.nlp.make_doc(piece.text)
        doc._.set(PUBLISHED, result.article.published)
        return doc

    def _finish(self, plan: _Plan, found: list[Result]) -> Result:
        """The pieces' items, in the article's frame, on ``plan``'s result."""
        result = plan.result
        result.entities = [e for part in found for e in part.entities]
        result.timexes = [t for part in found for t in part.timexes]
        result.quotes = [q for part in found for q in part.quotes]
        result.events = [e for part in found for e in part.events]
        for part in found:
            result.notes.extend(n for n in part.notes if n not in result.notes)
        relocate(result, plan.layout)
        return result


# Pieces of a text over the parser's limit are at most this long (or the limit, if
# lower): a smaller parse takes less memory and the pieces' items merge the same.
PIECE_CHARS = 100_000
LONG_DOCUMENTS = ("split", "refuse")


@dataclass
class _Prepared:
    """An input after extraction, with where it came from (for error messages)."""

    item: Result | ErrorRecord
    source: str


@dataclass
class _Plan:
    """One document on its way through the parser: its layout and the pieces parsed."""

    result: Result
    source: str
    layout: Layout
    pieces: list[Piece]
    refusal: ErrorRecord | None = None  # too long, and long_documents = "refuse"


def _source_of(item: RawDocument | ErrorRecord) -> str:
    return item.source if isinstance(item, RawDocument) else item.id


def long_documents(settings: Settings) -> str:
    """What to do with a text over the parser's limit: "split" (the default) or "refuse"."""
    value = str(getattr(settings, "long_documents", "split"))
    if value not in LONG_DOCUMENTS:
        raise ConfigError(
            f"long_documents = {value!r}: write \"split\" (analyse in pieces) or \"refuse\"")
    return value


def _found(result: Result, doc: Doc, start: int) -> Result:
    """What the components found in ``doc`` (a piece starting at ``start``), shifted into
    the whole text's frame."""
    ctx = context_of(doc)
    part = Result(id=result.id, article=result.article, entities=ctx.entities,
                  timexes=ctx.timexes, quotes=ctx.quotes, events=ctx.events, notes=ctx.notes)
    shift(part, start)
    return part


def _failure(source: str, exc: BaseException, where: str) -> str:
    """The error record's message for a document the pipeline failed on."""
    detail = repr(exc)
    if len(detail) > 300:
        detail = detail[:300] + "..."
    if exc.__cause__ is not None:  # spaCy wraps a component's KeyError in a ValueError
        detail += f", caused by {exc.__cause__!r:.200}"
    at = f" in {where}" if where else ""
    return (f"{source}: the NLP pipeline failed on this document{at} ({detail}); it was "
            "skipped and the other documents were analysed: please report it with the document")


def skip_note(article: Article, settings: Settings) -> str | None:
    """Why the NLP stages skip ``article`` (a note for the result), or None if they run."""
    if article.language not in settings.nlp_languages:
        return (f"language is '{article.language}': the English NLP stages were skipped "
                "(entities, timexes, quotes and events are empty)")
    if not article.body.strip():
        return "no article body was found: the NLP stages were skipped"
    return None


def _wants_nlp(result: Result) -> bool:
    return not result.notes and bool(result.article.body.strip())


def analyze_text(text: str, *, published: str | None = None, analyzer: Analyzer | None = None) -> Result:
    """Convenience for the Python API: analyse one text dump."""
    from datetime import date

    raw = RawDocument(
        id="text", text=text, published=date.fromisoformat(published) if published else None
    )
    return (analyzer or Analyzer()).analyze(raw)


def article_only(raw: RawDocument) -> Article:
    """Extraction alone, without loading a model."""
    return extract_article(raw)


def text_to_parse(raw: RawDocument, settings: Settings | None = None) -> str | None:
    """The text the spaCy pipeline parses for ``raw`` (body, then captions), or None where
    the NLP stages are skipped (another language, no body). Needs no model."""
    article = extract_article(raw)
    if skip_note(article, settings or load_settings()) is not None:
        return None
    return layout_of(article).text
