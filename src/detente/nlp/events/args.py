"""Who did it and to whom: actor and recipient mentions of an event trigger from the parse.

Subjects are found on the trigger's clause, climbing through control and coordination
("Russia is accused of amassing troops", "diplomats sat down and agreed"); objects,
passive subjects and recipient prepositions give the recipient. Each mention is coded
through the actors stage (``actor_for_span``); a pronoun he/she takes the latest person
mention before it; a mention that is no actor itself ("Ukraine's borders") falls back to
its owner (possessive, "of"/"in" complement).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from ...model import Actor, EventActor
from ..actors import actor_for_span
from ..context import DocContext
from ..mentions import coreference, pronouns, resolve
from ..places import find_place
from .lexicon import Cues, load_lexicon

logger = logging.getLogger(__name__)

SpanResolver = Callable[[Span, DocContext], Actor | None]

_CLAUSAL = frozenset({"relcl", "acl", "advcl", "appos", "punct", "cc", "conj", "parataxis",
                      "ccomp", "xcomp", "prep", "dep", "preconj", "case"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "poss"})


def _cues() -> Cues:
    """The events stage's cue words (cached by :func:`load_lexicon`)."""
    return load_lexicon().cues


def span_actor(span: Span, ctx: DocContext) -> Actor | None:
    """The coded actor a span names (the actors stage's :func:`actor_for_span`)."""
    return actor_for_span(span, ctx)


# -- phrases ---------------------------------------------------------------------------


def phrase(tok: Token) -> Span:
    """The noun phrase headed by ``tok`` without clauses, conjuncts and other preps."""
    start, end = tok.i, tok.i
    for child in tok.children:
        if child.dep_ in _CLAUSAL and not (
            child.dep_ == "prep" and child.lower_ == "of" and any(c.dep_ == "pobj" for c in child.children)
        ):
            continue
        start, end = min(start, child.left_edge.i), max(end, child.right_edge.i)
    doc = tok.doc
    while start < end and doc[start].is_punct:
        start += 1
    return doc[start:end + 1]


def conjuncts(tok: Token) -> list[Token]:
    """``tok`` and the tokens coordinated with it ("the U.K. and the U.S.")."""
    return [tok, *[c for c in tok.conjuncts if c.i > tok.i]]


def pobjs(tok: Token, preps: frozenset[str] | tuple[str, ...]) -> Iterator[Token]:
    """Objects of ``tok``'s prepositions listed in ``preps`` (and datives "to X")."""
    for child in tok.children:
        if child.dep_ in ("prep", "dative", "agent") and child.lower_ in preps:
            for obj in child.children:
                if obj.dep_ in ("pobj", "pcomp") and obj.pos_ in ("NOUN", "PROPN", "PRON") or (
                        obj.dep_ == "pobj" and obj.pos_ == "AUX" and obj.is_upper):  # "attacks on IS"
                    yield from conjuncts(obj)


