"""Speakers where the parse goes wrong (nlp/quotes/sources.py), on hand-built parses."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

from detente.model import Quote
from detente.nlp.context import DocContext
from detente.nlp.quotes.finder import quotes_stage

# (word, space after, head, dep, POS, tag, lemma)
Row = tuple[str, bool, int, str, str, str, str]


def parse(rows: list[Row], people: tuple[tuple[int, int], ...] = ()) -> Doc:
    """A Doc with the given parse, one sentence, and PERSON entities over token ranges."""
    nlp = spacy.blank("en")
    doc = Doc(
        nlp.vocab, words=[r[0] for r in rows], spaces=[r[1] for r in rows],
        heads=[r[2] for r in rows], deps=[r[3] for r in rows], pos=[r[4] for r in rows],
        tags=[r[5] for r in rows], lemmas=[r[6] for r in rows],
        sent_starts=[i == 0 for i in range(len(rows))],
    )
    doc.ents = [Span(doc, lo, hi, label="PERSON") for lo, hi in people]
    return doc


def quotes(doc: Doc) -> list[Quote]:
    ctx = DocContext()
    quotes_stage(doc, ctx)
    return ctx.quotes


def test_subject_inside_the_quotation_gives_way_to_the_name_before_the_cue() -> None:
    # '“We will win,” Chief Anna Berg said.' parsed with "said" conjoined to "win" and no
    # subject of its own: the climb reaches "We", inside the quotation
    doc = parse([
        ("“", False, 3, "punct", "PUNCT", "``", "“"),
        ("We", True, 3, "nsubj", "PRON", "PRP", "we"),
        ("will", True, 3, "aux", "AUX", "MD", "will"),
        ("win", False, 3, "ROOT", "VERB", "VB", "win"),
        (",", False, 3, "punct", "PUNCT", ",", ","),
        ("”", True, 3, "punct", "PUNCT", "''", "”"),
        ("Chief", True, 8, "compound", "PROPN", "NNP", "Chief"),
        ("Anna", True, 8, "compound", "PROPN", "NNP", "Anna"),
        ("Berg", True, 3, "dep", "PROPN", "NNP", "Berg"),
        ("said", False, 3, "conj", "VERB", "VBD", "say"),
        (".", False, 3, "punct", "PUNCT", ".", "."),
    ], people=((7, 9),))
    [quote] = quotes(doc)
    assert quote.kind == "direct" and quote.speaker is not None, quote
    assert quote.speaker.text.endswith("Berg"), quote.speaker


def test_name_after_the_cue_when_the_parse_gives_no_subject() -> None:
    # '“We will win,” said Anna Berg.' with "Berg" hung off the quotation's verb
    doc = parse([
        ("“", False, 3, "punct", "PUNCT", "``", "“"),
        ("We", True, 3, "nsubj", "PRON", "PRP", "we"),
        ("will", True, 3, "aux", "AUX", "MD", "will"),
        ("win", False, 3, "ROOT", "VERB", "VB", "win"),
        (",", False, 3, "punct", "PUNCT", ",", ","),
        ("”", True, 3, "punct", "PUNCT", "''", "”"),
        ("said", True, 3, "conj", "VERB", "VBD", "say"),
        ("Anna", True, 8, "compound", "PROPN", "NNP", "Anna"),
        ("Berg", False, 3, "dobj", "PROPN", "NNP", "Berg"),
        (".", False, 3, "punct", "PUNCT", ".", "."),
    ], people=((7, 9),))
    [quote] = quotes(doc)
    assert quote.speaker is not None and quote.speaker.text == "Anna Berg", quote


def test_dateline_subject_gives_way_to_the_person_beside_it() -> None:
    # 'OSLO -- Anna Berg said the talks failed.' parsed with the dateline as the subject
    doc = parse([
        ("OSLO", True, 4, "nsubj", "PROPN", "NNP", "OSLO"),
        ("--", True, 0, "punct", "PUNCT", ":", "--"),
        ("Anna", True, 3, "compound", "PROPN", "NNP", "Anna"),
        ("Berg", True, 0, "appos", "PROPN", "NNP", "Berg"),
        ("said", True, 4, "ROOT", "VERB", "VBD", "say"),
        ("the", True, 6, "det", "DET", "DT", "the"),
        ("talks", True, 7, "nsubj", "NOUN", "NNS", "talk"),
        ("failed", False, 4, "ccomp", "VERB", "VBD", "fail"),
        (".", False, 4, "punct", "PUNCT", ".", "."),
    ], people=((2, 4),))
    [quote] = quotes(doc)
    assert quote.speaker is not None and quote.speaker.text == "Anna Berg", quote


def test_name_before_the_cue_overrides_a_subject_the_parser_found_elsewhere() -> None:
    # '“We won,” Anna Berg said as Tom left.' parsed with "Tom" as the subject of "said"
    doc = parse([
        ("“", False, 2, "punct", "PUNCT", "``", "“"),
        ("We", True, 2, "nsubj", "PRON", "PRP", "we"),
        ("won", False, 7, "ccomp", "VERB", "VBD", "win"),
        (",", False, 2, "punct", "PUNCT", ",", ","),
        ("”", True, 2, "punct", "PUNCT", "''", "”"),
        ("Anna", True, 6, "compound", "PROPN", "NNP", "Anna"),
        ("Berg", True, 2, "npadvmod", "PROPN", "NNP", "Berg"),
        ("said", True, 7, "ROOT", "VERB", "VBD", "say"),
        ("as", True, 10, "mark", "SCONJ", "IN", "as"),
        ("Tom", True, 7, "nsubj", "PROPN", "NNP", "Tom"),
        ("left", False, 7, "advcl", "VERB", "VBD", "leave"),
        (".", False, 7, "punct", "PUNCT", ".", "."),
    ], people=((5, 7), (9, 10)))
    [quote] = quotes(doc)
    assert quote.speaker is not None and quote.speaker.text == "Anna Berg", quote
