"""Long documents and failing batches in the analyzer (issue 14).

A text longer than the parser's ``nlp.max_length`` is analysed in pieces cut at
paragraph breaks, and what each piece yields is moved back into the article's frame
(``long_documents = "split"``, the default), or refused with an error record
(``"refuse"``). When ``nlp.pipe`` raises on a batch, the batch is redone one document
at a time: only the bad document gets an error record.
"""

from __future__ import annotations

import dataclasses
import os
import re
import resource
import time
from collections.abc import Iterator
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from detente.ingest.sources import ErrorRecord
from detente.model import Article, Caption, Event, Quote, RawDocument, Result, Speaker, Trigger
from detente.nlp.layout import layout_of, relocate, shift, split_pieces
from detente.pipeline import PIECE_CHARS, Analyzer
from detente.settings import Settings
from ingest_helpers import STORY

# -- cutting a text into pieces ----------------------------------------------------------


def test_pieces_are_cut_after_paragraph_breaks() -> None:
    paragraphs = [f"Paragraph {i} says something about talks in Geneva." for i in range(40)]
    text = "\n\n".join(paragraphs)
    pieces = split_pieces(text, 300)
    assert "".join(p.text for p in pieces) == text
    assert all(len(p.text) <= 300 for p in pieces) and len(pieces) > 1
    for piece in pieces:
        assert text[piece.start:piece.start + len(piece.text)] == piece.text
    for piece in pieces[:-1]:
        assert piece.text.endswith(".\n\n")  # whole paragraphs only


def test_one_long_paragraph_is_cut_after_a_sentence_then_whitespace_then_anywhere() -> None:
    sentences = " ".join(f"Sentence {i} is about the ceasefire (\"a truce\")." for i in range(50))
    pieces = split_pieces(sentences, 200)
    assert "".join(p.text for p in pieces) == sentences
    assert all(re.search(r"\.\"?\)?\.?\s$", p.text) for p in pieces[:-1])
    words = "word " * 100
    assert all(p.text.endswith(" ") for p in split_pieces(words, 33)[:-1])
    solid = "x" * 1000
    assert [len(p.text) for p in split_pieces(solid, 300)] == [300, 300, 300, 100]


def test_a_short_text_is_one_piece() -> None:
    assert [(p.start, p.text) for p in split_pieces("short", 10)] == [(0, "short")]
    with pytest.raises(ValueError):
        split_pieces("text", 0)


def _event(start: int, end: int, trigger: Trigger) -> Event:
    return Event(type="CONSULT", mode=None, context=[], actor=[], recipient=[], date=None,
                 date_precision=None, negated=False, modality="asserted", location=None,
                 intensity=1.0, quad=1, cameo=None, sentence="", start=start, end=end,
                 confidence=0.5, trigger=trigger)


def test_a_shared_trigger_or_speaker_moves_once() -> None:
    article = Article(body="x" * 50, captions=[Caption("Leaders met in Paris.")])
    layout = layout_of(article)
    base = layout.caption_starts[0]
    trigger = Trigger("met", base + 8, base + 11)
    speaker = Speaker("Leaders", base, base + 7)
    result = Result(id="r", article=article,
                    events=[_event(base, base + 21, trigger), _event(base, base + 21, trigger)],
                    quotes=[Quote("met in Paris", base + 8, base + 20, "indirect", None, speaker),
                            Quote("in Paris", base + 12, base + 20, "indirect", None, speaker)])
    shift(result, 100)
    assert (trigger.start, speaker.start) == (base + 108, base + 100)
    shift(result, -100)
    relocate(result, layout)
    assert (trigger.start, trigger.end, speaker.start, speaker.end) == (8, 11, 0, 7)
    assert all(e.caption == 0 and (e.start, e.end) == (0, 21) for e in result.events)


# -- the analyzer on a blank pipeline: batches that raise --------------------------------

BOMBS: dict[str, type[BaseException]] = {
    "Bombvalue": ValueError, "Bombrecursion": RecursionError,
    "Bombmemory": MemoryError, "Bombkey": KeyError,
}


@Language.component("test_bomb")
def _bomb(doc: Doc) -> Doc:
    for word, kind in BOMBS.items():
        if word in doc.text:
            raise kind(word)
    return doc


def blank_analyzer(settings: Settings | None = None, max_length: int | None = None) -> Analyzer:
    """An Analyzer on a blank English pipeline plus the bomb (no model to load)."""
    analyzer = Analyzer(settings or Settings())
    nlp = spacy.blank("en")
    nlp.add_pipe("test_bomb")
    if max_length is not None:
        nlp.max_length = max_length
    analyzer._nlp = nlp
    return analyzer


def doc(i: int, extra: str = "") -> RawDocument:
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in STORY.split(". "))
    html = (f"<html><body><article><h1>Headline number {i}</h1>{paragraphs}"
            f"<p>Report {i} {extra}.</p></article></body></html>")
    return RawDocument(id=f"d{i}", html=html, source=f"in/d{i}.html")


def test_a_raising_batch_is_redone_one_by_one() -> None:
    poison = {2: "Bombvalue", 5: "Bombrecursion", 6: "Bombmemory", 9: "Bombkey"}
    items = [doc(i, poison.get(i, "")) for i in range(12)]
    out = list(blank_analyzer(Settings(batch_size=4)).analyze_many(items))
    assert [o.id for o in out] == [f"d{i}" for i in range(12)]
    for i, item in enumerate(out):
        if i in poison:
            assert isinstance(item, ErrorRecord)
            assert f"in/d{i}.html" in item.error and BOMBS[poison[i]].__name__ in item.error
            assert "skipped" in item.error
        else:
            assert isinstance(item, Result) and f"Report {i}" in item.article.body


