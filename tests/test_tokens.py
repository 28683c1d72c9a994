"""The per-document token table: the same attributes, chunks and texts as spaCy's own."""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from spacy.tokens import Doc

from detente.nlp.tokens import TokenTable, token_table


def _hand_parsed() -> Doc:
    # "The Russian troops and NATO's jets crossed into Ukraine on Friday ."
    words = ["The", "Russian", "troops", "and", "NATO", "'s", "jets", "crossed", "into", "Ukraine",
             "on", "Friday", "."]
    heads = [2, 2, 7, 2, 6, 4, 2, 7, 7, 8, 7, 10, 7]
    deps = ["det", "amod", "nsubj", "cc", "poss", "case", "conj", "ROOT", "prep", "pobj", "prep",
            "pobj", "punct"]
    pos = ["DET", "ADJ", "NOUN", "CCONJ", "PROPN", "PART", "NOUN", "VERB", "ADP", "PROPN", "ADP",
           "PROPN", "PUNCT"]
    tags = ["DT", "JJ", "NNS", "CC", "NNP", "POS", "NNS", "VBD", "IN", "NNP", "IN", "NNP", "."]
    lemmas = ["the", "Russian", "troop", "and", "NATO", "'s", "jet", "cross", "into", "Ukraine", "on",
              "Friday", "."]
    spaces = [True] * 11 + [False, False]
    spaces[4] = False  # "NATO's"
    ents = ["O", "B-NORP", "O", "O", "B-ORG", "O", "O", "O", "O", "B-GPE", "O", "B-DATE", "O"]
    return Doc(spacy.blank("en").vocab, words=words, spaces=spaces, heads=heads, deps=deps,
               pos=pos, tags=tags, lemmas=lemmas, ents=ents)


def _expected(doc: Doc) -> list[tuple[Any, ...]]:
    return [(t.text, t.lower_, t.pos_, t.tag_, t.dep_, t.ent_type_, t.lemma_.lower(), t.head.i,
             t.is_punct, bool(t.whitespace_)) for t in doc]


def _table_rows(table: TokenTable) -> list[tuple[Any, ...]]:
    return list(zip(table.orth, table.lower, table.pos, table.tag, table.dep, table.ent_type,
                    table.lemma, table.head, table.is_punct, table.space, strict=True))


def test_columns_match_token_attributes() -> None:
    doc = _hand_parsed()
    table = TokenTable(doc)
    assert _table_rows(table) == _expected(doc)
    assert [t.i for t in table.tokens] == list(range(len(doc)))


def test_noun_chunks_match_spacy() -> None:
    doc = _hand_parsed()
    assert TokenTable(doc).noun_chunks() == [(c.start, c.end) for c in doc.noun_chunks]
    assert TokenTable(doc).noun_chunks() == [(0, 3), (4, 7), (9, 10), (11, 12)]


def test_text_of_is_span_text() -> None:
    doc = _hand_parsed()
    table = TokenTable(doc)
    for span in [doc[0:3], doc[4:7], doc[7:13], doc[12:13], doc[3:3], *doc.ents]:
        assert table.text_of(span) == span.text
    assert TokenTable(doc, text=doc.text).text == doc.text


def test_one_table_per_doc() -> None:
    first, second = _hand_parsed(), _hand_parsed()
    assert token_table(first) is token_table(first)
    assert token_table(second).doc is second
    assert token_table(first).doc is first  # rebuilt for the other doc


def test_empty_and_unparsed_docs() -> None:
    nlp = spacy.blank("en")
    empty = TokenTable(nlp(""))
    assert empty.tokens == [] and empty.lower == [] and empty.head == [] and empty.noun_chunks() == []
    words = TokenTable(nlp("Kyiv said no."))
    assert words.lower == ["kyiv", "said", "no", "."]
    assert words.head == [0, 1, 2, 3]  # no parse: each token its own head, as spaCy has it
    with pytest.raises(ValueError):  # as doc.noun_chunks without a parse
        words.noun_chunks()


@pytest.mark.model
def test_model_parse_matches_spacy(analyzer: Any, seed_text: str) -> None:
    doc = analyzer.nlp(seed_text)
    table = TokenTable(doc)
    assert _table_rows(table) == _expected(doc)
    assert table.noun_chunks() == [(c.start, c.end) for c in doc.noun_chunks]
    for sent in doc.sents:
        assert table.text_of(sent) == sent.text
