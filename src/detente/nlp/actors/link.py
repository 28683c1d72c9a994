"""The actors stage: every person, organisation and state mention linked to an actor code.

Public API (other stages call these):

- ``actor_for_span(span, ctx) -> Actor | None``: any entity or noun phrase
  ("Ukrainian soldiers" -> UKR MIL, "the Kremlin" -> RUS GOV, "Putin" -> Vladimir Putin
  RUS GOV, "the French president" -> the holder on ``ctx.anchor``).
- ``actors_for_span(span, ctx) -> list[Actor]``: the same, one per coordinated part
  ("Ukrainian and Russian diplomats" -> UKR GOV, RUS GOV).
- ``actor_for_text(text, when) -> Actor | None``: a bare string.
- ``link_actors(doc, ctx)``: the stage; fills ``ctx.entities`` and leaves a
  ``MentionIndex`` in ``ctx.mentions`` (results cached per span).
- ``plover_code(code) -> str``: an actor code in PLOVER's classes (NATO -> IGO, UN -> UNO).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import date

import numpy
from spacy.attrs import LIKE_EMAIL, LIKE_URL
from spacy.tokens import Doc, Span, Token

from ...model import Actor, Entity
from ..context import DocContext, doc_ents, sentences
from ..mentions import pronouns
from ..spans import split_at
from ..tokens import token_table
from .codebook import Person, codebook, fuzzy_cue, fuzzy_person, linking_words, norm
from .compose import Phrase, Word, compose, words_of

logger = logging.getLogger(__name__)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
PHRASE_LABEL = "NP"  # entities[] label of an actor-bearing noun phrase that is no named entity

_TRIM_START = frozenset({"DET", "PUNCT", "CCONJ"})
_PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
# Page furniture that must never yield an actor, even if a chrome filter missed it.
_CHROME = re.compile(
    r"(^|\s)@\w|https?://|www\.|^\s*(follow|subscribe|sign up|share|categories\s*/|"
    r"read more|click here|copyright|all rights reserved)",
    re.IGNORECASE,
)


@dataclass
class MentionIndex:
    """Per-document linking state, shared with later stages as ``ctx.mentions``."""

    doc: Doc
    anchor: date | None
    by_span: dict[tuple[int, int], Actor | None] = field(default_factory=dict)
    people: dict[str, Actor] = field(default_factory=dict)  # full names and surnames seen
    chrome: frozenset[int] = frozenset()  # token indices inside page furniture

    def is_chrome(self, span: Span) -> bool:
        return span.start in self.chrome or (span.end - 1) in self.chrome


def actor_for_text(text: str, when: date | None = None) -> Actor | None:
    """The actor a bare string names ("the Kremlin", "Putin", "Ukrainian soldiers")."""
    words = _trim_words(words_of(text))
    if not words:
        return None
    phrase = Phrase(words=words, head=len(words) - 1, text=" ".join(text.split()))
    actor = compose(phrase, when)
    if actor is None and any(w.proper for w in words):
        repaired = _repaired(phrase)
        actor = compose(repaired, when) if repaired is not None else None
    return actor


def actor_for_span(span: Span, ctx: DocContext) -> Actor | None:
    """The actor a span names, resolved with the document's earlier mentions and the date."""
    index = mention_index(span.doc, ctx)
    key = (span.start, span.end)
    if key not in index.by_span:
        index.by_span[key] = _resolve(span, index)
    return index.by_span[key]


def actors_for_span(span: Span, ctx: DocContext) -> list[Actor]:
    """One actor per coordinated part of a span; a shared head noun gives the sector."""
    parts = _coordinated_parts(span)
    if len(parts) < 2:
        actor = actor_for_span(span, ctx)
        return [actor] if actor else []
    last = actor_for_span(parts[-1], ctx)
    actors: list[Actor] = []
    for part in parts[:-1]:
        actor = actor_for_span(part, ctx)
        if actor is not None and actor.sector is None and last is not None and last.sector:
            actor = Actor(name=f"{part.text} {span[-1].text}", code=actor.code, sector=last.sector)
        if actor is not None and actor not in actors:
            actors.append(actor)
    if last is not None and last not in actors:
        actors.append(last)
    return actors