def direct_objects(verb: Token) -> list[Token]:
    """The direct object(s): dobj, a passive subject, or the noun a relative clause modifies."""
    objs = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "dative")
            and c.pos_ in ("NOUN", "PROPN", "PRON", "NUM")]
    if not objs and _misparsed_passive(verb):
        objs = [c for c in verb.children if c.dep_ == "nsubj"]
    if not objs and verb.pos_ == "VERB":  # "arrested or charged teenagers": the last conjunct's object
        for conj in (c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB"):
            shared = [c for c in conj.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")]
            if shared and not any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children):
                objs = shared
                break
    if verb.dep_ == "relcl":  # "Besigye, who was arrested": the relative pronoun is its noun
        objs = [verb.head if o.lower_ in pronouns().relative else o for o in objs]
    if not objs and verb.dep_ == "relcl" and _has_subject(verb):
        objs = [verb.head]
    if not objs and verb.dep_ in ("acl", "amod") and verb.tag_ == "VBN":
        objs = [verb.head]  # "protesters detained in Moscow", "a detained woman"
    return objs


def object_lemmas(tok: Token, preps: frozenset[str]) -> set[str]:
    """Lemmas that can satisfy a sense's ``obj`` constraint (see triggers.yaml)."""
    heads = direct_objects(tok) if tok.pos_ in ("VERB", "AUX") else []
    heads += list(pobjs(tok, preps))
    quantity_nouns = _cues().quantity_nouns
    out: set[str] = set()
    for head in heads:
        for noun in conjuncts(head):
            out.add(noun.lemma_.lower())
            for of in pobjs(noun, ("of",)):
                out.update(n.lemma_.lower() for n in conjuncts(of))
                if noun.lemma_.lower() in quantity_nouns:
                    for sub in conjuncts(of):
                        out.update(m.lemma_.lower() for m in sub.children if m.dep_ == "compound")
            out.update(m.lemma_.lower() for m in noun.children if m.dep_ == "compound")
    return out


def passive_patient(verb: Token) -> list[Token]:
    """Who a subjectless passive was done to: the subject of the clause it hangs from
    ("Navalny is escorted ... after being detained", "was arrested and charged")."""
    if not any(c.dep_ == "auxpass" for c in verb.children) or any(c.dep_ == "nsubjpass" for c in verb.children):
        return []
    head = verb.head
    if verb.dep_ == "pcomp" and head.dep_ == "prep":
        head = head.head
    elif verb.dep_ not in ("advcl", "xcomp", "conj"):
        return []
    if head.pos_ not in ("VERB", "AUX"):
        return []
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    return conjuncts(subjects[0]) if subjects else []


def subject_lemmas(verb: Token) -> set[str]:
    """Lemmas that can satisfy a sense's ``subj`` constraint: the subject's, and the
    people a count or a crowd is made of ("hundreds of protesters", "a crowd of activists")."""
    out: set[str] = set()
    for subject in subject_tokens(verb):
        out.add(subject.lemma_.lower())
        out.update(n.lemma_.lower() for of in pobjs(subject, ("of",)) for n in conjuncts(of))
    return out


def _misparsed_passive(verb: Token) -> bool:
    """A past participle with a by-agent parsed as an active verb with a subject ("an
    Iranian-made drone shot down by an American fighter jet"): a reduced passive."""
    return verb.tag_ == "VBN" and any(c.dep_ == "agent" for c in verb.children) \
        and any(c.dep_ == "nsubj" for c in verb.children) \
        and not any(c.dep_ in ("aux", "auxpass") for c in verb.children) \
        and any(True for _ in pobjs(verb, ("by",)))


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "csubj", "expl") for c in verb.children)


# -- subjects ---------------------------------------------------------------------------


def subject_tokens(verb: Token, depth: int = 0) -> list[Token]:
    """The agent of ``verb``'s clause, climbing through control and coordination."""
    if depth > 6:
        return []
    if _misparsed_passive(verb):  # "a drone shot down by a fighter jet": the jet did it
        return conjuncts(next(pobjs(verb, ("by",))))
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            if child.lower_ in pronouns().relative and verb.dep_ == "relcl":
                return conjuncts(verb.head)
            if child.pos_ == "VERB":  # "The Red Cross operating in Iraq said": misparsed
                inner = [c for c in child.children if c.dep_ == "nsubj"]
                return conjuncts(inner[0]) if inner else []
            return conjuncts(child)
    if verb.lemma_.lower() in _cues().stative_passives:  # "Israel is opposed to", "were engaged in"
        for child in verb.children:
            if child.dep_ == "nsubjpass":
                return conjuncts(child)
    agents = list(pobjs(verb, ("by",)))
    if any(c.dep_ == "agent" for c in verb.children) and agents:
        return conjuncts(agents[0])
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return []
    return _inherited_subject(verb, depth)


