"""Small span helpers shared by the stages."""

from __future__ import annotations

import logging

from spacy.tokens import Span

logger = logging.getLogger(__name__)


def split_at(span: Span, cuts: list[int]) -> list[Span]:
    """The non-empty pieces of ``span`` between the tokens at ``cuts`` (dropped)."""
    doc, pieces, start = span.doc, [], span.start
    for cut in cuts:
        if cut > start:
            pieces.append(doc[start:cut])
        start = cut + 1
    if start < span.end:
        pieces.append(doc[start : span.end])
    return pieces
