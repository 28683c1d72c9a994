"""The parse detente's stages expect: two helper components around the model's own,
and the model's attribute ruler compiled.

``detente_paragraphs`` (before the parser) starts a sentence after every blank line:
the small model otherwise runs a photo credit into the next paragraph's sentence.
``detente_actor_ruler`` (after ``ner``, ``nlp/actors/ruler.py``) writes codebook names
over the model's entities. The model's ``attribute_ruler`` is swapped for the same
rules applied as array tests, and its ``lemmatizer`` is asked once per form, POS and
morphology (``nlp/attributes.py``: the same output in less time).
:func:`add_parse_helpers` does it all.
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc

from .actors import RULER_NAME
from .attributes import fast_attribute_ruler, fast_lemmatizer

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


def add_parse_helpers(nlp: Language) -> None:
    """Add the paragraph splitter (before the parser) and the codebook ruler (after ner),
    each unless the pipeline has it already; compile the model's attribute ruler and
    cache its lemmatizer (same output, less time: ``nlp/attributes.py``)."""
    fast_attribute_ruler(nlp)
    fast_lemmatizer(nlp)
    if "parser" in nlp.pipe_names and PARAGRAPHS_NAME not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS_NAME, before="parser")
        logger.debug("added %s before the parser", PARAGRAPHS_NAME)
    if RULER_NAME not in nlp.pipe_names:
        if "ner" in nlp.pipe_names:
            nlp.add_pipe(RULER_NAME, after="ner")
        else:
            nlp.add_pipe(RULER_NAME, last=True)
        logger.debug("added %s", RULER_NAME)
