"""Mentions shared by the stages: pronoun classes and the document's coreference.

Pronoun word classes (``data/mentions/pronouns.yaml``): the actors stage cuts
possessives from mentions, the quotes and events stages resolve pronouns by them.

Coreference (:func:`coreference`, one per document, kept in ``DocContext.coref``): the
document's person and group mentions, from the actors stage's entities, each with a
canonical name (the fullest form of its surname in the document), and :func:`resolve`,
which says who a pronoun ("he"), a name or a role nominal ("the president") stands for,
by recency, gender and number agreement and salience (subjects and earlier speakers
weigh more). Gender comes from titles (Mr., Mrs.), a small list of given names and what
the document shows: once "he" has been resolved to X, X is male. The quotes stage
resolves its speakers here and the events stage its he/she actors, so both say the same
person for the same "he".
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc, Span, Token

from ..data import read_yaml
from .context import sentences

if TYPE_CHECKING:
    from .context import DocContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PronounFeatures:
    """Gender (m, f, n for things, x unknown), number (sg, pl) and person of a pronoun."""

    gender: str
    number: str
    person: int


@dataclass(frozen=True)
class Pronouns:
    """The pronoun classes, lower-case surface forms."""

    features: dict[str, PronounFeatures]  # pronouns a speaker mention can be
    person: frozenset[str]  # he, she, him, her, his
    group: frozenset[str]  # it, its, they, them, their
    first_person_plural: frozenset[str]  # we, us, our
    possessive: frozenset[str]  # my, our, your, ...
    relative_subjects: frozenset[str]  # who, which, that
    relative: frozenset[str]  # the subjects and "whom"

    @property
    def third_person(self) -> frozenset[str]:
        """Pronouns that take the latest agreeing person or group as antecedent."""
        return self.person | self.group


@functools.cache
def pronouns() -> Pronouns:
    """The pronoun classes (read once per process)."""
    raw: dict[str, Any] = read_yaml("mentions/pronouns.yaml")
    return Pronouns(
        features={word: PronounFeatures(f["gender"], f["number"], f["person"])
                  for word, f in raw["features"].items()},
        person=frozenset(raw["person"]),
        group=frozenset(raw["group"]),
        first_person_plural=frozenset(raw["first_person_plural"]),
        possessive=frozenset(raw["possessive"]),
        relative_subjects=frozenset(raw["relative_subjects"]),
        relative=frozenset(raw["relative_subjects"]) | frozenset(raw["relative_objects"]),
    )


# -- the speaker and title lexicon ----------------------------------------------------


@dataclass(frozen=True)
class SpeakerLexicon:
    """Features for resolving mentions: pronouns, titles, roles, given names."""

    pronouns: dict[str, PronounFeatures]
    title_gender: dict[str, str]
    roles: frozenset[str]
    first_name_gender: dict[str, str]


@functools.cache
def speaker_lexicon() -> SpeakerLexicon:
    """The resolution lexicon (``data/quotes/speakers.yaml``, pronoun features from
    ``data/mentions/pronouns.yaml``)."""
    data: dict[str, Any] = read_yaml("quotes/speakers.yaml")
    title_gender = {t.lower(): g for g, titles in data["titles"].items() for t in titles}
    names = {n.lower(): g for g, given in data["first_names"].items() for n in given}
    return SpeakerLexicon(
        pronouns=pronouns().features,
        title_gender=title_gender,
        roles=frozenset(v.lower() for v in data["roles"]),
        first_name_gender=names,
    )


# -- coreference ------------------------------------------------------------------------

_PERSON_LABELS = frozenset({"PERSON"})
_GROUP_LABELS = frozenset({"ORG", "NORP", "GPE"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_MAX_SENT_DISTANCE = 8


def coreference(doc: Doc, ctx: DocContext) -> Coreference:
    """The document's coreference index, built once (after the actors stage) and shared."""
    if ctx.coref is None or ctx.coref.doc is not doc:
        ctx.coref = _build(doc, ctx)
    return ctx.coref


