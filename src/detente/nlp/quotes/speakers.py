"""Speaker mentions for the quotes stage: the phrase, and who it resolves to.

A speaker keeps the mention that is grammatically the source ("he", "the
president", "an aide"); its ``name`` resolves pronouns and role nominals to a
person named earlier in the document by recency, gender/number agreement and
salience (subjects and earlier speakers weigh more). Gender comes from titles
(Mr., Mrs.), a small list of given names and what the document itself shows:
once "he" has been resolved to X, X is male. Codes and sectors come from the
actors stage (``nlp/actors``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from ...model import Actor, Speaker
from ..actors import actor_for_span
from ..context import DocContext, sentences
from .lexicon import SpeakerLexicon, speaker_lexicon

logger = logging.getLogger(__name__)

# Children that do not belong to a speaker's name phrase.
_CUT_DEPS = frozenset(
    {"relcl", "acl", "appos", "punct", "advcl", "parataxis", "ccomp", "cc", "conj", "prep"}
)
_PERSON_LABELS = frozenset({"PERSON"})
_GROUP_LABELS = frozenset({"ORG", "NORP", "GPE"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_MAX_SENT_DISTANCE = 8


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
class SpeakerIndex:
    """Named mentions of one document and what the quotes stage learnt about them."""

    doc: Doc
    mentions: list[Mention]
    sent_of: list[int]  # token index -> sentence index
    gender: dict[str, str] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)
    speakers: dict[str, int] = field(default_factory=dict)  # name -> times quoted


@dataclass(frozen=True)
class Resolution:
    """Who a speaker mention stands for: a canonical name and the span to code."""

    name: str | None
    span: Span | None


def _strip_possessive(text: str) -> str:
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


def build_index(doc: Doc, ctx: DocContext) -> SpeakerIndex:
    """Index the document's person and group mentions for speaker resolution."""
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
    person_texts = [_strip_possessive(s.text) for s, label in raw if label in _PERSON_LABELS]
    canonical = _canonical_names(person_texts, lex)
    # the tagger sometimes labels a lone surname ORG ("Zelenskyy said"): a surname
    # of a person named in the document is that person
    surnames = {name.split()[-1] for name in canonical.values() if " " in name}
    index = SpeakerIndex(doc=doc, mentions=[], sent_of=sent_of)
    for span, label in raw:
        person = label in _PERSON_LABELS or _strip_possessive(span.text) in surnames
        if person and _strip_possessive(span.text) not in canonical:
            canonical.update(_canonical_names([*person_texts, _strip_possessive(span.text)], lex))
        text = _strip_possessive(span.text)
        name = canonical.get(text, text) if person else _strip_article(text)
        subject = any(t.dep_ in _SUBJECT_DEPS for t in span)
        index.mentions.append(
            Mention(span.start_char, span.end_char, span.end - 1, sent_of[span.start], name, person, subject)
        )
        if person:
            _learn_person(index, span, name, lex)
    index.mentions.sort(key=lambda m: m.start)
    return index


def _strip_article(text: str) -> str:
    for article in ("the ", "The "):
        if text.startswith(article):
            return text[len(article) :]
    return text


def _learn_person(index: SpeakerIndex, span: Span, name: str, lex: SpeakerLexicon) -> None:
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


def speaker_phrase(token: Token) -> Span:
    """The noun phrase a subject token heads, without relative clauses or appositions."""
    keep = [token.i]
    for child in token.children:
        if child.dep_ in _CUT_DEPS and not (child.dep_ == "prep" and child.i > token.i):
            continue
        keep.extend(t.i for t in child.subtree)
    lo, hi = min(keep), max(keep)
    doc = token.doc
    while lo < hi and (doc[lo].is_punct or doc[lo].is_space):
        lo += 1
    while hi > lo and (doc[hi].is_punct or doc[hi].is_space):
        hi -= 1
    return doc[lo : hi + 1]


def _candidates(index: SpeakerIndex, token: Token, person: bool) -> list[Mention]:
    sent = index.sent_of[token.i]
    return [
        m
        for m in index.mentions
        if m.end <= token.idx
        and m.person == person
        and sent - index.sent_of[m.token] <= _MAX_SENT_DISTANCE
    ]


def _score(index: SpeakerIndex, mention: Mention, token: Token, gender: str) -> float | None:
    known = index.gender.get(mention.name)
    if gender in ("m", "f") and known is not None and known != gender:
        return None
    distance = index.sent_of[token.i] - index.sent_of[mention.token]
    score = -0.6 * distance + (1.0 if mention.subject else 0.0)
    score += min(index.speakers.get(mention.name, 0), 2) * 0.6
    if known is not None and known == gender:
        score += 1.0
    return score


def _resolve_pronoun(index: SpeakerIndex, token: Token, lex: SpeakerLexicon) -> Resolution:
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


def _resolve_role(index: SpeakerIndex, phrase: Span, lex: SpeakerLexicon) -> Resolution:
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


def _named_in(index: SpeakerIndex, phrase: Span) -> Mention | None:
    inside = [m for m in index.mentions if m.start >= phrase.start_char and m.end <= phrase.end_char]
    people = [m for m in inside if m.person]
    if people:
        return people[-1]
    if inside and inside[-1].end - inside[-1].start >= len(phrase.text.strip()) - 4:
        return inside[-1]
    return None


def resolve(index: SpeakerIndex, phrase: Span) -> Resolution:
    """Who ``phrase`` (a speaker mention) stands for, or Resolution(None, None)."""
    lex = speaker_lexicon()
    if len(phrase) == 1 and phrase[0].lower_ in lex.pronouns:
        return _resolve_pronoun(index, phrase[0], lex)
    named = _named_in(index, phrase)
    if named is not None:
        span = index.doc.char_span(named.start, named.end, alignment_mode="expand")
        return Resolution(named.name, span)
    return _resolve_role(index, phrase, lex)


def make_speaker(index: SpeakerIndex, phrase: Span, ctx: DocContext) -> Speaker:
    """A Speaker for ``phrase``: the mention as written, resolved name, actor code."""
    resolution = resolve(index, phrase)
    is_pronoun = len(phrase) == 1 and phrase[0].lower_ in speaker_lexicon().pronouns
    name = resolution.name
    if name is None and not is_pronoun:
        name = _strip_article(_strip_possessive(phrase.text))
    if name is not None:
        index.speakers[name] = index.speakers.get(name, 0) + 1
    actor = _code(resolution.span if resolution.span is not None else phrase, ctx, is_pronoun)
    return Speaker(
        text=phrase.text,
        start=phrase.start_char,
        end=phrase.end_char,
        name=name,
        code=actor.code if actor else None,
        sector=actor.sector if actor else None,
    )


def _code(span: Span, ctx: DocContext, is_pronoun: bool) -> Actor | None:
    if is_pronoun and len(span) == 1 and span[0].pos_ == "PRON":
        return None
    return actor_for_span(span, ctx)
