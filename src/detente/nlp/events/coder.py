"""The events stage: who did what to whom, when and where, coded to PLOVER.

Sentence by sentence, from the parse: triggers (events_triggers) -> actor and recipient
mentions coded through the actors stage (events_args) -> negation and modality
(events_modality) -> date (events_dates) -> place (places) -> PLOVER intensity and quad
-> one Event per (type, actor, recipient, date) in the article (the most confident).

Decisions:
- An event needs an actor mention (PLOVER: no explicit actor, no event); a passive
  without agent is not coded, except state acts (arrest, deport, probe, conviction) in a
  named place, coded to that place's state. A mention the actors stage cannot code
  ("President Askar Akayev") takes the first coded name of the sentence, with a lower
  confidence; a pronoun subject takes the speaker it reports ("Syria says it ...").
- Symmetric acts (CONSULT, AGREE, COOPERATE) by coordinated actors with no recipient are
  coded both ways: "Macron and Putin spoke" -> FRA->RUS and RUS->FRA.
- With no recipient where the grammar puts one: a coded name in the event's own object
  or purpose phrases; else the state of the place where it happened (not for meetings);
  else, for domestic acts (PROTEST, COERCE, CONCEDE, REJECT, THREATEN) and uncoded
  patients that are people ("protesters"), the actor's own country (an implied recipient
  has the text of the people or regions a folded complement acts on, else "").
- Self-directed events are kept where PLOVER's country-level coding makes them domestic
  (a government and its protesters), but not implied: for an organisation (no domestic
  side), for several actors, from a thing ("sanctions", "their assets"), past an explicit
  uncoded "to"/"against" target, or for a bare threat/rejection noun; a pronoun is not
  resolved to its own clause-mate ("its annexation of Crimea" after "Russia's invasion of
  Ukraine"; "called for them to be rewritten").
- PLOVER's combined readings: future SUPPORT/CONSULT/COOPERATE/AID -> AGREE, future
  RETREAT -> CONCEDE, announced ("will", "would") or conditional ("unless") material
  conflict -> THREATEN, refused or negated AGREE/CONSULT/SUPPORT -> REJECT, promises of
  conflict acts ("vowed to punish") -> THREATEN, exercises by several states -> COOPERATE.
- Dates: see events_dates; ``historical`` = an asserted or reported event with an
  explicit date over a year before publication.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc, Span, Token

from ...model import QUAD, Event, EventActor, Location
from ..context import DocContext, doc_ents, sentences
from ..mentions import pronouns
from ..places import find_place
from ..tokens import token_table
from .args import (
    ActorCoder,
    direct_objects,
    is_pronoun,
    is_state_code,
    is_town,
    phrase,
    pobjs,
    subject_tokens,
)
from .dates import Dates, older_than_a_year
from .lexicon import Cues, Lexicon, load_lexicon
from .modality import _ORDER, Assessment, assess
from .triggers import Trigger, resolve_triggers

logger = logging.getLogger(__name__)

_SYMMETRIC = frozenset({"CONSULT", "AGREE", "COOPERATE"})
_FUTURE_TYPE = {"CONSULT": "AGREE", "SUPPORT": "AGREE", "COOPERATE": "AGREE", "AID": "AGREE",
                "RETREAT": "CONCEDE"}
_STATE_SECTORS = frozenset({"GOV", "MIL", "LEG", "JUD", "SPY", "COP"})
_STATE_ONLY = frozenset({("COERCE", "arrest"), ("COERCE", "deport"), ("ACCUSE", "investigate"),
                         ("SANCTION", "convict"), ("COERCE", "censor"), ("COERCE", "curfew")})
_VENUE_TYPES = frozenset({"CONSULT", "AGREE", "SUPPORT", "COOPERATE"})  # a place is where they met
_DOMESTIC = frozenset({"PROTEST", "COERCE", "CONCEDE", "REJECT", "THREATEN"})
_INWARD = frozenset({"PROTEST", "CONCEDE", "COERCE"})  # typically aimed at the actor's own state
_SAID_ACTS = frozenset({"THREATEN", "REJECT"})
_OWN_GOODS = frozenset({"MOBILIZE", "AID"})  # the troops or goods moved are the actor's own


@dataclass
class Args:
    actors: list[EventActor]
    recipients: list[EventActor]
    has_subject: bool
    weak: bool = False  # the actor is a name found elsewhere in the sentence


# -- the stage ---------------------------------------------------------------------------


def events_stage(doc: Doc, ctx: DocContext) -> None:
    """Fill ``ctx.events`` for every sentence of ``doc``."""
    coder = EventCoder(doc, ctx, load_lexicon())
    ctx.events.extend(coder.run())


class EventCoder:
    """Codes one document's events; see the module docstring for the decisions."""

    def __init__(self, doc: Doc, ctx: DocContext, lex: Lexicon) -> None:
        self.doc, self.ctx, self.lex = doc, ctx, lex
        self.actors = ActorCoder(ctx, lex.cues)
        self.dates = Dates(doc, ctx)
        self.quotes = [(q.start, q.end) for q in ctx.quotes]
        self._sent: Span = doc[0:0]
        self._sent_text = ""
        self.text = token_table(doc).text
        self._ents = list(doc_ents(doc, ctx))

    def run(self) -> list[Event]:
        best: dict[tuple[Any, ...], Event] = {}
        for sent in sentences(self.doc, self.ctx):
            self._sent, self._sent_text = sent, self.text[sent.start_char:sent.end_char]
            self.dates.start_sentence(sent)
            for trig in resolve_triggers(sent, self.lex, self._names_actor):
                for event in self._events(trig, sent):
                    key = (event.type, _codes(event.actor), _codes(event.recipient), event.date)
                    if key not in best or best[key].confidence < event.confidence:
                        best[key] = event
            self.dates.end_sentence(sent)
        return sorted(best.values(), key=lambda e: (e.start, -e.confidence))

    def _names_actor(self, tok: Token) -> bool:
        return bool(self.actors.code(tok))

    # -- one trigger ---------------------------------------------------------------------

    def _events(self, trig: Trigger, sent: Span) -> list[Event]:
        args = self._arguments(trig)
        if not args.actors:
            return []
        type_, mode, cameo = self._code(trig, args)
        verdict = self._modality(trig)
        type_, mode, cameo, verdict = self._recode(trig, args, (type_, mode, cameo), verdict)
        when = self.dates.for_trigger(trig, _codes(args.actors))
        modality = verdict.modality
        if modality in ("asserted", "reported") and when.explicit and when.value and self._old(when.value):
            modality = "historical"
        event = Event(
            type=type_, mode=mode, context=list(trig.sense.context),
            actor=args.actors, recipient=args.recipients,
            date=when.value, date_precision=when.precision,
            negated=verdict.negated, modality=modality, location=self._location(trig),
            intensity=self.lex.scores.intensity(type_, mode), quad=QUAD[type_], cameo=cameo,
            sentence=self._sent_text, start=sent.start_char, end=sent.end_char,
            confidence=self._confidence(trig, args, verdict),
        )
        return _both_ways(event)

    def _recode(self, trig: Trigger, args: Args, code: tuple[str, str | None, str | None],
                verdict: Assessment) -> tuple[str, str | None, str | None, Assessment]:
        """PLOVER's combined readings: future cooperation -> AGREE, future retreat ->
        CONCEDE, announced material conflict -> THREATEN, refused cooperation -> REJECT,
        exercises by several states -> COOPERATE."""
        type_, mode, cameo = code
        cues = self.lex.cues
        future = verdict.modality == "future" or (
            verdict.modality == "hypothetical" and _own_modal(trig.clause, cues.announce_modals))
        if _conditional(trig.clause, cues) and not verdict.negated and type_ not in _NEVER_THREATS:
            threat = self.lex.scores.complement_modes["THREATEN"].get(type_)
            return "THREATEN", threat, "130", replace(verdict, modality="asserted")
        if verdict.negated and type_ in ("AGREE", "CONSULT", "SUPPORT"):
            mode = "meet" if type_ in ("AGREE", "CONSULT") else None
            return "REJECT", mode, "120", replace(verdict, negated=False)
        if future and not verdict.negated and type_ in _FUTURE_TYPE and trig.sense.pos != "N":
            return _FUTURE_TYPE[type_], None, None, verdict
        if future and not verdict.negated and QUAD[type_] == 4:
            threat = self.lex.scores.complement_modes["THREATEN"].get(type_)
            if type_ == "COERCE":
                threat = self.lex.scores.threaten_coerce_modes.get(mode or "", "restrict")
            return "THREATEN", threat, "130", verdict
        if type_ == "MOBILIZE" and trig.sense.pos == "N" and len({a.code for a in args.actors if a.code}) > 1:
            return "COOPERATE", None, "062", verdict
        return type_, mode, cameo, verdict

    def _old(self, value: str) -> bool:
        return self.ctx.anchor is not None and older_than_a_year(value, self.ctx.anchor)

    # -- arguments -----------------------------------------------------------------------

    def _arguments(self, trig: Trigger) -> Args:
        if trig.sense.pos == "N":
            agents, patients = self._noun_roles(trig)
        else:
            agents = subject_tokens(trig.tok)
            patients = [] if trig.sense.type == "MOBILIZE" else direct_objects(trig.tok)
            rcpt = self.lex.cues.mobilize_rcpt if trig.sense.type == "MOBILIZE" else (
                trig.sense.rcpt or self.lex.cues.default_rcpt)
            patients += list(pobjs(trig.tok, rcpt))
            if trig.sense.swap:
                agents, patients = patients, agents
        agents = [a for a in agents if self.actors.is_agent(a) and a.pos_ != "VERB"]
        actors = self._code_all(agents, owner=False)
        recipients_first = self._code_all(patients, owner=True)
        if not agents and trig.sense.pos == "V" and (trig.sense.type, trig.sense.mode) in _STATE_ONLY:
            implied = self._state_where(trig)  # "was arrested in Lebanon": by Lebanon's state
            if implied is not None:
                return Args([implied], recipients_first, False, True)
        if agents and not actors:
            fallback = self.actors.first_in_sentence(
                self._sent, {r.code for r in recipients_first if r.code}, trig.tok.idx
            ) or self.actors.first_in_sentence(self._sent, set(), trig.tok.idx)
            uncoded = self.actors.uncoded(agents[0])
            actors = [fallback] if fallback is not None else [uncoded] if uncoded is not None else []
        if trig.sense.type == "CONSULT" and any(
            p.lemma_.lower() in self.lex.cues.audience_nouns for p in patients
        ):
            return Args([], [], False)  # talking to reporters is no consultation
        actors, recipients_first = self._uncross_pronouns(agents, actors, recipients_first)
        recipients = recipients_first or self._uncross_pronouns([], actors, self._fallback_recipients(trig))[1]
        if not recipients and actors and actors[0].code:
            recipients = self._implied_recipients(trig, patients, actors)
        actor_codes = {a.code for a in actors}
        if recipients and all(r.code in actor_codes for r in recipients) and trig.sense.type in _SYMMETRIC:
            recipients = []
        weak = bool(actors) and bool(agents) and actors[0].text != phrase_text(agents[0]) \
            and not self.actors.code(agents[0])
        return Args(actors, recipients, bool(agents), weak)

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

    def _state_where(self, trig: Trigger) -> EventActor | None:
        """The state of the place where a passive state act happened (arrest, trial, probe)."""
        place = self._location(trig)
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
        if trig.sense.type in _SYMMETRIC and len({a.code for a in trig_actors}) > 1:
            return []  # coded both ways instead
        named = self._named_in_clause(trig, actor.code)
        if named is not None:
            return [named]
        place = self._location(trig) if trig.sense.type not in _VENUE_TYPES else None
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
        if trig.sense.type in _DOMESTIC:
            inner = self._complement_patient(trig)  # "refused to grant autonomy to the regions"
            return [EventActor(text=inner, name=None, code=actor.code, sector=None)]
        if trig.sense.type == "CONSULT" and trig.sense.mode == "visit":
            place = self._location(trig)
            if place is not None and place.country and place.country != actor.code:
                return [EventActor(text=place.name, name=place.name, code=place.country, sector=None)]
        return []

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
                        or (child.dep_ == "advcl" and not _infinitival(child)):
                    continue
                for tok in _phrase_tokens(child):
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
            if child.dep_ == "poss" or (child.dep_ in ("compound", "amod", "nmod") and self.actors.code(child)
                                         and not is_town(child)):  # "a Michigan rally": where, not who
                agents.append(child)
        agents += list(pobjs(noun, ("by",)))
        if not agents and trig.light is not None:
            agents = subject_tokens(trig.light)
            patients += list(pobjs(trig.light, trig.sense.rcpt or self.lex.cues.default_rcpt))
            patients += [c for c in trig.light.children if c.dep_ == "dative"]
        head = _verb_above(noun)
        if (head is not None and not patients and trig.sense.type in ("REQUEST", "THREATEN", "ACCUSE")
                and head.lemma_.lower() in self.lex.cues.response_verbs):
            patients = subject_tokens(head)
        return agents, patients

    def _fallback_recipients(self, trig: Trigger) -> list[EventActor]:
        """Recipients from the complement, an "unless" clause or a "for X to" clause."""
        for inner in trig.folded:
            found = self._code_all(direct_objects(inner.tok) + list(pobjs(
                inner.tok, inner.sense.rcpt or self.lex.cues.default_rcpt)), owner=True)
            if not found and inner.tok.dep_ == "ccomp":
                found = self._code_all(subject_tokens(inner.tok), owner=False)
            if found:
                return found
        if trig.sense.type in ("THREATEN", "REQUEST"):
            found = self._clause_subject(trig.tok, ("unless", "if", "for"))
            for clause in (c for c in trig.tok.children if c.dep_ in ("xcomp", "ccomp") and not found):
                found = self._clause_subject(clause, ("unless", "if"))
            head = _verb_above(trig.tok) if trig.sense.pos == "N" else None
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

    # -- type, mode, modality ------------------------------------------------------------

    def _code(self, trig: Trigger, args: Args) -> tuple[str, str | None, str | None]:
        sense = trig.sense
        type_, mode, cameo = sense.type, sense.mode, sense.cameo
        if sense.state is not None and not args.weak and self._is_state(args.actors):
            type_, mode, cameo = sense.state[0], sense.state[1], None
        if trig.light is not None and type_ == "RETREAT" and trig.light.lemma_.lower() in self.lex.cues.announce_verbs:
            type_, mode, cameo = "CONCEDE", None, None
        if sense.lemma in self.lex.cues.threat_promises and trig.folded \
                and QUAD[trig.folded[0].sense.type] >= 3:
            type_, cameo = "THREATEN", "130"
        if mode is None and trig.folded:
            mode = self._complement_mode(type_, trig.folded[0])
        if type_ == "CONSULT" and mode is None and self._by_phone(trig.tok):
            mode = "phone"
        if type_ == "THREATEN" and mode is None and self._violent(trig.tok):
            mode = "violence"
        return type_, mode, cameo

    def _complement_mode(self, type_: str, inner: Trigger) -> str | None:
        scores = self.lex.scores
        if type_ == "THREATEN" and inner.sense.type == "COERCE":
            return scores.threaten_coerce_modes.get(inner.sense.mode or "", "restrict")
        return scores.complement_modes.get(type_, {}).get(inner.sense.type)

    def _is_state(self, actors: list[EventActor]) -> bool:
        states = {e.text for e in self.ctx.entities if e.label == "GPE"}
        return any(a.sector in _STATE_SECTORS or (a.sector is None and a.text in states)
                   for a in actors)

    def _by_phone(self, tok: Token) -> bool:
        cues = self.lex.cues
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in cues.channel_preps and any(
                o.lemma_.lower() in cues.phone_words for o in child.children
            ):
                return True
        return False

    def _violent(self, tok: Token) -> bool:
        for obj in pobjs(tok, ("of", "with")):
            words = {obj.lemma_.lower(), *(c.lemma_.lower() for c in obj.children)}
            if words & self.lex.cues.violence_words:
                return True
        return False

    def _modality(self, trig: Trigger) -> Assessment:
        verdict = assess(trig.tok, self.lex.cues)
        if trig.light is not None:
            outer = assess(trig.light, self.lex.cues)
            rank = {m: i for i, m in enumerate(_ORDER)}
            modality = min((verdict.modality, outer.modality), key=lambda m: rank.get(m, 99))
            verdict = Assessment(verdict.negated or outer.negated, modality)
        if verdict.modality == "asserted" and any(s <= trig.tok.idx < e for s, e in self.quotes):
            verdict = replace(verdict, modality="reported")
        return verdict

    # -- place and confidence ------------------------------------------------------------

    def _location(self, trig: Trigger) -> Location | None:
        preps = self.lex.cues.location_preps
        heads = [trig.tok] + ([trig.light] if trig.light is not None else [])
        heads += direct_objects(trig.clause)
        for head in heads:
            for obj in pobjs(head, preps):
                place = self._place_of(obj)
                if place is not None:
                    return place
        return None

    def _place_of(self, tok: Token) -> Location | None:
        for node in [tok, *pobjs(tok, ("in", "of"))]:
            if node.ent_type_ not in ("GPE", "LOC", "FAC"):
                continue
            ent = next((e for e in self._ents if e.start <= node.i < e.end), None)
            place = find_place(ent.text if ent is not None else node.text)
            if place is not None:
                return place.location()
        return None

    def _confidence(self, trig: Trigger, args: Args, verdict: Assessment) -> float:
        score = 0.6 + trig.sense.weight
        clause = trig.clause
        depth = _depth(clause, self.lex)
        score += 0.15 if depth == 0 else -0.05 * min(depth, 4)
        if trig.sense.pos == "N" and trig.light is None:
            score -= 0.1
        score += 0.1 if any(a.code for a in args.actors) else -0.15
        score += 0.05 if args.recipients else 0.0
        score -= 0.1 if args.weak else 0.0
        if verdict.negated or verdict.modality in ("hypothetical", "denied"):
            score -= 0.15
        if _in_condition(clause):  # "... unless the president agrees to step down"
            score -= 0.2
        if _in_background(trig.tok, self.lex.cues):  # "after violent protests by Muslim groups"
            score -= 0.15
        if verdict.modality == "claimed" and depth > 0:  # the act someone is accused of
            score -= 0.1
        return round(min(0.99, max(0.05, score)), 3)