def _inherited_subject(verb: Token, depth: int) -> list[Token]:
    dep, head = verb.dep_, verb.head
    if head.i == verb.i:
        return []
    if dep == "relcl" or (dep == "acl" and verb.tag_ == "VBG"):
        return conjuncts(head)
    if dep == "acl" and verb.tag_ in ("VBD", "VBN") and _misparsed_clause(verb):
        return conjuncts(head)  # "a human rights group protested here": a main verb misparsed
    if dep == "pcomp" and head.dep_ in ("prep", "agent"):
        head = head.head
    elif dep not in ("conj", "xcomp", "advcl", "ccomp", "acomp"):
        return []
    if dep in ("xcomp", "pcomp", "advcl"):
        controller = _object_controller(head)
        if controller:
            return controller
    while head.pos_ in ("ADJ", "NOUN") and head.dep_ in ("acomp", "attr", "dobj", "oprd"):
        if head.pos_ == "NOUN":
            owner = [c for c in head.children if c.dep_ == "poss"]
            if owner:
                return conjuncts(owner[0])
        head = head.head
    if head.pos_ not in ("VERB", "AUX"):
        return []
    return subject_tokens(head, depth + 1)


def _misparsed_clause(verb: Token) -> bool:
    """A past verb hanging as a participle but used intransitively right after its noun
    ("Palestinian youths resorted to throwing stones"): the noun is its subject."""
    if any(c.dep_ in ("dobj", "auxpass", "agent") for c in verb.children):
        return False
    return verb.i == verb.head.i + 1 and verb.head.dep_ in ("ROOT", "nsubj", "appos", "npadvmod")


def _object_controller(head: Token) -> list[Token]:
    """"urged Israel to withdraw" -> Israel; "Russia is accused of amassing" -> Russia."""
    if head.lemma_.lower() not in _cues().object_control:
        return []
    for child in head.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.pos_ in ("NOUN", "PROPN", "PRON"):
            return conjuncts(child)
    return []


# -- coding mentions --------------------------------------------------------------------


