"""Who did it and to whom, for one event trigger: the coded actors and recipients.

Subjects, objects and recipient prepositions come from the parse (``args.py``); this
module decides among them: an uncoded agent takes the first coded name of the
sentence; a passive state act (arrest, probe) in a named place is that place's state's;
a pronoun is not its own clause-mate; where the grammar names no recipient, one is
implied (a name in the event's own phrases, the place's state, the actor's own side for
domestic acts) or left empty. See ``coder.py``'s module notes for the decisions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from ...model import EventActor, Location
from ..context import DocContext, doc_ents
from ..mentions import pronouns
from ..places import find_place
from .args import (
    ActorCoder,
    conjuncts,
    direct_objects,
    infinitival,
    is_pronoun,
    is_state_code,
    is_town,
    passive_patient,
    phrase,
    phrase_text,
    phrase_tokens,
    pobjs,
    subject_tokens,
    verb_above,
)
from .lexicon import ACTOR_OBJECT, Cues, Lexicon, noun_senses
from .triggers import Trigger

logger = logging.getLogger(__name__)

SYMMETRIC = frozenset({"CONSULT", "AGREE", "COOPERATE"})
_STATE_ONLY = frozenset({("COERCE", "arrest"), ("COERCE", "deport"), ("ACCUSE", "investigate"),
                         ("SANCTION", "convict"), ("COERCE", "censor"), ("COERCE", "curfew")})
_VENUE_TYPES = frozenset({"CONSULT", "AGREE", "SUPPORT", "COOPERATE"})  # a place is where they met
_DOMESTIC = frozenset({"PROTEST", "COERCE", "CONCEDE", "REJECT", "THREATEN"})
_INWARD = frozenset({"PROTEST", "CONCEDE", "COERCE"})  # typically aimed at the actor's own state
_SAID_ACTS = frozenset({"THREATEN", "REJECT"})
_OWN_GOODS = frozenset({"MOBILIZE", "AID"})  # the troops or goods moved are the actor's own
_HOME_ACTS = frozenset({"PROTEST", "MOBILIZE"})  # no one named: the people of the place did it
# claiming an act: its claimant is its author ("claimed by the Taliban", "claimed
# responsibility for the attack")
_CLAIM = "claim"
_RESPONSIBILITY = frozenset({"responsibility", "credit"})
# acts done to a person: a person owning the act noun is its patient
_ON_PERSONS = frozenset({("COERCE", "arrest"), ("COERCE", "deport"), ("ASSAULT", "targeted"),
                         ("ASSAULT", "abduct"), ("ASSAULT", "torture"), ("RETREAT", "release"),
                         ("SANCTION", "convict"), ("CONCEDE", None)})
# verbs whose subject suffers the assault in their setting ("died in the attack")
_SUFFER = frozenset({"die", "perish"})
_INCLUDING = ("including",)
_NOT_PATIENTS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})


@dataclass
class Args:
    actors: list[EventActor]
    recipients: list[EventActor]
    has_subject: bool
    weak: bool = False  # the actor is a name found elsewhere in the sentence
    agent_heads: tuple[Token, ...] = ()  # the agent mentions as the parse gives them
    natural_cause: bool = False  # the subject is a storm, a famine, a disease: no one acted
    counterpart: bool = False  # a recipient was named, even one of the actor's own side


def _done_to(trig: Trigger, owner: Token) -> bool:
    """A person owning an act done to persons is who it was done to ("Navalny's arrest",
    "her release"); a state or a group owning an act is its author ("Russia's detention
    of ...", "the army's raid")."""
    person = owner.ent_type_ == "PERSON" or owner.lower_ in pronouns().person
    return person and (trig.sense.type, trig.sense.mode) in _ON_PERSONS


def _held_state(trig: Trigger, is_people: Callable[[Token], bool]) -> bool:
    """"remains in custody", "spent five years in prison": the one in it is held, not
    holding (but "kept him in custody": the subject holds the person it names)."""
    noun, light = trig.tok, trig.light
    return light is not None and trig.sense.needs_light and noun.dep_ == "pobj" \
        and noun.head.lower_ == "in" and not any(
            c.dep_ == "dobj" and (c.pos_ == "PRON" or is_people(c)) for c in light.children)


def _suffered(trig: Trigger, cues: Cues) -> bool:
    """"20 people died in the attack", "civilians were trapped in the fighting": those the
    verb tells of suffered the act named in its setting, they did not do it."""
    light, noun = trig.light, trig.tok
    if light is None or noun.dep_ != "pobj" or trig.sense.type != "ASSAULT":
        return False
    if light.lemma_.lower() in _SUFFER:
        return True
    return light.lemma_.lower() not in cues.stative_passives and any(  # "were engaged in": they did
        c.dep_ in ("auxpass", "nsubjpass") for c in light.children)


def _destination(trig: Trigger, child: Token) -> bool:
    """"the Japan trip", "his China visit": a place naming a visit is where it went."""
    return trig.sense.mode == "visit" and child.dep_ == "compound" and child.ent_type_ in ("GPE", "LOC")


def _headline_verb(noun: Token) -> bool:
    """"A Shi'ite fighter clashes with rebels": a caption's verb in -s parsed as the plural
    noun heading the sentence, its subject as a compound."""
    return noun.dep_ == "ROOT" and noun.tag_ == "NNS"


def _with_name(tok: Token) -> str:
    """The mention with the name in apposition to it ("jailed opposition leader Kizza
    Besigye"), which :func:`phrase_text` leaves out."""
    names = [c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.left_edge.i == tok.i + 1]
    if not names:
        return phrase_text(tok)
    return tok.doc[phrase(tok).start:phrase(names[0]).end].text


class Locator:
    """Where an event happened: a named place in its own locative phrases (found once
    per trigger: the coder and the participants' inferences all ask)."""

    def __init__(self, doc: Doc, ctx: DocContext, lex: Lexicon) -> None:
        self.lex = lex
        self._ents = list(doc_ents(doc, ctx))
        self._found: dict[tuple[int, int], Location | None] = {}

    def location(self, trig: Trigger) -> Location | None:
        key = (trig.tok.i, trig.light.i if trig.light is not None else -1)
        if key not in self._found:
            self._found[key] = self._locate(trig)
        return self._found[key]

    def _locate(self, trig: Trigger) -> Location | None:
        preps = self.lex.cues.location_preps
        heads = [trig.tok] + ([trig.light] if trig.light is not None else [])
        heads += direct_objects(trig.clause)
        if trig.sense.pos == "V":  # "a roadside bombing near Samarra killed ...": its place
            heads += [s for s in subject_tokens(trig.tok) if noun_senses(self.lex, s)]
        for head in heads:
            for obj in [*pobjs(head, preps), *self._beside(head)]:
                place = self._place_of(obj)
                if place is not None:
                    return place
        return None

    def _beside(self, head: Token) -> list[Token]:
        """"a fight in the countryside north of Aleppo": the place a direction is taken from."""
        sides = self.lex.cues.place_nouns
        return [o for c in head.children if c.dep_ == "advmod" and c.lower_ in sides for o in pobjs(c, ("of",))]

    def origin(self, tok: Token) -> Location | None:
        """Where the people ``tok`` names come from ("militiamen from the town of Misrata")."""
        for obj in pobjs(tok, ("from", "of", "in")):
            place = self._place_of(obj)
            if place is not None:
                return place
        return None

    def _place_of(self, tok: Token) -> Location | None:
        town = tok.lemma_.lower() in self.lex.cues.place_nouns
        for node in [tok, *pobjs(tok, ("in", "of"))]:
            named = town and node.pos_ == "PROPN" and node.head.head.i == tok.i  # "the town of Samarra"
            if node.ent_type_ not in ("GPE", "LOC", "FAC") and not named:
                continue
            ent = next((e for e in self._ents if e.start <= node.i < e.end), None)
            place = find_place(ent.text if ent is not None else node.text)
            if place is not None:
                return place.location()
        return None


class Participants:
    """The actors and recipients of one document's triggers."""

    def __init__(self, doc: Doc, ctx: DocContext, lex: Lexicon, actors: ActorCoder,
                 locate: Locator) -> None:
        self.lex, self.actors, self.locate = lex, actors, locate
        self._ents = list(doc_ents(doc, ctx))
        self._sent: Span = doc[0:0]

    def arguments(self, trig: Trigger, sent: Span) -> Args:
        """The coded actors and recipients of ``trig`` in ``sent``."""
        self._sent = sent
        if trig.sense.pos == "N":
            agents, patients = self._noun_roles(trig)
        else:
            agents = subject_tokens(trig.tok)
            patients = [] if trig.sense.type == "MOBILIZE" else [
                o for o in direct_objects(trig.tok)  # "opened fire": the fire is part of the trigger
                if o.lemma_.lower() not in trig.sense.obj or ACTOR_OBJECT in trig.sense.obj
                or self.actors.is_people(o)]  # "caught the suspect": the suspect is who
            rcpt = self.lex.cues.mobilize_rcpt if trig.sense.type == "MOBILIZE" else (
                trig.sense.rcpt or self.lex.cues.default_rcpt)
            suffered = [] if patients or trig.sense.swap else passive_patient(trig.tok)
            if suffered:  # "fled after being detained": the one who fled was detained, not detaining
                agents = [a for a in agents if a not in suffered]
            patients += suffered + list(pobjs(trig.tok, rcpt))
            if not patients and trig.sense.type == "ASSAULT":  # "fought for weeks to oust the fighters"
                patients = [o for c in trig.tok.children if c.dep_ in ("xcomp", "advcl") and infinitival(c)
                            for o in direct_objects(c)]
            if trig.sense.swap or self._headline_passive(trig.tok, patients):
                agents, patients = patients, agents
        if patients:  # "detained hundreds of protesters, including Navalny"
            patients += [*pobjs(trig.tok, _INCLUDING), *(i for p in patients for i in pobjs(p, _INCLUDING))]
        if not agents and trig.sense.pos == "V" and trig.sense.type == "ASSAULT":
            # "missiles fired from Iran into Syria": launched from a state's ground
            agents = [o for o in pobjs(trig.tok, ("from",)) if o.ent_type_ == "GPE"]
        natural = bool(agents) and all(self._natural(a) for a in agents)
        agents = [b for a in agents for b in self._through_event_noun(a)]
        agents = [a for a in agents if self.actors.is_agent(a) and a.pos_ != "VERB"]
        actors = self._code_all(agents, owner=False)
        recipients_first = self._code_all(patients, owner=True)
        if not agents and trig.sense.type in _HOME_ACTS:
            home = self._home_side(trig)  # "protests in Algiers": Algerians protested
            if home is not None:
                actors = [home]
        if not agents and trig.sense.pos == "V" and (trig.sense.type, trig.sense.mode) in _STATE_ONLY:
            implied = self._state_where(trig)  # "was arrested in Lebanon": by Lebanon's state
            if implied is not None:
                return Args([implied], recipients_first or self._uncoded_patients(patients, trig, [implied]),
                            False, True)
        if agents and not actors:
            actors = [self._inferred(agents[0], trig, recipients_first)]
        if trig.sense.type == "CONSULT" and any(
            p.lemma_.lower() in self.lex.cues.audience_nouns for p in patients
        ):
            return Args([], [], False)  # talking to reporters is no consultation
        actors, recipients_first = self._uncross_pronouns(agents, actors, recipients_first)
        recipients = recipients_first or self._uncross_pronouns([], actors, self._fallback_recipients(trig))[1]
        if not recipients and trig.sense.type not in _OWN_GOODS:
            recipients = self._uncoded_patients(patients, trig, actors)
        elif recipients_first and trig.sense.type not in _OWN_GOODS:  # "attacks on Iraqi forces and civilians"
            covered = {t.i for r in patients if self.actors.code(r, owner_fallback=True) for t in phrase(r)}
            recipients += [r for r in self._uncoded_patients(
                [p for p in patients if p.i not in covered], trig, actors) if r.code is None][:2]
        if actors and actors[0].code and all(r.code is None for r in recipients):
            context = self._implied_recipients(trig, patients, actors)
            if not recipients:
                recipients = context
            elif context and context[0].code:  # the text as written, the code from context
                recipients = [replace(r, code=context[0].code, inferred=True) for r in recipients]
        counterpart = bool(recipients)
        actor_codes = {a.code for a in actors}
        if recipients and all(r.code in actor_codes for r in recipients) and trig.sense.type in SYMMETRIC \
                and not self._domestic_complement(trig):
            recipients = []
        weak = bool(actors) and bool(agents) and actors[0].text != phrase_text(agents[0]) \
            and not self.actors.code(agents[0])
        return Args(actors, recipients, bool(agents), weak, tuple(agents), natural, counterpart)

    def _inferred(self, agent: Token, trig: Trigger, recipients: list[EventActor]) -> EventActor:
        """An agent the actors stage cannot code keeps its own text; its country is
        inferred (``inferred: true``) from a country named in the sentence that is not the
        recipient's ("President Askar Akayev ... Kyrgyzstan"), else from the place where it
        happened, else from the recipient's country, else left null."""
        text = phrase_text(agent)
        others: set[str | None] = {r.code for r in recipients if r.code}
        origin = self.locate.origin(agent)
        if origin is not None and origin.country:  # "militiamen from the town of Misrata"
            return EventActor(text=text, name=None, code=origin.country, sector=None, inferred=True)
        place = self.locate.location(trig)
        if place is not None and place.country and agent.pos_ == "NOUN" and not self.actors.is_people(agent):
            # a thing did it ("a roadside bombing near Samarra"): the place tells more than a name
            return EventActor(text=text, name=None, code=place.country, sector=None, inferred=True)
        fallback = self.actors.first_in_sentence(self._sent, others, trig.tok.idx, countries_only=True) \
            or self.actors.first_in_sentence(self._sent, others, trig.tok.idx, no_people=True)
        if fallback is not None:  # never a person named elsewhere: "Western envoys" are not Assad
            return replace(fallback, text=text, inferred=True)
        if place is not None and place.country:  # "a roadside bombing near Samarra killed a US soldier"
            return EventActor(text=text, name=None, code=place.country, sector=None, inferred=True)
        fallback = self.actors.first_in_sentence(self._sent, set(), trig.tok.idx, countries_only=True)
        if fallback is not None:  # the recipient's own country, as the sentence names no other
            return replace(fallback, text=text, inferred=True)
        return EventActor(text=text, name=None, code=None, sector=None)

    def _uncoded_patients(self, patients: list[Token], trig: Trigger,
                          actors: list[EventActor]) -> list[EventActor]:
        """Patients the actors stage cannot code keep their text when they name people
        or a group ("Van Dyke was arrested", "attacks on civilians"), or, for an attack,
        what was attacked ("bombed two buildings"). Their inferred code: the country of
        the place where it happened, else, for a state's domestic act on people
        ("police detained a protester"), the state's own."""
        attack = trig.sense.type == "ASSAULT"
        patients = list(dict.fromkeys(c for p in patients for c in conjuncts(p)))  # "a hall and a mosque"
        kept = [p for p in patients if p.pos_ != "PRON" and p.ent_type_ not in _NOT_PATIENTS
                and (attack or p.pos_ == "PROPN" or p.ent_type_ in ("PERSON", "NORP", "ORG", "GPE")
                     or self.actors.is_people(p))]  # actors, not things ("the proposal")
        if not kept:
            return []
        place = self.locate.location(trig)
        code = place.country if place is not None else None
        actor = actors[0] if len({a.code for a in actors}) == 1 else None
        if code is None and actor is not None and is_state_code(actor.code) \
                and trig.sense.type in _DOMESTIC and self.actors.is_people(kept[0]):
            code = actor.code
        out: list[EventActor] = []
        for tok in kept[:4]:
            text = _with_name(tok)
            if all(a.text != text for a in out):
                out.append(EventActor(text=text, name=None, code=code, sector=None, inferred=code is not None))
        return out

    def _uncross_pronouns(self, agents: list[Token], actors: list[EventActor],
                          recipients: list[EventActor]) -> tuple[list[EventActor], list[EventActor]]:
        """A pronoun is not its own clause-mate: an actor pronoun that resolved to the
        recipient takes the antecedent before ("its annexation of Crimea" after "Russia's
        invasion of Ukraine"), and a recipient pronoun that resolved to the actor is
        dropped ("Zelenskyy has called for them to be rewritten": them = the accords)."""
        rcpt_codes = {r.code for r in recipients if r.code}
        if agents and is_pronoun(agents[0]) and len(actors) == 1 and actors[0].code in rcpt_codes:
            other = self.actors.other_antecedent(agents[0], set(rcpt_codes))
            actors = [other] if other is not None else actors
        actor_codes = {a.code for a in actors if a.code}
        third_person = pronouns().third_person
        kept = [r for r in recipients if not (r.text.lower() in third_person and r.code in actor_codes)]
        return actors, kept

    def _headline_passive(self, verb: Token, patients: list[Token]) -> bool:
        """"Egypt activist released": a participle with no auxiliary and no object in a
        headline or caption-length clause is a passive."""
        if patients or verb.lemma_.lower() not in self.lex.cues.transitive_acts:
            return False
        if verb.tag_ not in ("VBN", "VBD") or any(
                c.dep_ in ("aux", "auxpass", "agent", "dobj", "prt", "ccomp", "xcomp") for c in verb.children):
            return False
        sent = verb.sent
        return len(sent) <= 12 and not any(t.tag_ == "DT" and t.i < verb.i for t in sent)

    def _natural(self, agent: Token) -> bool:
        """A storm, a famine, a disease ("tropical storm Washi"), not someone."""
        causes = self.lex.cues.natural_causes
        return agent.lemma_.lower() in causes or any(
            c.dep_ == "compound" and c.lemma_.lower() in causes for c in agent.children)

    def _through_event_noun(self, agent: Token) -> list[Token]:
        """"US drone strikes killed eight militants": the strikes' own author did it."""
        if not noun_senses(self.lex, agent):
            return [agent]
        owners = [c for c in agent.children if c.dep_ == "poss" or (
            c.dep_ in ("compound", "amod", "nmod") and c.i < agent.i and self.actors.code(c) and not is_town(c))]
        for child in agent.children:  # "US Predator attacks": a name modifying the modifier
            if child.dep_ == "compound" and child.i < agent.i and not owners:
                owners += [c for c in child.children if c.dep_ in ("compound", "amod")
                           and self.actors.code(c) and not is_town(c)]
        return owners + list(pobjs(agent, ("by",))) or [agent]

    def _home_side(self, trig: Trigger) -> EventActor | None:
        """For a protest or a deployment with no one named: the people of the country
        where it happened (text "", ``inferred: true``)."""
        place = self.locate.location(trig)
        if place is None or not place.country:
            return None
        return EventActor(text="", name=None, code=place.country, sector=None, inferred=True)

    def _state_where(self, trig: Trigger) -> EventActor | None:
        """The state of the place where a passive state act happened (arrest, trial, probe)."""
        place = self.locate.location(trig)
        if place is None or not place.country:
            return None
        return EventActor(text=place.name, name=None, code=place.country, sector="GOV")

    def _implied_recipients(self, trig: Trigger, patients: list[Token],
                            trig_actors: list[EventActor]) -> list[EventActor]:
        """When no recipient is named where the grammar puts one: a coded name in the
        event's own phrases ("protest at settlement of Russian immigrants"); an uncoded
        patient ("protesters") is of the actor's country; domestic acts (protest,
        repression, concessions) with no target are against the actor's own side (text:
        the people or regions a folded complement names, else ""); a visit's host is the
        place visited. Never for organisations or several actors (see the module notes)."""
        actor = trig_actors[0]
        if trig.sense.type in SYMMETRIC and len({a.code for a in trig_actors}) > 1:
            return []  # coded both ways instead
        named = self._named_in_clause(trig, actor.code)
        if named is not None:
            return [named]
        place = self.locate.location(trig) if trig.sense.type not in _VENUE_TYPES else None
        if place is not None and place.country and place.country != actor.code:
            return [EventActor(text=place.name, name=None, code=place.country, sector=None)]
        if not is_state_code(actor.code) or len({a.code for a in trig_actors}) > 1:
            return []  # an organisation has no domestic side; several states, no one side
        if any(self._unnamed_recipient(p) for p in self._recipient_pobjs(trig)):
            return []  # "a threat to Eastern European countries": named, just not coded
        if trig.sense.pos == "N" and trig.light is None and trig.sense.type in _SAID_ACTS:
            return []  # "Kremlin threats prompted NATO ...": no target said, none implied
        people = [p for p in patients if p.pos_ != "PRON" and self.actors.is_people(p)]
        if people and trig.sense.type not in _OWN_GOODS and self.actors.uncoded(people[0]):
            return [EventActor(text=phrase_text(people[0]), name=None, code=actor.code, sector=None)]
        if trig.sense.type in _DOMESTIC or self._domestic_complement(trig):
            inner = self._complement_patient(trig)  # "refused to grant autonomy to the regions"
            return [EventActor(text=inner, name=None, code=actor.code, sector=None)]
        if trig.sense.type == "CONSULT" and trig.sense.mode == "visit":
            place = self.locate.location(trig)
            if place is not None and place.country and place.country != actor.code:
                return [EventActor(text=place.name, name=place.name, code=place.country, sector=None)]
        return []

    def _domestic_complement(self, trig: Trigger) -> bool:
        """A promise or a vow whose content is a domestic act: "has sworn to fight until
        they gain control of villages" (a threat), "agreed to postpone the demonstration",
        "prepared to lift the ban on the FIS": it is aimed at the actor's own side too."""
        return bool(trig.folded) and (trig.sense.lemma in self.lex.cues.threat_promises
                                      or trig.sense.type == "AGREE") \
            and trig.folded[0].sense.type in _DOMESTIC | {"ASSAULT"}

    @staticmethod
    def _recipient_pobjs(trig: Trigger) -> list[Token]:
        """The "to"/"against" objects of an act that is not domestic by nature."""
        return [] if trig.sense.type in _INWARD else list(pobjs(trig.tok, ("to", "against")))

    def _unnamed_recipient(self, tok: Token) -> bool:
        """A recipient named but not coded, and no people of the actor's country."""
        return tok.pos_ != "PRON" and not self.actors.code(tok, owner_fallback=True) \
            and not self.actors.is_people(tok)

    def _complement_patient(self, trig: Trigger) -> str:
        """The uncoded people or places a folded complement acts on ("refused to grant
        autonomy to two pro-Russian regions" -> "two pro-Russian regions"), else ""."""
        cues = self.lex.cues
        todo = list(trig.folded)
        for inner in todo[:6]:
            todo.extend(inner.folded)
            objects = direct_objects(inner.tok)
            rcpt = inner.sense.rcpt or cues.default_rcpt
            for tok in [*pobjs(inner.tok, rcpt), *objects, *(p for o in objects for p in pobjs(o, rcpt))]:
                if tok.pos_ != "PRON" and (self.actors.is_people(tok) or tok.lemma_.lower() in cues.place_nouns):
                    return phrase_text(tok)
        return ""

    def _named_in_clause(self, trig: Trigger, actor_code: str | None) -> EventActor | None:
        """The first coded name, not the actor's, in the trigger's object and adjunct
        phrases (not its subject, not a place where)."""
        heads = [trig.tok] + ([trig.light] if trig.light is not None else [])
        for head in heads:
            for child in head.children:
                if child.dep_ not in ("prep", "advcl", "xcomp", "dobj", "npadvmod", "acl") or (
                        child.dep_ == "prep" and child.lower_ in self.lex.cues.scene_preps) \
                        or (child.dep_ == "advcl" and not infinitival(child)):
                    continue
                for tok in phrase_tokens(child):
                    if tok.ent_type_ and tok.ent_iob_ == "B":
                        ent = next((e for e in self._ents if e.start == tok.i), None)
                        root = ent.root if ent is not None else tok
                        for found in self.actors.code(root):
                            if found.code and found.code != actor_code:
                                return found
        return None

    def _noun_roles(self, trig: Trigger) -> tuple[list[Token], list[Token]]:
        noun = trig.tok
        agents: list[Token] = []
        patients = list(pobjs(noun, trig.sense.rcpt or self.lex.cues.noun_rcpt))
        for child in noun.children:
            if child.dep_ == "poss" and _done_to(trig, child) or _destination(trig, child):
                patients.append(child)  # "Navalny's arrest": done to him; "the Japan trip": to it
            elif child.dep_ == "poss" or (child.dep_ in ("compound", "amod", "nmod") and self.actors.code(child)
                                         and not is_town(child)):  # "a Michigan rally": where, not who
                agents.append(child)
            elif child.dep_ in ("compound", "nmod") and child.i < noun.i and child.pos_ == "NOUN" \
                    and (child.lemma_.lower() in self.lex.cues.group_nouns or _headline_verb(noun)
                         and self.actors.is_people(child)):
                agents.append(child)  # "a police raid", "the army offensive", "A fighter clashes with"
            elif child.dep_ == "compound" and child.i < noun.i:  # "US Predator attacks"
                agents.extend(c for c in child.children if c.dep_ in ("compound", "amod")
                              and self.actors.code(c) and not is_town(c))
        agents += list(pobjs(noun, ("by",))) or self._claimed_by(noun)
        if not agents and trig.sense.type == "ASSAULT":  # "airstrikes from a US-led coalition"
            agents = [o for o in pobjs(noun, ("from",)) if self.actors.code(o) or self.actors.is_people(o)]
        if not agents and trig.light is None:  # "clashes between police and protesters"
            agents = list(pobjs(noun, ("between", "among")))
        if not agents and trig.light is not None and (_held_state(trig, self.actors.is_people) or _suffered(trig, self.lex.cues)):
            patients += subject_tokens(trig.light)  # "remains in custody", "died in the attack"
        elif not agents and trig.light is not None:
            agents = subject_tokens(trig.light)
            patients += list(pobjs(trig.light, trig.sense.rcpt or self.lex.cues.default_rcpt))
            patients += [c for c in trig.light.children if c.dep_ == "dative"]
            if noun.dep_ == "pobj":  # "took a man into custody", "put them on trial"
                patients += [c for c in trig.light.children if c.dep_ in ("dobj", "nsubjpass")
                             and not c.left_edge.i <= noun.i <= c.right_edge.i  # not "dozens of arrests"
                             and c.lemma_.lower() != "part"]  # nor "took part in"
        head = verb_above(noun)
        if (head is not None and not patients and trig.sense.type in ("REQUEST", "THREATEN", "ACCUSE")
                and head.lemma_.lower() in self.lex.cues.response_verbs):
            patients = subject_tokens(head)
        return agents, patients

    def _claimed_by(self, noun: Token) -> list[Token]:
        """Who claimed the act or carried it out: "the attack, claimed by the Taliban", "a
        bombing carried out by gunmen" (a participle on the noun), "the Taliban claimed
        (responsibility for) the attack"."""
        light = self.lex.cues.light_verbs
        for child in noun.children:
            if child.dep_ == "acl" and (child.lemma_.lower() == _CLAIM or child.lemma_.lower() in light):
                found = list(pobjs(child, ("by",)))
                if found:
                    return found
        head = noun.head
        if noun.dep_ == "pobj" and head.lower_ == "for" and head.head.lemma_.lower() in _RESPONSIBILITY:
            head = head.head.head  # "claimed responsibility for the attack"
        elif noun.dep_ != "dobj":
            return []
        return subject_tokens(head) if head.lemma_.lower() == _CLAIM and head.pos_ == "VERB" else []

    def _fallback_recipients(self, trig: Trigger) -> list[EventActor]:
        """Recipients from the complement, an "unless" clause or a "for X to" clause. A
        demand or a warning is addressed to the subject of its "that" clause ("demanded
        that Israel ease restrictions on Palestinian workers": Israel), before the
        clause's own objects."""
        for inner in trig.folded:
            addressed = inner.tok.dep_ == "ccomp" and trig.sense.type in ("REQUEST", "THREATEN")
            found = self._code_all(subject_tokens(inner.tok), owner=False) if addressed else []
            found = found or self._code_all(direct_objects(inner.tok) + list(pobjs(
                inner.tok, inner.sense.rcpt or self.lex.cues.default_rcpt)), owner=True)
            if not found and inner.tok.dep_ == "ccomp":
                found = self._code_all(subject_tokens(inner.tok), owner=False)
            if found:
                return found
        if trig.sense.type in ("THREATEN", "REQUEST"):
            found = self._clause_subject(trig.tok, ("unless", "if", "for"))
            for clause in (c for c in trig.tok.children if c.dep_ in ("xcomp", "ccomp") and not found):
                found = self._clause_subject(clause, ("unless", "if"))
            head = verb_above(trig.tok) if trig.sense.pos == "N" else None
            if not found and head is not None:
                found = self._clause_subject(head, ("for",), after=trig.tok.i)
            if found:
                return found
        if trig.sense.control:
            return self._complement_recipient(trig.tok)
        return []

    def _clause_subject(self, tok: Token, marks: tuple[str, ...], after: int = -1) -> list[EventActor]:
        """The subject of a clause hanging from ``tok`` introduced by one of ``marks``."""
        for child in tok.children:
            if child.dep_ not in ("advcl", "acl") or child.i <= max(after, tok.i):
                continue
            if any(m.dep_ == "mark" and m.lower_ in marks for m in child.children):
                subjects = [c for c in child.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subjects:
                    return self._code_all([subjects[0], *subjects[0].conjuncts[:3]], owner=False)
        return []

    def _complement_recipient(self, tok: Token) -> list[EventActor]:
        """"said China must drop barriers" -> China; "agreed to stay in close
        communication with Macron" -> Macron."""
        for child in tok.children:
            if child.dep_ not in ("xcomp", "ccomp"):
                continue
            subjects = [c for c in child.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ != "PRON"]
            found = self._code_all(subjects[:1], owner=False) if child.dep_ == "ccomp" else []
            if found:
                return found
            objects = direct_objects(child)
            for node in child.subtree:
                if node.dep_ == "prep" and node.lower_ in self.lex.cues.complement_rcpt:
                    objects += [o for o in node.children if o.dep_ == "pobj"]
            found = self._code_all(objects, owner=True)
            if found:
                return found
        return []

    def _code_all(self, toks: list[Token], owner: bool) -> list[EventActor]:
        out: list[EventActor] = []
        seen: set[tuple[str | None, str]] = set()
        for tok in toks:
            for actor in self.actors.code(tok, owner_fallback=owner):
                key = (actor.code, actor.text)
                if key not in seen and not any(a.code == actor.code and actor.code for a in out):
                    seen.add(key)
                    out.append(actor)
        return out
