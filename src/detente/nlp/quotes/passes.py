"""Passes over the quotes stage's findings: "Name: ..." paragraphs, nested reports
dropped, and reports that a paragraph-final ", X said." frames widened to the paragraph."""

from __future__ import annotations

import logging
from itertools import pairwise
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from ...model import QuoteKind
from .lexicon import third_person_of
from .records import Attribution, Content, overlap_ratio

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .finder import QuoteFinder

_NESTED_OVERLAP = 0.5  # a report inside another that covers this much of it is the same one
_LABEL_CHARS = 40  # a "Name:" label sits at the very start of its paragraph
_LABEL_TOKENS = 5
_LABEL_NAME_WORDS = 3  # "Rush Limbaugh:", not "Veto Power Impedes Peace Efforts:"
_LABEL_MIN_WORDS = 3
_HEADLINE_NAME_WORDS = 5  # "Senate Minority Leader Harry Reid Says ..."

Found = list[tuple[Content, Attribution | None]]


def extend_reports(found: Found, text: str, doc: Doc) -> Found:
    """A report framed by a paragraph-final ", X said." covers the whole paragraph when
    no other quote lies in it ("C2I plants trees. The trees soak up carbon. An acre
    can convert 156 tons, Mr. Van Voorhis said.")."""
    extended: Found = []
    for content, attribution in found:
        if content.kind in ("indirect", "mixed") and attribution is not None:
            content = _extend_report(found, content, doc[attribution.cue_token], text)
        extended.append((content, attribution))
    return extended


def _extend_report(found: Found, content: Content, cue: Token, text: str) -> Content:
    para_lo = text.rfind("\n", 0, content.start) + 1
    para_hi = text.find("\n", content.end)
    para_hi = len(text) if para_hi < 0 else para_hi
    if any(c is not content and c.end > para_lo and c.start < para_hi for c, _ in found):
        return content
    sent = cue.sent
    if (
        content.end <= cue.idx
        and content.start <= sent.start_char + 1
        and text[cue.idx : para_hi].count(".") <= 1
        and text[para_lo : content.start].strip()
    ):
        return Content(para_lo, content.end, content.kind)  # "S1. S2, X said."
    return content


def drop_in_frames(found: Found, doc: Doc, text: str) -> Found:
    """'“X,” said Caddell, speaking of her health. “Y.”': words between two fragments of
    one quotation (same cue, one paragraph) that hang from its cue are its frame, not a
    report of their own."""
    direct = sorted(
        ((c, a) for c, a in found if c.kind == "direct" and a is not None), key=lambda x: x[0].start
    )
    frames = [
        (first.end, second.start, a.cue_token)
        for (first, a), (second, b) in pairwise(direct)
        if a is not None and b is not None and a.cue_token == b.cue_token
        and "\n" not in text[first.end : second.start]
    ]
    if not frames:
        return found
    return [
        (c, a) for c, a in found
        if c.kind == "direct" or a is None or not any(
            lo <= c.start and c.end <= hi and (c.kind == "indirect" or doc[cue] in doc[a.cue_token].ancestors)
            for lo, hi, cue in frames
        )
    ]


def drop_nested(found: Found, doc: Doc) -> Found:
    """A report inside another report is part of what that one reports, not a second quote:
    'Clinton said she thinks X' (the thought covers much the same words), 'Obama says the
    museum will tell of “suffering”' (a report wholly inside another's content, its cue
    too), and one cue's narrower reading inside its wider one."""
    keep: Found = []
    cue_at = [doc[a.cue_token].idx if a is not None else -1 for _, a in found]
    for index, (content, attribution) in enumerate(found):
        if content.kind == "direct" or attribution is None or not any(
            other.start < content.end and content.start < other.end and other_index != index
            and _holds(other, by, content, attribution, cue_at[index])
            and (_wider(other, content) or other_index < index)
            for other_index, (other, by) in enumerate(found)
        ):
            keep.append((content, attribution))
    return keep


def _holds(other: Content, by: Attribution | None, content: Content, attribution: Attribution,
           cue_at: int) -> bool:
    """Is the report (content, attribution), whose cue is at character ``cue_at``, part of
    ``other``?"""
    inside = other.start <= content.start and content.end <= other.end
    if other.start <= cue_at < other.end:
        return inside or overlap_ratio(content, other) >= _NESTED_OVERLAP
    return inside and by is not None and by.cue_token == attribution.cue_token


def _wider(other: Content, content: Content) -> bool:
    return other.end - other.start > content.end - content.start


