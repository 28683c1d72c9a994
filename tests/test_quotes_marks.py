"""Quotation-mark pairing (no model needed)."""

from __future__ import annotations

from detente.nlp.quotes.marks import find_marked_spans


def _texts(text: str) -> list[str]:
    return [text[m.start : m.end] for m in find_marked_spans(text)]


def test_curly_and_straight() -> None:
    text = 'He said “one thing” and "another thing" today.'
    assert _texts(text) == ["“one thing”", '"another thing"']


def test_apostrophes_are_not_quotes() -> None:
    assert _texts("Clinton's voters' choice isn't theirs.") == []


def test_single_quotes() -> None:
    assert _texts("Christie called it ‘a disgrace’ on Monday.") == ["‘a disgrace’"]


def test_double_apostrophe_marks() -> None:
    text = "''It is over,'' he said. ''We lost.''"
    assert _texts(text) == ["''It is over,''", "''We lost.''"]


def test_multi_paragraph_quote() -> None:
    text = "She said: “First part.\n\n“Second part.”\n\nAfter."
    spans = find_marked_spans(text)
    assert len(spans) == 1
    assert spans[0].paragraphs == 2
    assert text[spans[0].start : spans[0].end] == "“First part.\n\n“Second part.”"


def test_unclosed_quote_ends_with_its_paragraph() -> None:
    text = "He said “this never closes.\n\nNew paragraph."
    spans = find_marked_spans(text)
    assert [text[m.start : m.end] for m in spans] == ["“this never closes."]
    assert spans[0].closed is False


def test_wrong_way_curly_mark_opens() -> None:
    text = "”Mr. Smith is wrong about this,” said Jane."
    assert _texts(text) == ["”Mr. Smith is wrong about this,”"]


def test_straight_mark_ending_its_line_opens_nothing() -> None:
    text = 'The poll closed.\n\n"\n\n“We are worried,” said the chair.'
    assert _texts(text) == ["“We are worried,”"]


def test_curly_quotation_inside_a_straight_mark_that_never_closes() -> None:
    text = '"The crowd cheered, chanting “Four more years!”\n\nThe end.'
    assert _texts(text) == ["“Four more years!”"]


def test_straight_quotation_holding_a_curly_one_is_kept() -> None:
    text = '"I will read you the question: “Is it fair?” Many said no," he said.'
    assert _texts(text) == ['"I will read you the question: “Is it fair?” Many said no,"']


def test_transcript_label_mark_opens_nothing() -> None:
    text = '"HOST: Will you attend?\n\n"GUEST: Well, it is a “circus.” But yes.'
    assert _texts(text) == ["“circus.”"]
