"""Raw documents -> Results: extraction, then the NLP stages over one parse."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .errors import DetenteError
from .extract import extract_article
from .ingest.sources import ErrorRecord, validate
from .model import Article, RawDocument, Result
from .nlp.context import PUBLISHED, context_of
from .nlp.layout import Layout, layout_of, relocate
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
        prepared = (self._prepare(item) for item in items)
        batch: list[Result | ErrorRecord] = []
        for item in prepared:
            batch.append(item)
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

    def _annotate_batch(
        self, batch: list[Result | ErrorRecord]
    ) -> Iterator[Result | ErrorRecord]:
        todo = [r for r in batch if isinstance(r, Result) and _wants_nlp(r)]
        layouts = [layout_of(r.article) for r in todo]
        docs = self.nlp.pipe(
            self._doc_for(r, lay) for r, lay in zip(todo, layouts, strict=True)
        ) if todo else iter(())
        done = {
            id(r): self._annotate(doc, r, lay)
            for r, lay, doc in zip(todo, layouts, docs, strict=True)
        }
        for item in batch:
            yield done.get(id(item), item)

    def _doc_for(self, result: Result, layout: Layout) -> Doc:
        """The unparsed Doc of ``result``'s text, carrying its publication date."""
        doc = self.nlp.make_doc(layout.text)
        doc._.set(PUBLISHED, result.article.published)
        return doc

    def _annotate(self, doc: Doc, result: Result, layout: Layout) -> Result:
        """The components' typed results, moved into the article's frame."""
        ctx = context_of(doc)
        result.entities, result.timexes = ctx.entities, ctx.timexes
        result.quotes, result.events = ctx.quotes, ctx.events
        result.notes.extend(ctx.notes)
        relocate(result, layout)
        return result


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
