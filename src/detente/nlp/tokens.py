"""A parsed document's token attributes as plain lists, read once per document.

spaCy makes a new ``Token`` object for every ``doc[i]``, every ``token.head`` and
every token of a span it iterates, and looks each string attribute up anew; the
stages test the same attributes of the same tokens many times. ``token_table(doc)``
reads the attributes every stage tests into Python lists in one ``Doc.to_array``
call, and keeps one ``Token`` per position, so a scan over a sentence is a list
walk and only the tokens that pass a cheap test are touched as objects.

The table describes the parse as the pipeline left it: the stages read the doc and
never change it. The last table is kept (one slot), since the stages run one
document at a time; a call with another doc builds a new one.
"""

from __future__ import annotations

import functools
import logging

import numpy
from spacy.attrs import DEP, ENT_TYPE, HEAD, IS_PUNCT, LEMMA, LOWER, ORTH, POS, SPACY, TAG
from spacy.strings import StringStore
from spacy.tokens import Doc, Span, Token

logger = logging.getLogger(__name__)

_ATTRS = [ORTH, LOWER, POS, TAG, DEP, ENT_TYPE, LEMMA, HEAD, IS_PUNCT, SPACY]
# English base noun phrases: spaCy's syntax iterator for English, on the table.
_NP_DEPS = frozenset({"oprd", "nsubj", "dobj", "nsubjpass", "pcomp", "pobj", "dative", "appos",
                      "attr", "ROOT"})
_NOMINAL = frozenset({"NOUN", "PROPN", "PRON"})


class TokenTable:
    """Per-token attributes of one doc, by token index; each column is read on first use."""

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        self.doc = doc
        self.tokens: list[Token] = list(doc)
        self._text = text
        self._chunks: list[tuple[int, int]] | None = None
        self._array = doc.to_array(_ATTRS) if self.tokens else None

    def _strings(self, attr: int) -> list[str]:
        if self._array is None:
            return []
        return _strings(self.doc.vocab.strings, self._array[:, _ATTRS.index(attr)].tolist())

    @functools.cached_property
    def orth(self) -> list[str]:
        return self._strings(ORTH)

    @functools.cached_property
    def lower(self) -> list[str]:
        return self._strings(LOWER)

    @functools.cached_property
    def pos(self) -> list[str]:
        return self._strings(POS)

    @functools.cached_property
    def tag(self) -> list[str]:
        return self._strings(TAG)

    @functools.cached_property
    def dep(self) -> list[str]:
        return self._strings(DEP)

    @functools.cached_property
    def ent_type(self) -> list[str]:
        return self._strings(ENT_TYPE)

    @functools.cached_property
    def lemma(self) -> list[str]:
        """Lemmas lower-cased, as the lexicons key them."""
        return [_LOWERED.get(s) or _lowered(s) for s in self._strings(LEMMA)]

    @functools.cached_property
    def head(self) -> list[int]:
        """The head's index (a root is its own head)."""
        if self._array is None:
            return []
        offsets = self._array[:, _ATTRS.index(HEAD)].view(numpy.int64)
        heads: list[int] = (offsets + numpy.arange(len(offsets))).tolist()
        return heads

    @functools.cached_property
    def is_punct(self) -> list[bool]:
        return self._flags(IS_PUNCT)

    @functools.cached_property
    def space(self) -> list[bool]:
        """Whether a space follows the token."""
        return self._flags(SPACY)

    def _flags(self, attr: int) -> list[bool]:
        if self._array is None:
            return []
        flags: list[bool] = self._array[:, _ATTRS.index(attr)].astype(bool).tolist()
        return flags

    @property
    def text(self) -> str:
        """The doc's text (``Doc.text`` joins every token anew)."""
        if self._text is None:
            self._text = self.doc.text
        return self._text

    def text_of(self, span: Span) -> str:
        """``span.text`` without walking its tokens."""
        return self.text[span.start_char : span.end_char]

    def noun_chunks(self) -> list[tuple[int, int]]:
        """(start, end) of each base noun phrase, as ``doc.noun_chunks`` gives them."""
        if self._chunks is None:
            doc = self.doc
            if doc.lang_ != "en" or not self.tokens or not doc.has_annotation("DEP"):
                self._chunks = [(c.start, c.end) for c in doc.noun_chunks]
            else:
                self._chunks = list(self._english_chunks())
        return self._chunks

    def _english_chunks(self) -> list[tuple[int, int]]:
        pos, dep, head, tokens = self.pos, self.dep, self.head, self.tokens
        out = []
        prev_end = -1
        for i, tag in enumerate(pos):
            if tag not in _NOMINAL:
                continue
            left = tokens[i].left_edge.i
            if left <= prev_end:  # no nested chunks
                continue
            if dep[i] in _NP_DEPS:
                prev_end = i
                out.append((left, i + 1))
            elif dep[i] == "conj":
                h = head[i]
                while dep[h] == "conj" and head[h] < h:
                    h = head[h]
                if dep[h] in _NP_DEPS:  # coordinated to a noun phrase
                    prev_end = i
                    out.append((left, i + 1))
        return out


_last: list[TokenTable] = []


def token_table(doc: Doc) -> TokenTable:
    """The table of ``doc``, built on the first call for it."""
    if _last and _last[0].doc is doc:
        return _last[0]
    table = TokenTable(doc)
    _last[:] = [table]
    return table


# Hash -> string, for every string seen (a hash always names the same string).
_STRINGS: dict[int, str] = {0: ""}
_LOWERED: dict[str, str] = {}


def _strings(strings: StringStore, hashes: list[int]) -> list[str]:
    known = _STRINGS
    if len(known) > 500_000:  # a bound on a long run's memory
        known.clear()
        known[0] = ""
    for h in set(hashes).difference(known):
        known[h] = strings[h]
    return list(map(known.__getitem__, hashes))


def _lowered(s: str) -> str:
    if len(_LOWERED) > 200_000:
        _LOWERED.clear()
    low = _LOWERED[s] = s.lower()
    return low