@dataclass
class Mention:
    """A named person or group that a pronoun or role nominal can point back to."""

    start: int  # character offsets
    end: int
    token: int  # index of the mention's last token
    sent: int  # index of its sentence
    name: str  # canonical name: the fullest form of this name in the document
    person: bool
    subject: bool


@dataclass
class Coreference:
    """Named mentions of one document and what resolution has learnt about them
    (gender, roles, who was quoted how often)."""

    doc: Doc
    mentions: list[Mention]
    sent_of: list[int]  # token index -> sentence index
    gender: dict[str, str] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)
    speakers: dict[str, int] = field(default_factory=dict)  # name -> times quoted


@dataclass(frozen=True)
class Resolution:
    """Who a mention stands for: a canonical name and the span to code."""

    name: str | None
    span: Span | None


def strip_possessive(text: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if text.endswith(suffix):
            return text[: -len(suffix)].rstrip()
    return text


def _entity_spans(doc: Doc, ctx: DocContext) -> list[tuple[int, int, str]]:
    if ctx.entities:
        return [(e.start, e.end, e.label) for e in ctx.entities]
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def _canonical_names(texts: list[str], lex: SpeakerLexicon) -> dict[str, str]:
    """Each person mention text -> the fullest form sharing its surname."""
    fullest: dict[str, str] = {}
    for text in texts:
        words = [w for w in text.split() if w.lower() not in lex.title_gender]
        if not words:
            continue
        surname = words[-1].lower()
        clean = " ".join(words)
        if len(clean) > len(fullest.get(surname, "")):
            fullest[surname] = clean
    out: dict[str, str] = {}
    for text in texts:
        words = [w for w in text.split() if w.lower() not in lex.title_gender]
        if len(words) > 1:
            out[text] = " ".join(words)  # a given name is kept: Bill Clinton is not Hillary
        else:
            out[text] = fullest.get(words[-1].lower(), text) if words else text
    return out


def _build(doc: Doc, ctx: DocContext) -> Coreference:
    """Index the document's person and group mentions (from the actors stage's entities)."""
    lex = speaker_lexicon()
    sent_of = [0] * len(doc)
    for s_index, sent in enumerate(sentences(doc, ctx)):
        for i in range(sent.start, sent.end):
            sent_of[i] = s_index
    raw: list[tuple[Span, str]] = []
    for start, end, label in _entity_spans(doc, ctx):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) and (label in _PERSON_LABELS or label in _GROUP_LABELS):
            raw.append((span, label))
    person_texts = [strip_possessive(s.text) for s, label in raw if label in _PERSON_LABELS]
    canonical = _canonical_names(person_texts, lex)
    # the tagger sometimes labels a lone surname ORG ("Zelenskyy said"): a surname
    # of a person named in the document is that person
    surnames = {name.split()[-1] for name in canonical.values() if " " in name}
    index = Coreference(doc=doc, mentions=[], sent_of=sent_of)
    for span, label in raw:
        person = label in _PERSON_LABELS or strip_possessive(span.text) in surnames
        if person and strip_possessive(span.text) not in canonical:
            canonical.update(_canonical_names([*person_texts, strip_possessive(span.text)], lex))
        text = strip_possessive(span.text)
        name = canonical.get(text, text) if person else strip_article(text)
        subject = any(t.dep_ in _SUBJECT_DEPS for t in span)
        index.mentions.append(
            Mention(span.start_char, span.end_char, span.end - 1, sent_of[span.start], name, person, subject)
        )
        if person:
            _learn_person(index, span, name, lex)
    index.mentions.sort(key=lambda m: m.start)
    return index


def strip_article(text: str) -> str:
    for article in ("the ", "The "):
        if text.startswith(article):
            return text[len(article) :]
    return text