def _depth(tok: Token, lex: Lexicon) -> int:
    """Steps to the sentence root, not counting a speech verb's complement or conjunction."""
    depth, node = 0, tok
    while node.head.i != node.i and depth < 8:
        head = node.head
        if not (node.dep_ in ("ccomp", "conj") and (head.lemma_.lower() in lex.cues.report_verbs or node.dep_ == "conj")):
            depth += 1
        node = head
    return depth


_NEVER_THREATS = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "REQUEST", "CONCEDE", "THREATEN"})


def _conditional(verb: Token, cues: Cues) -> bool:
    """"will boycott the elections unless the president steps down": a coercive condition."""
    for clause in (c for c in verb.children if c.dep_ == "advcl"):
        marks = {m.lower_ for m in clause.children if m.dep_ == "mark"}
        if "unless" in marks or ("if" in marks and _own_modal(verb, cues.threat_modals)):
            return True
    return False


def _in_background(tok: Token, cues: Cues) -> bool:
    """A trigger in a temporal or causal adjunct: background to the sentence's event."""
    node, background = tok, cues.background_preps
    for _ in range(4):
        if node.dep_ == "pobj" and node.head.lower_ in background:
            return True
        if node.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in background for m in node.children):
            return True
        if node.head.i == node.i or node.dep_ not in ("pobj", "prep", "conj", "compound", "pcomp"):
            return False
        node = node.head
    return False


