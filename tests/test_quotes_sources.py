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
    assert (quote.speaker.text or "").endswith("Berg"), quote.speaker


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


def test_source_after_said_that_the_parser_took_for_an_object() -> None:
    # 'The plan will fail, said another official, Ruth Ames.' with "official" as the object
    doc = parse([
        ("The", True, 1, "det", "DET", "DT", "the"),
        ("plan", True, 3, "nsubj", "NOUN", "NN", "plan"),
        ("will", True, 3, "aux", "AUX", "MD", "will"),
        ("fail", False, 5, "ccomp", "VERB", "VB", "fail"),
        (",", True, 5, "punct", "PUNCT", ",", ","),
        ("said", True, 5, "ROOT", "VERB", "VBD", "say"),
        ("another", True, 7, "det", "DET", "DT", "another"),
        ("official", False, 5, "dobj", "NOUN", "NN", "official"),
        (",", True, 7, "punct", "PUNCT", ",", ","),
        ("Ruth", True, 10, "compound", "PROPN", "NNP", "Ruth"),
        ("Ames", False, 7, "appos", "PROPN", "NNP", "Ames"),
        (".", False, 5, "punct", "PUNCT", ".", "."),
    ], people=((9, 11),))
    [quote] = quotes(doc)
    assert quote.text == "The plan will fail", quote
    assert quote.speaker is not None and quote.speaker.text == "another official, Ruth Ames", quote


def test_no_source_after_said_before_the_report() -> None:
    # 'Tom left, cited the remarks.': no report before the verb, so its object is no source
    doc = parse([
        ("Tom", True, 1, "nsubj", "PROPN", "NNP", "Tom"),
        ("left", False, 1, "ROOT", "VERB", "VBD", "leave"),
        (",", True, 1, "punct", "PUNCT", ",", ","),
        ("cited", True, 1, "dep", "VERB", "VBD", "cite"),
        ("the", True, 5, "det", "DET", "DT", "the"),
        ("remarks", False, 3, "dobj", "NOUN", "NNS", "remark"),
        (".", False, 1, "punct", "PUNCT", ".", "."),
    ], people=((0, 1),))
    assert all(q.speaker is None or q.speaker.text != "the remarks" for q in quotes(doc))


def test_speech_verb_tagged_as_a_plural_noun_after_a_quotation() -> None:
    # '“Staff must leave by Friday,” the memo states.' with "states" tagged NNS
    doc = parse([
        ("“", False, 10, "punct", "PUNCT", "``", "“"),
        ("Staff", True, 3, "nsubj", "NOUN", "NN", "staff"),
        ("must", True, 3, "aux", "AUX", "MD", "must"),
        ("leave", True, 10, "ccomp", "VERB", "VB", "leave"),
        ("by", True, 3, "prep", "ADP", "IN", "by"),
        ("Friday", False, 4, "pobj", "PROPN", "NNP", "Friday"),
        (",", False, 10, "punct", "PUNCT", ",", ","),
        ("”", True, 10, "punct", "PUNCT", "''", "”"),
        ("the", True, 10, "det", "DET", "DT", "the"),
        ("memo", True, 10, "compound", "NOUN", "NN", "memo"),
        ("states", False, 10, "ROOT", "NOUN", "NNS", "state"),
        (".", False, 10, "punct", "PUNCT", ".", "."),
    ])
    [quote] = quotes(doc)
    assert quote.kind == "direct" and quote.cue == "states", quote
    assert quote.speaker is not None and quote.speaker.text == "memo", quote


def test_that_said_opens_no_report() -> None:
    # 'That said, the agency says the border is open.' with "said" an aside of "says"
    doc = parse([
        ("That", True, 1, "nsubj", "PRON", "DT", "that"),
        ("said", False, 5, "parataxis", "VERB", "VBD", "say"),
        (",", True, 5, "punct", "PUNCT", ",", ","),
        ("the", True, 4, "det", "DET", "DT", "the"),
        ("agency", True, 5, "nsubj", "NOUN", "NN", "agency"),
        ("says", True, 5, "ROOT", "VERB", "VBZ", "say"),
        ("the", True, 7, "det", "DET", "DT", "the"),
        ("border", True, 8, "nsubj", "NOUN", "NN", "border"),
        ("is", True, 5, "ccomp", "AUX", "VBZ", "be"),
        ("open", False, 8, "acomp", "ADJ", "JJ", "open"),
        (".", False, 5, "punct", "PUNCT", ".", "."),
    ])
    [quote] = quotes(doc)
    assert quote.cue == "says" and quote.text == "the border is open", quote
    assert quote.speaker is not None and quote.speaker.text == "the agency", quote