class ActorCoder:
    """Codes mention tokens as EventActors, with a per-document cache."""

    def __init__(self, ctx: DocContext, cues: Cues) -> None:
        self.ctx = ctx
        self.cues = cues
        self._cache: dict[int, EventActor | None] = {}
        self._coded = sorted((e for e in ctx.entities if e.actor is not None),
                             key=lambda e: e.start)
        self._persons = [e for e in self._coded if e.label == "PERSON"]
        self._groups = [e for e in self._coded if e.label in ("ORG", "GPE", "NORP")]

    def code(self, tok: Token, owner_fallback: bool = False) -> list[EventActor]:
        """The actors a mention names (split over "Hungarian and Romanian officials")."""
        out: list[EventActor] = []
        for mod in _coordinated_modifiers(tok):
            found = self._one(mod, tok)
            if found is not None:
                out.append(found)
        if not out:
            found = self._one(tok, None)
            if found is None and owner_fallback:
                found = self._owner(tok)  # "a protester in Moscow": the protester, Russian
                if found is not None and tok.pos_ != "PRON":
                    found = replace(found, text=phrase(tok).text)
            if found is None and tok.pos_ != "PRON":
                found = self._in_subtree(tok)
            if found is not None:
                out.append(found)
        return out

    def _in_subtree(self, tok: Token) -> EventActor | None:
        """A coded name anywhere in the mention ("doctors from two American aid groups")."""
        left, right = _extent(tok)
        for ent in self._coded:
            if left <= ent.start and ent.end <= right and ent.actor is not None:
                if ent.label in ("GPE", "LOC") and self._locative(tok.doc, ent.start):
                    continue
                a = ent.actor
                sector = None if tok.lemma_.lower() in self.cues.follower_nouns else a.sector
                return EventActor(text=phrase(tok).text, name=a.name, code=a.code, sector=sector)
        return None

    def _locative(self, doc: Doc, start: int) -> bool:
        """"in Baghdad": a place where, not an actor (kept for the owner fallback only)."""
        span = doc.char_span(start, start + 1, alignment_mode="expand")
        if span is None:
            return False
        tok = span[0]
        while tok.dep_ in ("compound", "amod") and tok.head.i != tok.i:
            tok = tok.head
        return tok.dep_ == "pobj" and tok.head.lower_ in self.cues.locative_preps

    def first_in_sentence(self, sent: Span, exclude: set[str | None], before: int,
                          countries_only: bool = False, no_people: bool = False) -> EventActor | None:
        """A last-resort actor for an uncoded mention ("President Askar Akayev ... to
        Kyrgyzstan"): the first coded name before ``before``, else the first after it;
        never the owner of a place ("troops massed on Ukraine's borders") nor a dateline
        ("WASHINGTON (AP) -")."""
        names = [e for e in self._coded if sent.start_char <= e.start < sent.end_char
                 and e.actor is not None and e.actor.code not in exclude
                 and not _place_owner_or_dateline(sent, e.start, e.end, self.cues)
                 and (not countries_only or (e.label in ("GPE", "NORP") and is_state_code(e.actor.code)))
                 and (not no_people or e.label != "PERSON")]
        names.sort(key=lambda e: (e.start >= before, e.start))
        if not names or names[0].actor is None:
            return None
        a = names[0].actor
        return EventActor(text=names[0].text, name=a.name, code=a.code, sector=a.sector)

    def is_agent(self, tok: Token) -> bool:
        """False for subjects that cannot act ("the war", "it", "there")."""
        return tok.lemma_.lower() not in self.cues.non_agents and tok.lower_ not in self.cues.non_agents

    def is_people(self, tok: Token) -> bool:
        """Whether a mention names people or a group of them ("protesters", "dozens of
        students", "the opposition"), not a thing ("sanctions", "their assets")."""
        cues = self.cues
        heads = [tok]
        if tok.lemma_.lower() in cues.quantity_nouns or tok.tag_ == "CD" or tok.lower_ in cues.people_counts:
            heads += list(pobjs(tok, ("of",)))
        for head in heads:
            lemma, lower = head.lemma_.lower(), head.lower_
            if head.ent_type_ in ("PERSON", "NORP", "ORG") or lemma in cues.group_nouns \
                    or lemma in cues.people_nouns or lower in cues.people_nouns:
                return True
            if head.tag_ == "NNS" and lower.endswith(cues.people_suffixes):
                return True
        return False

    def other_antecedent(self, tok: Token, exclude: set[str]) -> EventActor | None:
        """A pronoun's antecedent that is none of ``exclude``: "Russia's invasion of
        Ukraine, including its annexation of Crimea" -> its = Russia (not the Ukraine
        the annexation is done to)."""
        if not is_pronoun(tok) or tok.lower_ in pronouns().first_person_plural:
            return None
        pool = self._persons if tok.lower_ in pronouns().person else self._groups
        before = [e for e in pool if e.end <= tok.idx and tok.idx - e.end < 400
                  and e.actor is not None and e.actor.code not in exclude]
        if not before or before[-1].actor is None:
            return None
        actor = before[-1].actor
        return EventActor(text=tok.text, name=actor.name, code=actor.code, sector=actor.sector)

    def uncoded(self, tok: Token) -> EventActor | None:
        """An actor the codebook does not know, kept when it is a name or a group of people."""
        if tok.pos_ == "PROPN" or tok.tag_ == "NNS" or tok.ent_type_ in ("PERSON", "ORG", "NORP") \
                or tok.lemma_.lower() in self.cues.group_nouns:
            return EventActor(text=phrase(tok).text, name=None, code=None, sector=None)
        return None

    def _one(self, tok: Token, head: Token | None) -> EventActor | None:
        key = tok.i if head is None else -tok.i - 1
        if key in self._cache:
            return self._cache[key]
        found = self._pronoun(tok) if is_pronoun(tok) else self._span(tok, head)
        self._cache[key] = found
        return found

    def _span(self, tok: Token, head: Token | None) -> EventActor | None:
        span = tok.doc[tok.i:tok.i + 1] if head is not None else phrase(tok)
        actor = self._actor_in(span, tok)
        if actor is None:
            return None
        sector = actor.sector
        if head is not None:
            whole = span_actor(phrase(head), self.ctx)
            sector = whole.sector if whole is not None and whole.sector else sector
        return EventActor(text=span.text, name=actor.name, code=actor.code, sector=sector)

    def _actor_in(self, span: Span, tok: Token) -> Actor | None:
        """The phrase, else the entity at its head, else the head word, else a coded
        entity inside the phrase ("Serbian President Vojislav Kostunica")."""
        actor = span_actor(span, self.ctx)
        if actor is not None:
            return actor
        inside = [e for e in self._coded if span.start_char <= e.start and e.end <= span.end_char]
        at_head = [e for e in inside if e.start <= tok.idx < e.end]
        if at_head and at_head[0].actor is not None:
            return at_head[0].actor
        actor = span_actor(tok.doc[tok.i:tok.i + 1], self.ctx)
        if actor is not None:
            return actor
        return inside[0].actor if inside else None

    def _pronoun(self, tok: Token) -> EventActor | None:
        """A pronoun subject: the speaker it reports ("Syria says it is willing"), else
        the latest person (he/she) or coded name (it/they) before it."""
        if tok.lower_ in pronouns().first_person_plural:
            return None  # "we", "us": the speaker of a quote, not resolved here
        reporter = self._reporting_subject(tok) if tok.dep_ in _SUBJECT_DEPS else None
        if reporter is not None:
            return replace(reporter, text=tok.text)
        if tok.lower_ in pronouns().person:
            return self._person(tok)
        before = [e for e in self._groups if e.end <= tok.idx and tok.idx - e.end < 400]
        if not before or before[-1].actor is None:
            return None
        actor = before[-1].actor
        return EventActor(text=tok.text, name=actor.name, code=actor.code, sector=actor.sector)

    def _person(self, tok: Token) -> EventActor | None:
        """He/she: the person the document's coreference says (as the quotes stage does)."""
        resolution = resolve(coreference(tok.doc, self.ctx), tok.doc[tok.i:tok.i + 1])
        if resolution.span is None:
            return None
        actor = span_actor(resolution.span, self.ctx)
        if actor is None:
            return None
        return EventActor(text=tok.text, name=actor.name, code=actor.code, sector=actor.sector)

    def _reporting_subject(self, tok: Token) -> EventActor | None:
        node = tok.head
        for _ in range(5):
            if node.head.i == node.i:
                return None
            if node.dep_ not in ("ccomp", "xcomp", "advcl", "conj", "pcomp", "prep", "acomp"):
                return None
            node = node.head
            subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ != "PRON"]
            if subjects:
                if not _agrees(tok, subjects[0]):
                    return None
                return self._one(subjects[0], None)
        return None

    def _owner(self, tok: Token) -> EventActor | None:
        for child in tok.children:
            if child.pos_ == "PRON":  # "their peacekeeping force": the actor's own
                continue
            if child.dep_ == "poss" or (child.dep_ == "compound" and child.pos_ == "PROPN"):
                found = self._one(child, None)
                if found is not None:
                    return found
        for obj in pobjs(tok, self.cues.owner_preps):
            found = self._one(obj, None)
            if found is not None:
                return found
        return None


