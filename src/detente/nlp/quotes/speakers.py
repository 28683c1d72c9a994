"""Speaker mentions for the quotes stage: the phrase, and who it resolves to.

A speaker keeps the mention that is grammatically the source ("he", "the
president", "an aide"); its ``name`` is who the document's coreference
(``nlp/mentions.py``, shared with the events stage) says the mention stands for.
Codes and sectors come from the actors stage (``nlp/actors``).
"""

from __future__ import annotations

import logging

from spacy.tokens import Span, Token

from ...model import Actor, Speaker
from ..actors import actor_for_span
from ..context import DocContext
from ..mentions import Coreference, resolve, speaker_lexicon, strip_article, strip_possessive

logger = logging.getLogger(__name__)

# Children that do not belong to a speaker's name phrase.
_CUT_DEPS = frozenset(
    {"relcl", "acl", "appos", "punct", "advcl", "parataxis", "ccomp", "cc", "conj", "prep"}
)
# More to cut from a name the parser made its sentence's root ("Trump/ROOT charges/dobj that").
_ROOT_CUT_DEPS = _CUT_DEPS | {"dobj", "nsubj", "xcomp", "mark", "attr", "acomp", "dative", "oprd"}


def speaker_phrase(token: Token) -> Span:
    """The noun phrase a subject token heads, without relative clauses or appositions."""
    keep = [token.i]
    cut = _ROOT_CUT_DEPS if token.dep_ == "ROOT" else _CUT_DEPS
    for child in token.children:
        if child.dep_ in cut and not (child.dep_ == "prep" and child.i > token.i) and not (
                _names_role(token, child)):
            continue
        keep.extend(t.i for t in child.subtree)
    lo, hi = min(keep), max(keep)
    doc = token.doc
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space):
        hi -= 1
    return doc[lo : hi + 1]


def _names_role(role: Token, child: Token) -> bool:
    """'the spokesman, John Smith,': a person's name set right after a role noun names it
    (the phrase keeps it; "John Smith, the spokesman" needs no more than the name)."""
    if child.dep_ != "appos" or role.pos_ != "NOUN" or child.ent_type_ != "PERSON":
        return False
    return all(t.ent_type_ == "PERSON" or t.is_punct for t in child.subtree)


def make_speaker(index: Coreference, phrase: Span, ctx: DocContext, stands_for: Span | None = None) -> Speaker:
    """A Speaker for ``phrase``: the mention as written, resolved name, actor code; a
    relative pronoun ("who") is resolved through the phrase it ``stands_for``."""
    named = stands_for if stands_for is not None else phrase
    resolution = resolve(index, named)
    is_pronoun = len(named) == 1 and named[0].lower_ in speaker_lexicon().pronouns
    name = resolution.name
    if name is None and not is_pronoun:
        name = strip_article(strip_possessive(named.text))
    if name is not None:
        index.speakers[name] = index.speakers.get(name, 0) + 1
    actor = _code(resolution.span if resolution.span is not None else named, ctx, is_pronoun)
    return Speaker(
        text=phrase.text,
        start=phrase.start_char,
        end=phrase.end_char,
        name=name,
        code=actor.code if actor else None,
        sector=actor.sector if actor else None,
    )


def _code(span: Span, ctx: DocContext, is_pronoun: bool) -> Actor | None:
    if is_pronoun and len(span) == 1 and span[0].pos_ == "PRON":
        return None
    return actor_for_span(span, ctx)
