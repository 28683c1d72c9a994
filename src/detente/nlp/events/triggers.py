"""Finding event triggers in a sentence and deciding which of them carry an event.

A trigger is a verb, event noun or predicative adjective whose lemma has a sense in the
lexicon whose constraints hold (particle, preposition, object, modifier). Then:

- a noun trigger that is the object of a light verb ("held talks", "launched an attack",
  "took part in an exercise") takes the light verb's clause for its actor, tense and
  modality;
- a transparent verb ("ordered troops to annex") is no event: its complement is;
- a trigger inside the complement of a control trigger ("agreed to a ceasefire",
  "threatened to cut ties", "urged Israel to withdraw") is folded into it: it gives the
  control event its mode and, failing its own, its recipient;
- a noun trigger that is an argument of another trigger ("rejected the demands") is
  folded too, unless it names its own actor ("rejected the Kremlin's demands").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from ..tokens import token_table
from .args import direct_objects, object_lemmas, pobjs, subject_lemmas
from .lexicon import ACTOR_OBJECT, Lexicon, Sense, keys_for, lemma_keys

logger = logging.getLogger(__name__)

ActorTest = Callable[[Token], bool]  # whether a token names a coded actor

_POS = {"V": ("VERB",), "N": ("NOUN", "PROPN"), "A": ("ADJ",)}
_OWN_ACTOR_DEPS = frozenset({"poss"})
_CONTENT = frozenset({"VERB", "NOUN", "PROPN", "ADJ"})
# A condemnation or a welcome judges an act that happened: the act is coded too
# ("condemned the detention of protesters"). A demand or a refusal is about an act that
# has not (yet): it stays the content ("demanded the release of prisoners").
_JUDGING = frozenset({"ACCUSE", "SUPPORT"})
_MATERIAL = frozenset({"COOPERATE", "AID", "RETREAT", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"})
_GATHERINGS = frozenset({"PROTEST", "CONSULT"})
_AMOD_TYPES = frozenset({"COERCE", "ASSAULT"})
_ANY_PREP = frozenset({"over", "for", "of", "on", "with", "about", "in", "to", "against"})
# words inside these entities are part of a name or a date, never a trigger
_NAMES = frozenset({"DATE", "TIME", "PERSON", "GPE", "LOC", "FAC", "WORK_OF_ART", "LAW",
                    "PRODUCT", "LANGUAGE", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL", "PERCENT"})
_FOLD_EDGES = frozenset({"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj", "acl", "advcl", "attr", "oprd", "conj", "relcl"})


@dataclass
class Trigger:
    """A token whose sense codes an event, and how it relates to its neighbours."""

    tok: Token
    sense: Sense
    light: Token | None = None  # the light verb carrying a noun trigger
    folded: list[Trigger] = field(default_factory=list)  # complements folded into it
    folded_into: Trigger | None = None

    @property
    def clause(self) -> Token:
        """The verb whose clause the event sits in (the light verb for noun triggers)."""
        return self.light if self.light is not None else self.tok


def _sense_for(tok: Token, senses: tuple[Sense, ...], has_actor_object: ActorTest) -> Sense | None:
    for sense in senses:
        if tok.pos_ not in _POS.get(sense.pos, ()):
            continue
        if sense.prt and not any(c.dep_ == "prt" and c.lower_ in sense.prt for c in tok.children):
            continue
        if sense.prep and not _has_prep(tok, sense.prep):
            continue
        if sense.mod and not any(
            c.dep_ in ("compound", "amod", "nmod") and c.lemma_.lower() in sense.mod
            for c in tok.children
        ):
            continue
        if sense.obj and not _object_matches(tok, sense, has_actor_object):
            continue
        if sense.not_obj and object_lemmas(tok, sense.prep or _ANY_PREP) & sense.not_obj:
            continue
        if sense.no_deps and any(c.dep_ in sense.no_deps for c in tok.children):
            continue
        if sense.not_mod and any(c.dep_ in ("compound", "amod", "nmod", "poss") and (
                c.lemma_.lower() in sense.not_mod or c.lower_ in sense.not_mod) for c in tok.children):
            continue
        if sense.ccomp_aux and not _has_modal_clause(tok, sense.ccomp_aux):
            continue
        if sense.subj and not subject_lemmas(tok) & sense.subj:
            continue
        return sense
    return None


def _has_modal_clause(tok: Token, auxes: frozenset[str]) -> bool:
    """"said that China must drop barriers": a that-clause with its own subject and "must"."""
    for child in tok.children:
        if child.dep_ == "ccomp" and any(c.dep_ == "aux" and c.lower_ in auxes for c in child.children) \
                and any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ != "PRON" for c in child.children):
            return True
    return False


def _has_prep(tok: Token, preps: frozenset[str]) -> bool:
    """A preposition child, or a clause marked by it ("called for them to be rewritten")."""
    for child in tok.children:
        if child.dep_ in ("prep", "agent", "dative") and child.lower_ in preps:
            return True
        if child.dep_ in ("advcl", "xcomp", "ccomp") and any(
            m.dep_ == "mark" and m.lower_ in preps for m in child.children
        ):
            return True
    return False


def _object_matches(tok: Token, sense: Sense, has_actor: ActorTest) -> bool:
    lemmas = object_lemmas(tok, sense.prep)
    if lemmas & sense.obj:
        return True
    if ACTOR_OBJECT in sense.obj:
        return any(has_actor(o) for o in direct_objects(tok) + list(pobjs(tok, sense.prep)))
    return False


def find_triggers(sent: Span, lex: Lexicon, has_actor: ActorTest) -> list[Trigger]:
    """Every trigger in ``sent`` with a matching sense, before folding."""
    found: list[Trigger] = []
    table = token_table(sent.doc)
    pos, dep, lemma, lower, head, tokens = (table.pos, table.dep, table.lemma, table.lower,
                                            table.head, table.tokens)
    ent_type = table.ent_type
    generic_heads = lex.cues.generic_heads
    for i in range(sent.start, sent.end):
        if pos[i] not in _CONTENT or (dep[i] == "amod" and pos[i] != "NOUN" and table.tag[i] != "VBN"):
            continue  # "a detained woman" is an event; "a violent protest" is not two
        if ent_type[i] in _NAMES or (ent_type[i] == "ORG" and i + 1 < len(tokens)
                                     and tokens[i + 1].ent_iob_ == "I"):
            continue  # "March 26", "the Foundation for Fighting Corruption" (not "the NATO Summit")
        at = i
        if dep[i] == "compound":  # "a mediation effort", "the peace mission"
            if pos[i] != "NOUN" or lemma[head[i]] not in generic_heads:
                continue
            at = head[i]
        for key in keys_for(lemma[i], lower[i], pos[i]):
            senses = lex.senses.get(key)
            sense = _sense_for(tokens[at], senses, has_actor) if senses else None
            if sense is not None and dep[i] == "amod" and sense.type not in _AMOD_TYPES:
                break  # "a so-called army", "the proposed talks": no event; "a detained woman" is one
            if sense is not None:
                found.append(Trigger(tokens[at], sense))
                break
    return found


def _light_verb(noun: Token, lex: Lexicon, trigger_ids: set[int], gathering: bool = False) -> Token | None:
    """"held talks" -> held; "took part in an exercise" -> took; else None. A gathering
    (a protest, a meeting) that is the setting of a security force's transitive act is
    no light-verb object: "police took a man into custody during a march" did not march
    ("youths threw stones during demonstrations" did demonstrate)."""
    noun = _through_quantity(noun, lex)  # "dozens of arrests were made": the count stands for them
    head = noun.head
    if noun.dep_ == "pobj" and head.dep_ == "prep":
        prep, head = head, head.head
        if head.pos_ == "NOUN" and head.lemma_.lower() == "part" and head.head.pos_ == "VERB":
            head = head.head
        elif gathering and prep.lower_ in lex.cues.setting_preps and head.pos_ == "VERB" \
                and prep.lower_ != "into" and any(c.dep_ == "dobj" for c in head.children) \
                and any(c.dep_ == "nsubj" and c.lemma_.lower() in lex.cues.security_nouns for c in head.children):
            return None  # "took a man into custody during a march": the march is the setting
        elif prep.lower_ in lex.cues.setting_preps and head.pos_ == "VERB" and head.i not in trigger_ids \
                and head.lemma_.lower() not in lex.cues.report_verbs:  # "said during a rally": a setting
            return head  # "converging for a rally", "arrived on a visit", "took him into custody"
    elif noun.dep_ not in ("dobj", "attr", "nsubjpass", "oprd"):
        return None
    if head.pos_ != "VERB" or head.i in trigger_ids:
        return None
    cues = lex.cues
    for lemma in lemma_keys(head):
        if lemma in cues.light_verbs or lemma in cues.transparent_verbs:
            return head
    return None


def _through_quantity(noun: Token, lex: Lexicon) -> Token:
    """"dozens of arrests", "hundreds of airstrikes", "two days of talks": the count or the
    stretch of time holds the noun's place."""
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ == "of" and head.head.i != head.i:
        count = head.head
        if count.lower_ in lex.cues.people_counts or count.lemma_.lower() in lex.cues.quantity_nouns \
                or count.tag_ == "CD" or count.ent_type_ in ("DATE", "TIME") and count.tag_ == "NNS":
            return count
    return noun