def labelled(finder: QuoteFinder) -> None:
    """A paragraph that opens with a person's or organisation's name and a colon
    (a headline "Sanders: Clinton needs to ...", a transcript "PENCE: Well, ..."):
    the rest of the paragraph is what that source said."""
    text = finder.text
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        colon = text.find(":", start, min(end, start + _LABEL_CHARS))
        if colon > start:
            _label_paragraph(finder, start, colon, end)
        start = end + 1


def _label_paragraph(finder: QuoteFinder, start: int, colon: int, end: int) -> None:
    doc = finder.doc
    label = doc.char_span(start, colon, alignment_mode="expand")
    body = doc.char_span(colon + 1, end, alignment_mode="expand")
    if label is None or body is None or (len(label) > _LABEL_TOKENS and not _from_someone(label)):
        return
    words = [t for t in label if not t.is_punct]
    if not words or sum(1 for t in body if t.is_alpha) < _LABEL_MIN_WORDS:
        return
    if len(words) > _LABEL_NAME_WORDS and not _from_someone(label):
        return
    named = any(e.label_ in ("PERSON", "ORG") and e.end == label.end for e in label.ents) or (
        all(t.is_upper and t.is_alpha and len(t) > 2 for t in words) and len(words) <= 2
    ) or (all(t.is_title for t in words) and _named_elsewhere(finder, words[-1].text))
    if not named or any(t.pos_ in ("VERB", "AUX") for t in words):
        return
    lo, hi = body.start, body.end - 1
    inside = {finder.in_mark[i] for i in range(lo, hi + 1)} - {-1}
    if any(finder.marks[n].first < lo or finder.marks[n].last > hi for n in inside):
        return
    begin, finish = finder.trim(lo, hi)
    if finish <= begin:
        return
    finder.consumed.update(inside)
    finder.labelled_until = body.end - 1
    speaker = words[-1]
    kind: QuoteKind = "mixed" if inside else "indirect"
    finder.found.append((Content(begin, finish, kind), Attribution(":", speaker, None, speaker.i)))


def _from_someone(label: Span) -> bool:
    """A headline label that ends "from/by NAME" ("A lesson from Loretta Lynch:")."""
    doc, i = label.doc, label.end - 1
    if doc[i].ent_type_ != "PERSON":
        return False
    while i > label.start and doc[i].ent_iob_ == "I":
        i -= 1  # back to the name's first word
    return i > label.start and doc[i - 1].lower_ in ("from", "by")


def _named_elsewhere(finder: QuoteFinder, word: str) -> bool:
    """Is ``word`` the last word of a person or group the document names ("Sanders:" over
    a story about Bernie Sanders)?"""
    text = finder.text
    return any(text[m.start : m.end].split()[-1:] == [word] for m in finder.index.mentions)


def headline(finder: QuoteFinder) -> None:
    """A title-case headline "Flynn Says Trump 'Absolutely Right' ..." that the parser
    cannot read: a name, a present-tense cue verb, and what was said."""
    text = finder.text
    end = text.find("\n")
    end = len(text) if end < 0 else end
    title = finder.doc.char_span(0, end, alignment_mode="contract")
    if title is None:
        return
    words = [t for t in title if not t.is_punct]
    for k, token in enumerate(words[: _HEADLINE_NAME_WORDS + 1]):
        before = words[k - 1].lower_ if k else ""
        plural = before.endswith("s") and not before.endswith(("ss", "us", "is"))  # "Lawmakers Rip"
        if k == 0 or not words[k - 1].is_title or not (token.is_title or token.is_upper) or (
            not _headline_cue(finder, token.lower_, plural)
        ):
            continue
        if not all(w.is_title or w.is_upper for w in words[:k]) or any(
            a is not None and a.cue_token == token.i for _, a in finder.found
        ):
            return  # not a title-case name, or the parse already read this cue
        lo, hi = token.i + 1, title.end - 1
        inside = {finder.in_mark[i] for i in range(lo, hi + 1)} - {-1}
        if hi - lo < 1 or any(finder.marks[n].first < lo or finder.marks[n].last > hi for n in inside):
            return
        begin, finish = finder.trim(lo, hi)
        finder.consumed.update(inside)
        kind: QuoteKind = "mixed" if inside else "indirect"
        speaker = words[k - 1]
        finder.found.append((Content(begin, finish, kind), Attribution(token.text, speaker, None, token.i)))
        return


def _headline_cue(finder: QuoteFinder, word: str, plural: bool = False) -> bool:
    """'says', 'calls', 'slams', 'urges', 'pushes': a cue verb in the third person (after a
    plural subject, its bare form: "Lawmakers Rip ...")."""
    lex = finder.lex
    cues = lex.speech | lex.naming | lex.np_object | lex.cognition | lex.directive | set(lex.prep_cues)
    if plural and word in cues:
        return True
    return third_person_of(word, cues) or word == "sees"
