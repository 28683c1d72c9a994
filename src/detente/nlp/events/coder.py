"""The events stage: who did what to whom, when and where, coded to PLOVER.

Sentence by sentence, from the parse: triggers (``triggers.py``) -> actor and recipient
mentions (``participants.py`` over the grammar of ``args.py``, coded through the actors
stage) -> negation and modality (``modality.py``) -> date (``dates.py``) -> place
(``participants.Locator``) -> PLOVER intensity and quad -> one Event per (type, actor,
recipient, date) in the article (the most confident).

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
- Dates: see ``dates.py``; ``historical`` = an asserted or reported event with an
  explicit date over a year before publication.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from spacy.tokens import Doc, Span, Token

from ...model import QUAD, Event, EventActor
from ...model import Trigger as TriggerSpan
from ..context import DocContext, doc_ents, sentences
from ..tokens import token_table
from .args import (
    ActorCoder,
    object_lemmas,
    pobjs,
)
from .dates import Dates, older_than_a_year
from .lexicon import Cues, Lexicon, load_lexicon, noun_senses
from .modality import _ORDER, Assessment, assess
from .participants import SYMMETRIC, Args, Locator, Participants
from .triggers import Trigger, resolve_triggers

logger = logging.getLogger(__name__)

_FUTURE_TYPE = {"CONSULT": "AGREE", "SUPPORT": "AGREE", "COOPERATE": "AGREE", "AID": "AGREE",
                "RETREAT": "CONCEDE"}
# types coded without an actor (an agentless passive or event noun: "was shot", "the
# bombing of the market"): acts seen to happen. Verbal acts need their speaker.
_AGENTLESS = frozenset({"CONSULT", "COOPERATE", "AID", "RETREAT", "PROTEST", "SANCTION",
                        "MOBILIZE", "COERCE", "ASSAULT"})
_STATE_SECTORS = frozenset({"GOV", "MIL", "LEG", "JUD", "SPY", "COP"})
# what a sentence "to" is when it is a jail term ("to ten years in prison", "to life")
_JAIL_TERMS = frozenset({"prison", "jail", "imprisonment", "detention", "year", "month", "week", "life", "term"})
_TO = frozenset({"to"})


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
        self.locate = Locator(doc, ctx, lex)
        self.participants = Participants(doc, ctx, lex, self.actors, self.locate)
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
                    key = (event.type, self._who(event.actor), _codes(event.recipient), event.date)
                    if key not in best or best[key].confidence < event.confidence:
                        best[key] = event
            self.dates.end_sentence(sent)
        return sorted(best.values(), key=lambda e: (e.start, -e.confidence))

    def _who(self, actors: list[EventActor]) -> tuple[str, ...]:
        """Actors as an event's key: a code inferred for a group is a guess, so the group
        counts too ("coalition airstrikes" and "Iraqi forces", both taken for Iraq, are two
        actors); a pronoun or a thing inferred to a code is that code."""
        return tuple(sorted(f"{a.code}:{a.text.lower()}" if a.inferred and self._names_group(a.text)
                            else a.code or a.text.lower() for a in actors))

    def _names_group(self, text: str) -> bool:
        cues = self.lex.cues
        last = text.lower().rsplit(" ", 1)[-1]
        return last in cues.group_nouns or last in cues.people_nouns or last.endswith(cues.people_suffixes)

    def _material_act(self, tok: Token) -> bool:
        """An event noun of a material act ("airstrikes", "the offensive") standing as agent."""
        return any(QUAD[s.type] in (2, 4) for s in noun_senses(self.lex, tok))

    def _names_actor(self, tok: Token) -> bool:
        return bool(self.actors.code(tok))

    # -- one trigger ---------------------------------------------------------------------

    def _events(self, trig: Trigger, sent: Span) -> list[Event]:
        args = self.participants.arguments(trig, sent)
        type_, mode, cameo = self._code(trig, args)
        verdict = self._modality(trig)
        type_, mode, cameo, verdict = self._recode(trig, args, (type_, mode, cameo), verdict)
        if not args.actors and type_ not in _AGENTLESS:
            return []  # "Russia is accused of ...": a verbal act needs its speaker
        if args.natural_cause and QUAD[type_] == 4:
            return []  # "the storm hit the city": harm without intent is no PLOVER event
        if QUAD[type_] in (1, 3) and any(self._material_act(t) for t in args.agent_heads):
            return []  # "backed by airstrikes": an act is no speaker; the backing was material
        if type_ == "CONSULT" and args.actors and not args.counterpart and not _several(args) \
                and (trig.sense.pos == "V" or trig.light is not None and trig.tok.dep_ == "dobj"):
            return []  # "she makes a phone call", "he visited Sunday": no counterpart, no consultation
        if type_ == "PROTEST" and trig.sense.lemma in self.lex.cues.campaign_nouns and (
                any(t.ent_type_ == "PERSON" for t in args.agent_heads) or _a_person_appears(trig, self.lex.cues)):
            return []  # "Trump's rallies", "Cruz said at a rally", "told a rally": a campaign, not a protest
        if mode == "visit" and type_ == "CONSULT" and trig.sense.pos == "V" \
                and not any(a.code and not a.inferred for a in args.actors):
            return []  # a visit is an official's or a state's: "5,000 people arrived at a camp" is none
        when = self.dates.for_trigger(trig, _codes(args.actors))
        location = self.locate.location(trig)
        if _bare_mention(trig, args) and (location is None and not when.explicit and not _scene_of_act(trig, self.lex)
                                          and not self.dates.own_timex(trig.tok)
                                          or _setting_of_speech(trig, self.lex.cues)):
            return []  # "the attack", "protests": a reference back or a generic, not a report
        modality = verdict.modality
        if modality in ("asserted", "reported") and when.explicit and when.value and self._old(when.value):
            modality = "historical"
        event = Event(
            type=type_, mode=mode, context=list(trig.sense.context),
            actor=args.actors, recipient=args.recipients,
            date=when.value, date_precision=when.precision,
            negated=verdict.negated, modality=modality, location=location,
            intensity=self.lex.scores.intensity(type_, mode), quad=QUAD[type_], cameo=cameo,
            sentence=self._sent_text, start=sent.start_char, end=sent.end_char,
            confidence=self._confidence(trig, args, verdict),
            trigger=_trigger_span(trig, self.text),
        )
        return _both_ways(event) + self._jailed(trig, event)

    def _jailed(self, trig: Trigger, event: Event) -> list[Event]:
        """PLOVER: a jail sentence is also a COERCE ``arrest`` ("sentenced him to ten years
        in prison"); a death sentence, a fine or lashes are not."""
        if event.type != "SANCTION" or event.mode != "convict" or not object_lemmas(trig.tok, _TO) & _JAIL_TERMS:
            return []
        return [replace(event, type="COERCE", mode="arrest", cameo="173", quad=QUAD["COERCE"],
                        intensity=self.lex.scores.intensity("COERCE", "arrest"))]

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
        if future and not verdict.negated and QUAD[type_] == 4 and type_ != "PROTEST":
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


def _setting_verb(tok: Token, preps: frozenset[str]) -> Token | None:
    """The verb whose setting an event noun is ("said during a rally" -> said), if it
    hangs from it by one of ``preps``."""
    return tok.head.head if tok.dep_ == "pobj" and tok.head.lower_ in preps else None


def _a_person_appears(trig: Trigger, cues: Cues) -> bool:
    """"Cruz fired back at Trump at a rally", "Trump told a rally": a named person
    addressing or appearing at the gathering."""
    tok = trig.tok
    verb = _setting_verb(tok, cues.appearance_preps)
    if verb is None and tok.dep_ in ("dobj", "dative") \
            and tok.head.lemma_.lower() in cues.report_verbs | cues.appearance_verbs:
        verb = tok.head  # "told a rally"
    return verb is not None and any(c.dep_ == "nsubj" and c.ent_type_ == "PERSON" for c in verb.children)


def _several(args: Args) -> bool:
    """Several parties on the actor side: coordinated, plural ("leaders", "the two
    sides") or more than one coded actor."""
    if len(args.actors) > 1:
        return True
    for head in args.agent_heads:
        if head.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in head.children) \
                or any(c.dep_ == "nummod" for c in head.children):
            return True
    return False