def plover_code(code: str) -> str:
    """PLOVER's class for an actor code: states stay ISO-3, NATO -> IGO, UN -> UNO, EU -> EUR."""
    return codebook().org_kinds.get(code, code)


def link_actors(doc: Doc, ctx: DocContext) -> None:
    """The stage: entities[] with actors, and the mention index for later stages."""
    index = mention_index(doc, ctx)
    entities: list[Entity] = []
    inner: list[Actor | None] = [None] * len(doc)  # actor of the entity covering a token
    in_entity = [False] * len(doc)
    text_of = token_table(doc).text_of
    for ent in doc_ents(doc, ctx):
        if ent.label_ not in ENTITY_LABELS or index.is_chrome(ent):
            continue
        actor = actor_for_span(ent, ctx)
        for i in range(ent.start, ent.end):
            in_entity[i] = True
            inner[i] = actor
        entities.append(Entity(text_of(ent), ent.label_, ent.start_char, ent.end_char, actor))
    entities.extend(_phrase_entities(doc, ctx, index, in_entity, inner))
    entities.sort(key=lambda e: (e.start, -e.end))
    ctx.entities = entities


def mention_index(doc: Doc, ctx: DocContext) -> MentionIndex:
    """The document's index, built on first use: people named in full, in text order."""
    index = ctx.mentions
    if index is not None and index.doc is doc:
        return index
    index = MentionIndex(doc=doc, anchor=ctx.anchor,
                         chrome=_chrome_tokens(doc, sentences(doc, ctx)))
    ctx.mentions = index
    for ent in doc_ents(doc, ctx):
        if ent.label_ == "PERSON" and len(ent) > 1 and not index.is_chrome(ent):
            actor = _resolve(ent, index)
            index.by_span[(ent.start, ent.end)] = actor
            if actor is not None:
                _remember(index, ent, actor)
    return index


def is_chrome(span: Span) -> bool:
    """True for mentions inside page furniture (handles, links, subscribe lines)."""
    doc = span.doc
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    chrome = _chrome_tokens(doc, sents)
    return span.start in chrome or (span.end - 1) in chrome


def _chrome_tokens(doc: Doc, sents: list[Span]) -> frozenset[int]:
    """Token indices of sentences that are page furniture, and of links and addresses."""
    out: set[int] = set()
    text_of = token_table(doc).text_of
    for sent in sents:
        if _CHROME.search(text_of(sent)):
            out.update(range(sent.start, sent.end))
    if len(doc):
        flags = doc.to_array([LIKE_URL, LIKE_EMAIL])
        out.update(int(i) for i in numpy.flatnonzero(flags.any(axis=1)))
    return frozenset(out)


def _remember(index: MentionIndex, ent: Span, actor: Actor) -> None:
    names = [t for t in ent if t.is_alpha or "-" in t.text]
    if not names:
        return
    index.people.setdefault(norm(ent.text), actor)
    index.people.setdefault(norm(names[-1].text), actor)


def _resolve(span: Span, index: MentionIndex) -> Actor | None:
    trimmed = _trim(span)
    if trimmed is None or index.is_chrome(trimmed):
        return None
    when = index.anchor
    if span.label_ == "PERSON" or _looks_like_name(trimmed):
        person = _person(trimmed, index)
        if person is not None:
            return person
    phrase = _phrase(trimmed)
    actor = compose(phrase, when, lambda exclude: _operating_country(trimmed, exclude))
    if actor is not None:
        return _placed(actor, trimmed)
    if span.label_ == "PERSON":
        actor = _person_in_context(trimmed, index)
    elif span.label_ in {"GPE", "LOC", "FAC"} or _all_places(trimmed):
        actor = _place(trimmed)
    return actor or _misspelt(trimmed, phrase, index)


def _all_places(span: Span) -> bool:
    kinds = token_table(span.doc).ent_type
    return all(kinds[i] in _PLACE_TYPES for i in range(span.start, span.end))