def test_long_text_refused_when_the_setting_says_so() -> None:
    @dataclasses.dataclass(frozen=True)
    class Refusing(Settings):
        long_documents: str = "refuse"

    out = list(blank_analyzer(Refusing(), max_length=300).analyze_many([doc(1), doc(2)]))
    assert all(isinstance(o, ErrorRecord) for o in out)
    assert "over the parser's limit of 300" in out[0].error and "in/d1.html" in out[0].error
    split = list(blank_analyzer(max_length=300).analyze_many([doc(1)]))
    assert isinstance(split[0], Result) and "pieces" in split[0].notes[0]


# -- the real pipeline --------------------------------------------------------------------


def _spans(result: Result) -> Iterator[tuple[str, int, int, str]]:
    """(frame text, start, end, expected text) of every offset the result carries."""
    article = result.article

    def frame(caption: int | None) -> str:
        return article.body if caption is None else article.captions[caption].text

    for e in result.entities:
        yield frame(e.caption), e.start, e.end, e.text
    for t in result.timexes:
        yield frame(t.caption), t.start, t.end, t.text
    for q in result.quotes:
        yield frame(q.caption), q.start, q.end, q.text
        if q.speaker is not None and q.speaker.text is not None:
            yield frame(q.caption), q.speaker.start, q.speaker.end, q.speaker.text
    for ev in result.events:
        yield frame(ev.caption), ev.start, ev.end, ev.sentence
        if ev.trigger is not None:
            yield frame(ev.caption), ev.trigger.start, ev.trigger.end, ev.trigger.text


def assert_offsets_index_the_text(result: Result) -> None:
    for text, start, end, expected in _spans(result):
        assert text[start:end] == expected


@pytest.mark.model
def test_a_small_limit_splits_the_seed_and_the_offsets_still_hold(
    analyzer: Any, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = RawDocument(id="seed", text=seed_text)
    whole = analyzer.analyze(raw)
    monkeypatch.setattr(analyzer.nlp, "max_length", 700)
    split = analyzer.analyze(raw)
    assert "pieces" in split.notes[0]
    assert_offsets_index_the_text(split)
    found = {(e.text, e.start, e.caption) for e in split.entities}
    expected = {(e.text, e.start, e.caption) for e in whole.entities}
    assert len(found & expected) >= 0.9 * len(expected)
    assert {e.type for e in split.events} >= {e.type for e in whole.events} - {"CONSULT"}
    assert len(split.timexes) >= 0.9 * len(whole.timexes)


PARAGRAPHS = (
    "Ukrainian and Russian negotiators met in Istanbul on {day} for round {n} of talks, "
    "the Turkish foreign ministry said.",
    "\"We are ready to discuss a ceasefire, but not at any price,\" Ukraine's foreign "
    "minister told reporters after meeting {n}, adding that Kyiv would not give up territory.",
    "The Kremlin said on {day} that Moscow had rejected proposal number {n} and accused "
    "Western governments of sending weapons that prolong the war.",
    "Protesters gathered outside the parliament in Tbilisi on {day} night, and police "
    "detained {n} people, the interior ministry said in a statement.",
    "The European Union agreed to impose new sanctions on {n} Russian banks, officials in "
    "Brussels said, while Germany pledged {n} million euros in humanitarian aid.",
    "Chinese President Xi Jinping spoke with French President Emmanuel Macron by phone on "
    "{day}, and the two leaders called for a political settlement of the conflict.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def long_page(chars: int) -> str:
    """An HTML article of about ``chars`` characters of realistic, varied paragraphs."""
    paragraphs, size, i = [], 0, 0
    while size < chars:
        text = PARAGRAPHS[i % len(PARAGRAPHS)].format(day=DAYS[i % len(DAYS)], n=i + 2)
        paragraphs.append(f"<p>{text}</p>")
        size, i = size + len(text) + 7, i + 1
    return ("<html><head><title>Talks resume</title></head><body><article>"
            "<h1>Talks resume as fighting goes on</h1>" + "".join(paragraphs)
            + "</article></body></html>")


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("DETENTE_HUGE_TESTS"),
                    reason="parses 2.5 MB with the model: about 260 s of CPU (150-500 s), too "
                           "long for CI; set DETENTE_HUGE_TESTS=1 to run it (the seed test above "
                           "covers the same path with a lowered limit)")
def test_a_two_and_a_half_megabyte_article_is_analysed_in_pieces(analyzer: Any) -> None:
    page = long_page(2_500_000)
    started, cpu = time.perf_counter(), time.process_time()
    result = analyzer.analyze(RawDocument(id="long", html=page, source="long.html"))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(result.article.body) > analyzer.nlp.max_length
    assert "pieces" in result.notes[0]
    assert_offsets_index_the_text(result)
    body = result.article.body
    for piece in split_pieces(body, min(analyzer.nlp.max_length, PIECE_CHARS)):
        end = piece.start + len(piece.text)  # every piece was analysed, not just the first
        assert any(piece.start <= e.start < end for e in result.events)
        assert any(piece.start <= e.start < end for e in result.entities)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"2.5 MB article: {seconds:.0f} s ({cpu:.0f} s CPU), {len(result.entities)} entities, "
          f"{len(result.events)} events, peak {peak:.0f} MB")