def _in_condition(tok: Token) -> bool:
    """Whether ``tok`` sits in an if/unless clause (a condition, not an event)."""
    node = tok
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in node.children):
            return True
        if node.head.i == node.i or node.dep_ not in ("xcomp", "conj", "ccomp", "advcl", "pobj", "prep", "dobj", "pcomp"):
            return False
        node = node.head
    return False


def _infinitival(verb: Token) -> bool:
    """A purpose or content clause ("to protest ...", "demanding ..."), not a condition or time."""
    return not any(c.dep_ == "mark" for c in verb.children)


def _phrase_tokens(tok: Token) -> list[Token]:
    """``tok``'s subtree without appositions and relative or participial clauses."""
    out, stack = [], [tok]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(c for c in node.children
                     if c.dep_ not in ("appos", "relcl", "acl", "parataxis", "conj", "cc"))
    return sorted(out, key=lambda t: t.i)


def _own_modal(verb: Token, modals: frozenset[str]) -> bool:
    """"they would blockade Paris": a modal on the verb itself (not a conditional above)."""
    return any(c.dep_ == "aux" and c.lower_ in modals for c in verb.children)


def _verb_above(noun: Token) -> Token | None:
    head = noun.head
    if noun.dep_ == "pobj" and head.dep_ in ("prep", "dative"):
        head = head.head
    return head if head.pos_ == "VERB" and head.i != noun.i else None


def phrase_text(tok: Token) -> str:
    return phrase(tok).text


def _codes(actors: list[EventActor]) -> tuple[str, ...]:
    return tuple(sorted(a.code or a.text.lower() for a in actors))


def _both_ways(event: Event) -> list[Event]:
    """Symmetric acts among coordinated actors, coded in each direction."""
    codes = {a.code for a in event.actor if a.code}
    if event.type not in _SYMMETRIC or event.recipient or len(codes) < 2:
        return [event]
    out = []
    for actor in event.actor:
        others = [a for a in event.actor if a.code != actor.code]
        if actor.code and others:
            out.append(replace(event, actor=[actor], recipient=others))
    return out