def _setting_of_speech(trig: Trigger, cues: Cues) -> bool:
    """"Trump said during a rally in Michigan": the rally is where a speech was made."""
    verb = _setting_verb(trig.tok, cues.appearance_preps)
    return verb is not None and verb.lemma_.lower() in cues.appearance_verbs


def _scene_of_act(trig: Trigger, lex: Lexicon) -> bool:
    """"He was shot at a protest", "arrested during the demonstrations": a gathering that
    is the scene of an act reported in the same clause is reported with it."""
    verb = _setting_verb(trig.tok, lex.cues.appearance_preps | lex.cues.setting_preps)
    return verb is not None and verb.pos_ == "VERB" and verb.lemma_.lower() not in lex.cues.appearance_verbs \
        and any(s.type in _AGENTLESS for s in lex.senses.get(verb.lemma_.lower(), ()))


def _bare_mention(trig: Trigger, args: Args) -> bool:
    """An event noun with no one named on either side, standing alone ("the attack",
    "protests", "the war"): it refers back to an event reported elsewhere, or speaks of
    such events in general; neither is a report of its own. Its light verb ("held talks")
    or a place or date of its own would make it one."""
    return trig.sense.pos == "N" and trig.light is None and not args.actors and not args.recipients \
        and not trig.sense.mod


def _trigger_span(trig: Trigger, text: str) -> TriggerSpan:
    """The trigger word with its particle ("pull out"), as written."""
    tok = trig.tok
    parts = [tok, *(c for c in tok.children if c.dep_ == "prt")]
    start = min(t.idx for t in parts)
    end = max(t.idx + len(t.text) for t in parts)
    return TriggerSpan(text=text[start:end], start=start, end=end)


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


def _own_modal(verb: Token, modals: frozenset[str]) -> bool:
    """"they would blockade Paris": a modal on the verb itself (not a conditional above)."""
    return any(c.dep_ == "aux" and c.lower_ in modals for c in verb.children)


def _codes(actors: list[EventActor]) -> tuple[str, ...]:
    return tuple(sorted(a.code or a.text.lower() for a in actors))



def _both_ways(event: Event) -> list[Event]:
    """Symmetric acts among coordinated actors, coded in each direction."""
    codes = {a.code for a in event.actor if a.code}
    if event.type not in SYMMETRIC or event.recipient or len(codes) < 2:
        return [event]
    out = []
    for actor in event.actor:
        others = [a for a in event.actor if a.code != actor.code]
        if actor.code and others:
            out.append(replace(event, actor=[actor], recipient=others))
    return out