def _is_transparent(trigger: Trigger, lex: Lexicon, noun_ids: set[int]) -> bool:
    """"ordered troops to annex", "ordered the troop buildup": the order is no event."""
    tok, cues = trigger.tok, lex.cues
    if tok.lemma_.lower() not in cues.transparent_verbs or trigger.sense.type != "REQUEST":
        return False
    objects = [c for c in tok.children if c.dep_ == "dobj"]
    if any(o.i in noun_ids for o in objects):
        return True
    has_xcomp = any(c.dep_ == "xcomp" for c in tok.children)
    return has_xcomp and any(o.lemma_.lower() in cues.transparent_objects for o in objects)


def _own_actor(noun: Token) -> bool:
    return any(
        c.dep_ in _OWN_ACTOR_DEPS or (c.dep_ == "agent") or (c.dep_ == "prep" and c.lower_ == "by")
        for c in noun.children
    )


def _in_background(noun: Token, lex: Lexicon) -> bool:
    """"after the bombing", "following the police shooting": a time or cause phrase."""
    return noun.dep_ == "pobj" and noun.head.lower_ in lex.cues.background_preps


def _names_author(noun: Token, lex: Lexicon, has_actor: ActorTest) -> bool:
    """An event noun that names who did it: "Russia's invasion", "the police shooting",
    "the attack by rebels"."""
    return _own_actor(noun) or any(
        c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i
        and (c.lemma_.lower() in lex.cues.group_nouns or has_actor(c)) for c in noun.children)