def _misspelt(span: Span, phrase: Phrase, index: MentionIndex) -> Actor | None:
    """Last resort: repair misspelt names ("Afganistan", "President Francois Mitterand")."""
    if not any(w.proper for w in phrase.words):
        return None
    names = [t for t in span if t.pos_ == "PROPN"]
    if len(names) >= 2:
        person = fuzzy_person(" ".join(t.text for t in names[-3:])) or fuzzy_person(
            " ".join(t.text for t in names[-2:]))
        if person is not None:
            return person.actor_on(index.anchor)
    repaired = _repaired(phrase)
    return compose(repaired, index.anchor) if repaired is not None else None


def _repaired(phrase: Phrase) -> Phrase | None:
    """The phrase with misspelt state names and adjectives corrected, or None if none was."""
    vocabulary = codebook().vocabulary
    words = []
    changed = False
    for word in phrase.words:
        fixed = fuzzy_cue(word.text) if word.proper and word.text not in vocabulary else None
        if fixed is not None:
            word = Word(fixed, fixed, fixed.title(), word.space, word.proper)
            changed = True
        words.append(word)
    return Phrase(tuple(words), phrase.head, phrase.text) if changed else None


def _looks_like_name(span: Span) -> bool:
    if len(span) > 4:
        return False
    table = token_table(span.doc)
    pos, orth = table.pos, table.orth
    return all(pos[i] == "PROPN" or orth[i] == "-" for i in range(span.start, span.end))


def _person(span: Span, index: MentionIndex) -> Actor | None:
    """A name seen earlier in the document, else a codebook person."""
    key = norm(token_table(span.doc).text_of(span))
    if key in index.people:
        return index.people[key]
    book = codebook()
    person = book.people.get(key)
    if person is None and len(span) == 1 and key not in book.entries and key not in book.cues:
        person = _unique_surname(book.surnames.get(key, []), index.anchor)
    return person.actor_on(index.anchor) if person is not None else None


def _unique_surname(candidates: list[Person], when: date | None) -> Person | None:
    if when is not None:
        current = [p for p in candidates if any(t.covers(when) for t in p.terms)]
        if len(current) == 1:
            return current[0]
    return candidates[0] if len(candidates) == 1 else None


def _person_in_context(span: Span, index: MentionIndex) -> Actor | None:
    """An unlisted person coded by their title or apposition ("Yulia Latynina, a journalist
    for Echo of Moscow" -> RUS MED; "Courthouse News reporter Cain Burdeau" -> USA MED)."""
    for context in _context_phrases(span):
        actor = compose(_phrase(context), index.anchor)
        if actor is not None and actor.name != span.text:
            name = " ".join(span.text.split())
            return Actor(name=name, code=actor.code, sector=actor.sector or "GOV")
    return None


def _context_phrases(span: Span) -> list[Span]:
    root = span.root
    doc = span.doc
    out: list[Span] = []
    left = [t for t in root.lefts if t.i < span.start and t.dep_ in {"compound", "amod", "nmod"}]
    if left:
        out.append(doc[min(t.left_edge.i for t in left):span.start])
    for child in root.rights:
        if child.dep_ == "appos":
            out.append(doc[child.left_edge.i:child.right_edge.i + 1])
    if root.dep_ == "appos" and root.head.i < span.start:
        head = root.head
        out.append(doc[head.left_edge.i:head.i + 1])
    return [_trim(s) or s for s in out if len(s)]


def _place(span: Span) -> Actor | None:
    from ..places import find_place  # geonames index: built once, only when needed

    place = find_place(span.text)
    if place is None or place.country is None:
        return None
    return Actor(name=" ".join(span.text.split()), code=place.country, sector=None)


def _placed(actor: Actor, span: Span) -> Actor:
    """A capital after a locative preposition ("a coup in Kyiv") or used as a modifier
    ("the Minsk agreements") is a place, not its government."""
    root = span.root
    entry = codebook().entries.get(norm(span.text))
    if entry is None or entry.kind != "capital" or actor.sector != "GOV":
        return actor
    if (root.dep_ == "pobj" and root.head.lower_ in linking_words().locative_preps) \
            or root.dep_ == "compound":
        return Actor(name=actor.name, code=actor.code, sector=None)
    return actor


