"""The model's attribute ruler and lemmatizer, with array operations and a cache.

The English pipelines map fine-grained tags to POS and morphology, and fix a few
pronouns and contractions, with an ``attribute_ruler`` of ~180 token patterns run
through spaCy's general ``Matcher``: about a fifth of the small model's parse time.
:func:`fast_attribute_ruler` compiles the same patterns (read from the loaded
component, nothing copied) into column tests over ``Doc.to_array`` and writes the
winning values back with one ``Doc.from_array``. The result is the same, token for
token: rules apply in the order they were added, the last one to set an attribute of a
token wins, exactly as ``AttributeRuler.set_annotations`` does after sorting its matches
(``tests/test_attributes.py`` checks it on real text). Patterns this module does not
understand (operators, other attributes, extension attributes) leave the model's own
component in place.

The rule lemmatizer runs Python code for every token (a Token object, a cache lookup
and a string write each), and for a form it has not seen it tests each candidate lemma
for membership in its word index, which the lookups data stores as lists of up to 57,000
words: a scan of the list each time, about 0.1 ms a new form. :func:`fast_lemmatizer`
keeps the model's own lemmatizer object, gives it that index as sets (the rules only
test membership), asks it only once per (form, POS, morphology) -- everything its rules
and lookup tables read -- and writes the lemmas with one ``Doc.from_array``. Also the
same lemmas, token for token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc

logger = logging.getLogger(__name__)

RULER_NAME = "attribute_ruler"
FAST_NAME = "detente_attribute_ruler"
LEMMATIZER_NAME = "lemmatizer"
FAST_LEMMATIZER_NAME = "detente_lemmatizer"
# Lemmatizers whose answer depends on nothing but a token's form, POS and morphology.
_PURE_LEMMATIZERS = (Lemmatizer, EnglishLemmatizer)
_PURE_MODES = ("rule", "lookup")
_LEMMA_CACHE = 100_000  # (form, POS, morphology) -> lemma; a long run's memory bound
_SPACY_CACHE = 5_000

# Token attributes a pattern may test, by their name in patterns, and those a rule may set.
_TESTED = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
_COLUMNS = (TAG, LOWER, DEP, IS_SPACE)
_SET = (POS, MORPH, LEMMA, TAG, DEP)

Mask = np.ndarray
Test = Callable[[np.ndarray, Doc], Mask]


class Unsupported(ValueError):
    """A pattern this compiler does not handle (the model's component is kept)."""


@dataclass(frozen=True)
class _TokenTest:
    """One token of a pattern: its test, the values it needs present in the Doc
    (column, value: a pattern whose needed value is absent cannot match), and ``key``,
    the same pairs when every part of the test is an equality (else None)."""

    test: Test
    needs: tuple[tuple[int, int], ...]
    key: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class _Rule:
    """One ``AttributeRuler.add`` call: its patterns (token tests), target index and values."""

    patterns: tuple[tuple[_TokenTest, ...], ...]
    index: int
    values: dict[int, int]  # attribute id -> value, as the ruler normalised them


@dataclass
class _Lookup:
    """Single-token rules made only of equalities on the same columns, as one table:
    the columns' values -> for each attribute, the last such rule that sets it."""

    columns: tuple[int, ...]
    best: dict[tuple[int, ...], dict[int, int]]
    sieve: tuple[int, np.ndarray] = (0, np.zeros(0, dtype=np.uint64))

    def add(self, values: tuple[int, ...], number: int, rule: _Rule) -> None:
        slot = self.best.setdefault(values, {})
        for attr in rule.values:
            slot[attr] = max(slot.get(attr, -1), number)
        # Tokens are looked up only where the most varied column holds one of its values.
        at = max(range(len(self.columns)), key=lambda i: len({k[i] for k in self.best}))
        self.sieve = (at, np.array(sorted({k[at] for k in self.best}), dtype=np.uint64))

    def winners(self, columns: np.ndarray, attrs: Sequence[int]) -> dict[int, np.ndarray]:
        """Per attribute and token, the number of the last rule here that sets the attribute
        on the token (or -1)."""
        if len(self.columns) == 1:
            unique, inverse = np.unique(columns[:, self.columns[0]], return_inverse=True)
            slots = [self.best.get((int(v),), {}) for v in unique]
            return {a: np.array([slot.get(a, -1) for slot in slots], dtype=np.int64)[
                inverse.ravel()] for a in attrs}
        out = {a: np.full(len(columns), -1, dtype=np.int64) for a in attrs}
        at, values = self.sieve
        picked = columns[:, list(self.columns)]
        for i in np.flatnonzero(np.isin(picked[:, at], values)):
            slot = self.best.get(tuple(picked[i].tolist()))
            for attr, number in (slot or {}).items():
                out[attr][i] = number
        return out


class FastAttributeRuler:
    """Applies compiled attribute-ruler rules to a Doc (a spaCy component)."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.rules = tuple(rules)
        self.attrs = [a for a in _SET if any(a in r.values for r in self.rules)]
        # Each attribute's value by rule number (0 where the rule does not set it).
        self.table = {a: np.array([r.values.get(a, 0) for r in self.rules], dtype=np.uint64)
                      for a in self.attrs}
        self.lookups: dict[tuple[int, ...], _Lookup] = {}
        self.general: list[tuple[int, _Rule]] = []  # rules matched pattern by pattern
        for number, rule in enumerate(self.rules):
            self._place(number, rule)

    def _place(self, number: int, rule: _Rule) -> None:
        keys = [p[0].key for p in rule.patterns if len(p) == 1]
        if len(keys) != len(rule.patterns) or any(k is None for k in keys):
            self.general.append((number, rule))
            return
        for key in keys:
            assert key is not None
            cols = tuple(c for c, _ in key)
            lookup = self.lookups.setdefault(cols, _Lookup(cols, {}))
            lookup.add(tuple(v for _, v in key), number, rule)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        columns = doc.to_array(list(_COLUMNS))
        present = [set(np.unique(columns[:, c]).tolist()) for c in range(len(_COLUMNS))]
        winner = {a: np.full(n, -1, dtype=np.int64) for a in self.attrs}
        for lookup in self.lookups.values():
            for attr, found in lookup.winners(columns, self.attrs).items():
                np.maximum(winner[attr], found, out=winner[attr])
        for number, rule in self.general:
            targets = _targets(rule, columns, doc, present)
            if targets.size:
                for attr in rule.values:
                    winner[attr][targets] = np.maximum(winner[attr][targets], number)
        touched = [a for a in self.attrs if (winner[a] >= 0).any()]
        if not touched:
            return doc
        values: Any = doc.to_array(touched)
        if values.ndim == 1:
            values = values[:, None]
        for col, attr in enumerate(touched):
            won = winner[attr] >= 0
            values[won, col] = self.table[attr][winner[attr][won]]
        doc.from_array(touched, values)
        return doc


def _targets(rule: _Rule, columns: np.ndarray, doc: Doc, present: list[set[int]]) -> np.ndarray:
    """Indices of the tokens ``rule`` sets (one per match, as the Matcher finds them)."""
    n = len(columns)
    found = []
    for tests in rule.patterns:
        width = len(tests)
        starts = n - width + 1
        if starts <= 0 or any(v not in present[c] for t in tests for c, v in t.needs):
            continue
        hit = np.ones(starts, dtype=bool)
        for offset, token in enumerate(tests):
            hit &= token.test(columns, doc)[offset:offset + starts]
        index = rule.index if rule.index >= 0 else width + rule.index
        found.append(np.flatnonzero(hit) + index)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


# -- compiling ---------------------------------------------------------------------------

def compile_rules(patterns: Sequence[dict[str, Any]], attrs: Sequence[dict[int, Any]],
                  strings: Any) -> list[_Rule]:
    """Rules from an ``AttributeRuler``'s ``patterns`` and its normalised ``attrs``."""
    rules = []
    for entry, values in zip(patterns, attrs, strict=True):
        if any(not isinstance(k, int) or k not in _SET for k in values):
            raise Unsupported(f"a pattern sets {entry['attrs']}")
        compiled = tuple(tuple(_token_test(spec, strings) for spec in pattern)
                         for pattern in entry["patterns"])
        index = int(entry.get("index", 0))
        if any(not -len(p) <= index < len(p) for p in compiled):
            raise Unsupported(f"index {index} outside a pattern of {entry['patterns']}")
        rules.append(_Rule(compiled, index, {int(k): int(v) for k, v in values.items()}))
    return rules


def _token_test(spec: dict[str, Any], strings: Any) -> _TokenTest:
    """One token's pattern dict as a test over the columns (all of its keys must hold)."""
    if not spec:
        raise Unsupported("an empty token pattern")
    tests = [_attr_test(name, value, strings) for name, value in spec.items()]
    needs = tuple((_COLUMNS.index(_TESTED[name]), int(strings[value]))
                  for name, value in spec.items() if name != "IS_SPACE" and isinstance(value, str))
    equalities = needs + tuple((_COLUMNS.index(IS_SPACE), int(value))
                               for name, value in spec.items() if name == "IS_SPACE")
    key = tuple(sorted(equalities)) if len(equalities) == len(spec) else None

    def test(columns: np.ndarray, doc: Doc) -> Mask:
        mask = tests[0](columns, doc)
        for more in tests[1:]:
            mask = mask & more(columns, doc)
        return mask

    return _TokenTest(test, needs, key)


def _attr_test(name: str, value: Any, strings: Any) -> Test:
    if name not in _TESTED:
        raise Unsupported(f"tests {name}")
    col = _COLUMNS.index(_TESTED[name])
    if name == "IS_SPACE":
        if not isinstance(value, bool):
            raise Unsupported(f"IS_SPACE {value!r}")
        return lambda columns, doc: columns[:, col] == int(value)
    if isinstance(value, str):
        key = strings[value]
        return lambda columns, doc: columns[:, col] == key
    if not isinstance(value, dict) or len(value) != 1:
        raise Unsupported(f"{name} {value!r}")
    ((op, arg),) = value.items()
    if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
        keys = np.array([strings[a] for a in arg], dtype=np.uint64)
        inside = op == "IN"
        return lambda columns, doc: np.isin(columns[:, col], keys) == inside
    if op == "REGEX" and isinstance(arg, str):
        return _regex_test(col, re.compile(arg))
    raise Unsupported(f"{name} {value!r}")


def _regex_test(col: int, pattern: re.Pattern[str]) -> Test:
    """A REGEX test (``re.search`` on the attribute's string, as the Matcher does); each
    string is searched once per process (a bounded cache)."""
    seen: dict[int, bool] = {}

    def test(columns: np.ndarray, doc: Doc) -> Mask:
        keys = columns[:, col]
        if len(seen) > _REGEX_CACHE:
            seen.clear()
        hits = []
        for key in np.unique(keys).tolist():
            hit = seen.get(key)
            if hit is None:
                hit = seen[key] = bool(pattern.search(doc.vocab.strings[key]))
            if hit:
                hits.append(key)
        return np.isin(keys, np.array(hits, dtype=np.uint64))

    return test


_REGEX_CACHE = 50_000


# -- the pipeline ------------------------------------------------------------------------

@Language.factory(FAST_NAME, assigns=["token.pos", "token.morph"])
def make_fast_attribute_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    """spaCy factory: compiles the pipeline's ``attribute_ruler`` (which must be there: this
    swaps a live pipeline's component, see :func:`fast_attribute_ruler`)."""
    ruler = nlp.get_pipe(RULER_NAME)
    if not isinstance(ruler, AttributeRuler):
        raise Unsupported(f"is a {type(ruler).__name__}, not spaCy's AttributeRuler")
    return FastAttributeRuler(compile_rules(ruler.patterns, ruler.attrs, nlp.vocab.strings))


def fast_attribute_ruler(nlp: Language) -> bool:
    """Swap the pipeline's ``attribute_ruler`` for the compiled one, under the same name.

    Returns whether it did: a pipeline without the component, or with patterns this
    module does not compile, keeps its own (logged)."""
    return _swap(nlp, RULER_NAME, FAST_NAME, FastAttributeRuler)


def _swap(nlp: Language, name: str, fast_name: str, fast: type) -> bool:
    """Put the component made by the factory ``fast_name`` in place of ``name``, under the
    name ``name``; False (spaCy's own kept) where the factory raises :class:`Unsupported`."""
    if name not in nlp.pipe_names:
        return False
    if isinstance(nlp.get_pipe(name), fast):
        return True  # swapped already
    try:
        nlp.add_pipe(fast_name, after=name)
    except Unsupported as exc:
        logger.info("kept spaCy's %s (%s)", name, exc)
        return False
    nlp.remove_pipe(name)
    nlp.rename_pipe(fast_name, name)
    logger.debug("%s swapped for %s", name, fast.__name__)
    return True


class FastLemmatizer:
    """The model's lemmatizer, asked once per (form, POS, morphology), its word index as sets
    (a spaCy component)."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.cache: dict[tuple[int, int, int], int] = {}
        _index_as_sets(lemmatizer)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        found: Any = doc.to_array([ORTH, POS, MORPH, LEMMA])
        if len(self.cache) > _LEMMA_CACHE:
            self.cache.clear()
        if len(self.lemmatizer.cache) > _SPACY_CACHE:  # spaCy's own, unbounded; ours answers
            self.lemmatizer.cache.clear()
        overwrite = bool(self.lemmatizer.overwrite)
        lemmas = found[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(found.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            value = self.cache.get(key)
            if value is None:
                answer = self.lemmatizer.lemmatize(doc[i])[0]
                value = self.cache[key] = int(doc.vocab.strings.add(answer))
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas)
        return doc


def _index_as_sets(lemmatizer: Lemmatizer) -> None:
    """The rule lemmatizer's word index with each POS's words as a set (the rules ask only
    whether a form is in it); the lemmatizer is this component's own from now on."""
    if lemmatizer.mode != "rule" or "lemma_index" not in lemmatizer.lookups.tables:
        return
    index = lemmatizer.lookups.get_table("lemma_index")
    for key, words in list(index.items()):  # in place: a new Table sizes its filter for 1M keys
        if isinstance(words, list):
            index[key] = frozenset(words)


@Language.factory(FAST_LEMMATIZER_NAME, assigns=["token.lemma"])
def make_fast_lemmatizer(nlp: Language, name: str) -> FastLemmatizer:
    """spaCy factory: wraps the pipeline's ``lemmatizer`` (which must be there and a pure
    one: this swaps a live pipeline's component, see :func:`fast_lemmatizer`)."""
    lemmatizer = nlp.get_pipe(LEMMATIZER_NAME)
    if (not isinstance(lemmatizer, Lemmatizer) or type(lemmatizer) not in _PURE_LEMMATIZERS
            or lemmatizer.mode not in _PURE_MODES):
        raise Unsupported(f"is a {type(lemmatizer).__name__} in mode "
                          f"{getattr(lemmatizer, 'mode', None)!r}")
    return FastLemmatizer(lemmatizer)


def fast_lemmatizer(nlp: Language) -> bool:
    """Swap the pipeline's ``lemmatizer`` for the cached one, under the same name.

    Returns whether it did: a pipeline without one, or with a lemmatizer whose answer
    may depend on more than form, POS and morphology, keeps its own (logged)."""
    return _swap(nlp, LEMMATIZER_NAME, FAST_LEMMATIZER_NAME, FastLemmatizer)