def _governing_trigger(trigger: Trigger, by_index: dict[int, Trigger]) -> tuple[Trigger, str] | None:
    """The nearest trigger above ``trigger`` through complement edges, with the last edge."""
    node = trigger.clause
    for _ in range(6):
        if node.head.i == node.i or node.dep_ not in _FOLD_EDGES or node.dep_ == "conj":
            return None
        edge, node = node.dep_, node.head
        found = by_index.get(node.i)
        if found is not None:
            return found, edge
    return None


def _infinitive(verb: Token) -> bool:
    """"sworn to fight": a subjectless to-infinitive, the content of the verb above."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and not any(
        c.dep_ in ("nsubj", "nsubjpass", "mark") for c in verb.children)


def resolve_triggers(sent: Span, lex: Lexicon, has_actor: ActorTest) -> list[Trigger]:
    """The triggers of ``sent`` that carry an event, with folded complements attached."""
    triggers = find_triggers(sent, lex, has_actor)
    if not triggers:
        return []
    noun_ids = {t.tok.i for t in triggers if t.sense.pos == "N"}
    triggers = [t for t in triggers if not _is_transparent(t, lex, noun_ids)]
    ids = {t.tok.i for t in triggers}
    for trig in triggers:
        if trig.sense.pos == "N":
            trig.light = _light_verb(trig.tok, lex, ids, trig.sense.type in _GATHERINGS)
    triggers = [t for t in triggers if not (t.sense.needs_light and t.light is None)]
    by_index = {t.tok.i: t for t in triggers}
    for trig in triggers:
        if trig.light is not None:
            by_index.setdefault(trig.light.i, trig)
    for trig in triggers:
        found = _governing_trigger(trig, by_index)
        if found is None:
            continue
        above, edge = found
        if above is trig:
            continue
        if above.sense.type == "PROTEST" and trig.sense.type in ("REQUEST", "PROTEST", "ACCUSE"):
            trig.folded_into = above  # demands made by demonstrating are the protest
            above.folded.append(trig)
            continue
        own = trig.sense.pos == "N" and _own_actor(trig.tok)
        if trig.sense.pos == "N" and trig.tok.dep_ == "pobj" and trig.tok.head.lower_ in lex.cues.appearance_preps:
            continue  # "detained at a rally": the scene, an event of its own
        if trig.sense.pos == "N" and _in_background(trig.tok, lex) and _names_author(trig.tok, lex, has_actor):
            continue  # "a meeting since the police shooting": an event of its own, told as background
        control = above.sense.control and above.sense.type != "ACCUSE" and (
            edge != "advcl" or _infinitive(trig.clause))
        argument = trig.sense.pos == "N" and trig.light is None and not (
            above.sense.type in _JUDGING and trig.sense.type in _MATERIAL  # "condemned the arrests": both
            or above.sense.type == "COOPERATE" and trig.sense.type == "ASSAULT")  # "cooperate in the fight"
        if (control or argument) and not own:
            trig.folded_into = above
            above.folded.append(trig)
    return [t for t in triggers if t.folded_into is None]