@functools.lru_cache(maxsize=512)
def is_state_code(code: str | None) -> bool:
    """Whether ``code`` is a country's ISO 3166-1 alpha-3 code (not NATO, UN, IGO, ...)."""
    if code is None or len(code) != 3:
        return False
    import pycountry

    return pycountry.countries.get(alpha_3=code) is not None


def is_town(tok: Token) -> bool:
    """A city or US state named as a modifier ("a Michigan rally", "the Paris talks")."""
    if tok.ent_type_ != "GPE":
        return False
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    place = find_place(ent.text if ent is not None else tok.text)
    return place is not None and place.kind in ("city", "state")


def is_pronoun(tok: Token) -> bool:
    """A personal pronoun the coder resolves to an antecedent ("it", "them", "its"), or a
    first-person plural one it leaves to the quote ("we")."""
    return tok.pos_ == "PRON" and tok.lower_ in _resolvable_pronouns()


@functools.cache
def _resolvable_pronouns() -> frozenset[str]:
    found = pronouns()
    return found.third_person | found.first_person_plural


def _place_owner_or_dateline(sent: Span, start: int, end: int, cues: Cues) -> bool:
    """A name that owns a place where something happens ("on Ukraine's borders", "near
    Russia's frontier") or a dateline ("WASHINGTON (AP) -"), found by its characters."""
    span = sent.doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    doc = sent.doc
    if span.start - sent.start <= 2 and span.end < len(doc) and (
            doc[span.end].text in ("(", "\u2014", "\u2013", "--", "-") or span.text.isupper() and len(span.text) > 3):
        return True
    if span.start - sent.start <= 5 and span.start > 0 and span.end < len(doc) \
            and doc[span.start - 1].text == "(" and doc[span.end].text == ")" \
            and any(t.text in ("\u2014", "\u2013", "--", "-") for t in doc[span.end:min(span.end + 3, len(doc))]):
        return True  # the agency credit of a dateline: "WASHINGTON (AP) -"
    tok = span.root
    if tok.dep_ != "poss" or tok.head.lemma_.lower() not in cues.place_nouns:
        return False
    place = tok.head
    return place.dep_ == "pobj" and place.head.lower_ in cues.place_preps


