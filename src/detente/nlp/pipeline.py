"""The spaCy pipeline factory: the model named in settings plus detente's components."""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language

from ..errors import ModelNotFound
from ..settings import Settings


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str) -> Language:
    """Load the spaCy pipeline ``model`` (any installed package name or path)."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotFound(model) from exc
    return nlp


def pipeline_for(settings: Settings) -> Language:
    return load_pipeline(settings.model)
