"""Caption items move into their caption's frame; body items keep body offsets."""

from __future__ import annotations

from detente.model import Article, Caption, Entity, Quote, Result, Speaker
from detente.nlp.layout import layout_of, relocate


def _find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def test_caption_entities_are_relocated() -> None:
    article = Article(body="Putin met Macron.", captions=[
        Caption("A view of Kyiv.", "AP"), Caption("Ukrainian soldiers train.", None)])
    layout = layout_of(article)
    assert layout.text == "Putin met Macron.\n\nA view of Kyiv.\n\nUkrainian soldiers train."
    result = Result(id="x", article=article)
    for needle in ("Putin", "Kyiv", "Ukrainian soldiers"):
        start, end = _find(layout.text, needle)
        result.entities.append(Entity(needle, "X", start, end))
    start, end = _find(layout.text, "Macron.\n\nA view")
    result.entities.append(Entity("straddles", "X", start, end))
    relocate(result, layout)
    got = [(e.text, e.caption, e.start, e.end) for e in result.entities]
    assert got == [("Putin", None, 0, 5), ("Kyiv", 0, 10, 14), ("Ukrainian soldiers", 1, 0, 18)]
    for entity in result.entities:
        frame = article.body if entity.caption is None else article.captions[entity.caption].text
        assert frame[entity.start:entity.end] == entity.text


def test_caption_quote_loses_a_body_speaker() -> None:
    article = Article(body="He spoke.", captions=[Caption('"Hold on," a sign reads.', None)])
    layout = layout_of(article)
    result = Result(id="x", article=article)
    start, end = _find(layout.text, '"Hold on,"')
    result.quotes.append(Quote('"Hold on,"', start, end, "direct", None, Speaker("He", 0, 2)))
    relocate(result, layout)
    assert result.quotes[0].caption == 0 and result.quotes[0].start == 0
    assert result.quotes[0].speaker is None