def _agrees(pronoun: Token, antecedent: Token) -> bool:
    """Person/number agreement: "they" is no single person, "he" no country."""
    person = antecedent.ent_type_ == "PERSON"
    if pronoun.lower_ in pronouns().person:
        return person or antecedent.ent_type_ == "" and antecedent.tag_ == "NN"
    return not person


def _extent(tok: Token) -> tuple[int, int]:
    """Character extent of a mention with its prepositional phrases, without clauses."""
    last = tok
    for child in tok.children:
        if child.i > tok.i and child.dep_ not in _CLAUSAL - {"prep"}:
            last = max(last, child.right_edge, key=lambda t: t.i)
    return tok.left_edge.idx, last.idx + len(last)


def _coordinated_modifiers(tok: Token) -> list[Token]:
    """"Hungarian and Romanian officials" -> [Hungarian, Romanian]; else []."""
    for child in tok.children:
        if child.dep_ in ("amod", "compound") and child.i < tok.i and any(
            c.dep_ == "conj" for c in child.children
        ):
            return [child, *child.conjuncts]
    return []


# -- phrase helpers for the coder ------------------------------------------------------


def infinitival(verb: Token) -> bool:
    """A purpose or content clause ("to protest ...", "demanding ..."), not a condition or time."""
    return not any(c.dep_ == "mark" for c in verb.children)


def phrase_tokens(tok: Token) -> list[Token]:
    """``tok``'s subtree without appositions and relative or participial clauses."""
    out, stack = [], [tok]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(c for c in node.children
                     if c.dep_ not in ("appos", "relcl", "acl", "parataxis", "conj", "cc"))
    return sorted(out, key=lambda t: t.i)


def verb_above(noun: Token) -> Token | None:
    """The verb a noun is the object of, directly or through a preposition."""
    head = noun.head
    if noun.dep_ == "pobj" and head.dep_ in ("prep", "dative"):
        head = head.head
    return head if head.pos_ == "VERB" and head.i != noun.i else None


def phrase_text(tok: Token) -> str:
    """The text of the noun phrase headed by ``tok`` (see :func:`phrase`)."""
    return phrase(tok).text
