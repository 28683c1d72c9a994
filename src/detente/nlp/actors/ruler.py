"""An entity ruler fed by the codebook: fixes the base model's known news errors.

The small English model splits "France 24" into a country and a number, tags
"Zelenskyy" as an organisation and "Kyiv" as a person. This component, placed after
``ner``, matches the codebook's names as written (case-sensitive phrase matching) and
overwrites the model's entities where a match is at least as long as what it overlaps.
A longer model entity that contains a match ("the Obama administration") is kept.
"""

from __future__ import annotations

import logging

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .codebook import codebook

logger = logging.getLogger(__name__)

RULER_NAME = "detente_actor_ruler"

# Model labels that a codebook match may always replace, even when longer than the match:
# number-like pieces of a name ("France 24") and nothing that can be an actor.
_WEAK_LABELS = frozenset({"DATE", "CARDINAL", "ORDINAL", "QUANTITY", "TIME", "MONEY", "PERCENT"})


class ActorRuler:
    """Adds codebook names (people, organisations, outlets, places, demonyms) as entities."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        by_label: dict[str, list[Doc]] = {}
        seen: set[tuple[str, str]] = set()
        for text, label in codebook().patterns:
            if (text, label) in seen:
                continue
            seen.add((text, label))
            by_label.setdefault(label, []).append(nlp.make_doc(text))
        for label, docs in by_label.items():
            self.matcher.add(label, docs)
        self.labels = {label: nlp.vocab.strings[label] for label in by_label}

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        if not matches:
            return doc
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in matches]
        found = filter_spans(spans)  # longest first, no overlaps
        doc.ents = merge_entities(list(doc.ents), found)
        return doc


def merge_entities(model: list[Span], ruler: list[Span]) -> list[Span]:
    """The model's entities with ruler matches written over them (see module docstring)."""
    owner: dict[int, Span] = {}
    for ent in model:
        for i in range(ent.start, ent.end):
            owner[i] = ent
    taken: list[Span] = []
    for span in ruler:
        overlapping = {owner[i] for i in range(span.start, span.end) if i in owner}
        if not any(e.start <= span.start and span.end <= e.end and len(e) > len(span)
                   and e.label_ not in _WEAK_LABELS for e in overlapping):
            taken.append(span)
    claimed = {i for span in taken for i in range(span.start, span.end)}
    kept = [e for e in model if not any(i in claimed for i in range(e.start, e.end))]
    return sorted(kept + taken, key=lambda s: s.start)


@Language.factory(RULER_NAME)
def make_actor_ruler(nlp: Language, name: str) -> ActorRuler:
    """spaCy factory for the codebook entity ruler."""
    return ActorRuler(nlp)