def _operating_country(span: Span, exclude: str | None) -> str | None:
    """Where a group is: "in eastern Ukraine" after it, else a state named in its sentence
    (other than ``exclude``, its sponsor or ethnic kin state)."""
    candidates = [t for t in span.root.subtree if t.i >= span.end] + list(span.sent)
    for token in candidates:
        if token.ent_type_ in {"GPE", "LOC"} and not (span.start <= token.i < span.end):
            prev = token.doc[token.i - 1] if token.i > 0 else None
            if prev is not None and prev.lower_ in {"pro", "-"}:
                continue
            code = _token_country(token)
            if code is not None and code != exclude:
                return code
    return None


def _token_country(token: Token) -> str | None:
    """The state of the GPE/LOC entity a token is part of ("the United States" -> USA)."""
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    text = norm(doc[start:end].text).removeprefix("the ")
    entry = codebook().entries.get(text)
    if entry is not None and entry.kind in {"state", "capital", "place"}:
        return entry.code
    from ..places import find_place

    place = find_place(doc[start:end].text)
    return place.country if place is not None else None


def _trim(span: Span) -> Span | None:
    """The span without leading determiners, possessive pronouns and punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    table = token_table(doc)
    pos, lower, punct, tag = table.pos, table.lower, table.is_punct, table.tag
    possessive = pronouns().possessive
    while start < end and (pos[start] in _TRIM_START or lower[start] in possessive):
        start += 1
    while end > start and (punct[end - 1] or tag[end - 1] == "POS"):
        end -= 1
    return doc[start:end] if end > start else None


@functools.cache
def _determiners() -> frozenset[str]:
    """Words cut from the front of a mention: articles, demonstratives, possessives."""
    linking = linking_words()
    return linking.articles | linking.demonstratives | pronouns().possessive


def _trim_words(words: tuple[Word, ...]) -> tuple[Word, ...]:
    drop = _determiners()
    start = 0
    while start < len(words) and words[start].text in drop:
        start += 1
    return words[start:]


def _phrase(span: Span) -> Phrase:
    t = token_table(span.doc)
    lower, lemma, orth, space, pos, kind = t.lower, t.lemma, t.orth, t.space, t.pos, t.ent_type
    words = tuple(Word(lower[i], lemma[i], orth[i], space[i], pos[i] == "PROPN" or kind[i] == "PERSON")
                  for i in range(span.start, span.end))
    head = span.root.i - span.start
    return Phrase(words=words, head=head, text=" ".join(t.text_of(span).split()))


def _phrase_entities(doc: Doc, ctx: DocContext, index: MentionIndex, in_entity: list[bool],
                     inner: list[Actor | None]) -> list[Entity]:
    """Noun phrases that name an actor their entities alone do not ("Ukrainian soldiers")."""
    mention_words = codebook().mention_words
    table = token_table(doc)
    lower = table.lower
    out: list[Entity] = []
    for start, end in table.noun_chunks():
        if all(in_entity[start:end]) or not any(lower[i] in mention_words for i in range(start, end)):
            continue
        chunk = doc[start:end]
        if chunk.root.pos_ == "PRON":
            continue
        span = _trim(chunk)
        if span is None or index.is_chrome(span) or all(in_entity[span.start:span.end]):
            continue
        actor = actor_for_span(span, ctx)
        if actor is None or any(a is not None and (a.code, a.sector) == (actor.code, actor.sector)
                                for a in inner[span.start:span.end]):
            continue
        out.append(Entity(table.text_of(span), PHRASE_LABEL, span.start_char, span.end_char, actor))
    return out


def _coordinated_parts(span: Span) -> list[Span]:
    """Split "the U.S. and NATO" / "Ukrainian and Russian diplomats" at conjunctions."""
    cuts = [t.i for t in span if t.dep_ == "cc" or (t.text == "," and t.i > span.start)]
    if not cuts:
        return []
    return [p for p in (_trim(p) for p in split_at(span, cuts)) if p is not None]