def _learn_person(index: Coreference, span: Span, name: str, lex: SpeakerLexicon) -> None:
    """Gender from a title or given name; roles from the words before or in apposition."""
    doc = span.doc
    before = [doc[i] for i in range(max(0, span.start - 4), span.start)]
    words = [t.lower_.rstrip(".") for t in (*before, *span)]
    if name not in index.gender:
        for word in words:
            gender = lex.title_gender.get(word) or lex.title_gender.get(word + ".")
            if gender:
                index.gender[name] = gender
                break
        else:
            first = span[0].lower_
            if first in lex.first_name_gender and len(span) > 1:
                index.gender[name] = lex.first_name_gender[first]
    roles = index.roles.setdefault(name, set())
    titles = [t for t in before if span.start <= t.head.i < span.end and t.dep_ == "compound"]
    appositions = [t for t in span.root.children if t.dep_ == "appos"]
    for token in (*titles, *appositions):
        if token.lemma_.lower() in lex.roles:
            roles.add(token.lemma_.lower())


def _candidates(index: Coreference, token: Token, person: bool) -> list[Mention]:
    sent = index.sent_of[token.i]
    return [
        m
        for m in index.mentions
        if m.end <= token.idx
        and m.person == person
        and sent - index.sent_of[m.token] <= _MAX_SENT_DISTANCE
    ]


def _score(index: Coreference, mention: Mention, token: Token, gender: str) -> float | None:
    known = index.gender.get(mention.name)
    if gender in ("m", "f") and known is not None and known != gender:
        return None
    distance = index.sent_of[token.i] - index.sent_of[mention.token]
    score = -0.6 * distance + (1.0 if mention.subject else 0.0)
    score += min(index.speakers.get(mention.name, 0), 2) * 0.6
    if known is not None and known == gender:
        score += 1.0
    return score


def resolve_pronoun(index: Coreference, token: Token, lex: SpeakerLexicon) -> Resolution:
    features = lex.pronouns.get(token.lower_)
    if features is None or features.person != 3:
        return Resolution(None, None)
    person = features.gender in ("m", "f")
    best: tuple[float, Mention] | None = None
    for mention in _candidates(index, token, person):
        score = _score(index, mention, token, features.gender) if person else -(
            index.sent_of[token.i] - index.sent_of[mention.token]
        ) + (1.0 if mention.subject else 0.0)
        if score is not None and (best is None or score >= best[0]):
            best = (score, mention)
    if best is None:
        return Resolution(None, None)
    mention = best[1]
    if person and mention.name not in index.gender:
        index.gender[mention.name] = features.gender
    span = index.doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return Resolution(mention.name, span)


def _resolve_role(index: Coreference, phrase: Span, lex: SpeakerLexicon) -> Resolution:
    head = phrase.root
    role = head.lemma_.lower()
    definite = phrase[0].lower_ == "the"
    if not definite or role not in lex.roles or any(t.pos_ == "PROPN" for t in phrase):
        return Resolution(None, None)
    best: Mention | None = None
    for mention in _candidates(index, head, True):
        if role in index.roles.get(mention.name, set()):
            best = mention
    if best is None:
        return Resolution(None, None)
    return Resolution(best.name, index.doc.char_span(best.start, best.end, alignment_mode="expand"))


def _named_in(index: Coreference, phrase: Span) -> Mention | None:
    inside = [m for m in index.mentions if m.start >= phrase.start_char and m.end <= phrase.end_char]
    people = [m for m in inside if m.person]
    if people:
        return people[-1]
    if inside and inside[-1].end - inside[-1].start >= len(phrase.text.strip()) - 4:
        return inside[-1]
    return None


def resolve(index: Coreference, phrase: Span) -> Resolution:
    """Who ``phrase`` (a pronoun, a name, "the president") stands for, or Resolution(None, None)."""
    lex = speaker_lexicon()
    if len(phrase) == 1 and phrase[0].lower_ in lex.pronouns:
        return resolve_pronoun(index, phrase[0], lex)
    named = _named_in(index, phrase)
    if named is not None:
        span = index.doc.char_span(named.start, named.end, alignment_mode="expand")
        return Resolution(named.name, span)
    return _resolve_role(index, phrase, lex)
