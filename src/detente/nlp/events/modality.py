"""Negation and modality of an event trigger, read off its clause and the words above it.

The trigger's own clause (the trigger and the heads it is controlled by or coordinated
with) gives negation ("did not", "never", "no") and auxiliary modality ("would", "if",
"will"); the words governing it give the rest: a speech verb -> ``reported``, "accused
of"/"alleged" -> ``claimed``, "denied" -> ``denied``, "plans to"/"is set to" ->
``future``, "threat of"/"in the event of"/"to deter" -> ``hypothetical``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spacy.tokens import Token

from ...model import Modality
from .lexicon import Cues

logger = logging.getLogger(__name__)

# Strongest first: one event gets one modality.
_ORDER: tuple[Modality, ...] = ("denied", "claimed", "hypothetical", "future", "reported")
_CLAUSE_LINKS = frozenset({"xcomp", "conj", "acomp", "pcomp", "pobj", "prep", "dobj", "attr", "oprd", "amod", "compound", "nsubj", "nsubjpass"})
_COMPLEMENT = frozenset({"ccomp", "xcomp", "dobj", "pcomp", "pobj", "prep", "acl", "attr", "advcl", "relcl"})


@dataclass(frozen=True)
class Assessment:
    negated: bool
    modality: Modality


def assess(tok: Token, cues: Cues) -> Assessment:
    """Negation and modality of the event whose trigger is ``tok``."""
    found: set[Modality] = set()
    negated = _negated(tok, cues)
    node, in_clause, steps, verbs_passed = tok, True, 0, 0
    while steps < 8:
        if in_clause:
            found |= _clause_cues(node, cues)
        found |= _word_cues(node, cues)
        head = node.head
        if head.i == node.i:
            break
        if node.i != tok.i and node.pos_ == "VERB":
            verbs_passed += 1
        found |= _relation_cues(node, head, cues, first=verbs_passed == 0)
        if head.pos_ == "NOUN" and node.dep_ in ("acl", "ccomp", "relcl") and any(
                c.dep_ == "det" and c.lower_ == "no" for c in head.children):
            negated = True  # "there is no evidence Russia plans to attack"
        if node.dep_ not in _CLAUSE_LINKS:
            in_clause = False
        node, steps = head, steps + 1
    modality: Modality = next((m for m in _ORDER if m in found), "asserted")
    return Assessment(negated=negated, modality=modality)


def _negated(tok: Token, cues: Cues) -> bool:
    for child in tok.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return True
    node = tok
    while node.dep_ in ("xcomp", "conj") and node.head.i != node.i:
        head = node.head
        if node.dep_ == "xcomp" and head.lemma_.lower() in cues.negation_verbs:
            return True
        if node.dep_ == "xcomp" and any(c.dep_ == "neg" for c in head.children):
            return True
        node = head
    return False


def _clause_cues(node: Token, cues: Cues) -> set[Modality]:
    out: set[Modality] = set()
    for child in node.children:
        word = child.lower_
        if child.dep_ in ("aux", "auxpass"):
            if word in cues.hypothetical_aux or child.lemma_.lower() in cues.hypothetical_aux:
                out.add("hypothetical")
            elif word in cues.future_aux or child.lemma_.lower() in cues.future_aux:
                out.add("future")
        elif child.dep_ == "mark" and word in cues.hypothetical_marks:
            out.add("hypothetical")
    return out


def _word_cues(node: Token, cues: Cues) -> set[Modality]:
    out: set[Modality] = set()
    for child in node.children:
        word = child.lower_
        if child.dep_ == "advmod" and word in cues.claim_advs:
            out.add("claimed")
        elif child.dep_ == "advmod" and word in cues.report_advs:
            out.add("reported")
        elif child.dep_ == "amod" and word in cues.claim_adjs:
            out.add("claimed")
        elif child.dep_ == "prep" and word in cues.report_preps:
            out.add("reported")
    return out


def _plans_for(governor: Token, cues: Cues) -> bool:
    """"preparation(s) for", "plans for", or a verb whose object is one ("made plans for")."""
    if governor.pos_ == "NOUN":
        return governor.lemma_.lower() in cues.future_nouns
    return governor.pos_ == "VERB" and any(
        c.dep_ == "dobj" and c.lemma_.lower() in cues.future_nouns for c in governor.children)


def _relation_cues(node: Token, head: Token, cues: Cues, first: bool) -> set[Modality]:
    """What ``head`` says about the event below it, reached through ``node``."""
    out: set[Modality] = set()
    dep, lemma = node.dep_, head.lemma_.lower()
    if head.dep_ == "prep" and dep in ("pobj", "pcomp"):
        governor = head.head
        if head.lower_ in cues.hypothetical_preps and governor.lemma_.lower() in cues.hypothetical_nouns:
            out.add("hypothetical")
        if head.lower_ in cues.topic_preps and _deliberation(governor, cues):
            out.add("hypothetical")  # "negotiations on a troop pullback": its topic
        if head.lower_ in ("for", "of") and _plans_for(governor, cues):
            out.add("future")  # "in preparation for an invasion", "made plans for an attack"
        if governor.lemma_.lower() in cues.claim_verbs and governor.pos_ == "VERB":
            out.add("claimed")
        return out
    if dep not in _COMPLEMENT:
        return out
    if head.pos_ == "NOUN" and lemma in cues.claim_nouns and dep in ("acl", "ccomp", "relcl"):
        out.add("claimed")  # "an allegation that the NPFL had taken ..."
    if lemma in cues.deny_verbs and head.pos_ == "VERB":
        out.add("denied")
    elif lemma in cues.claim_verbs and head.pos_ == "VERB" and dep in ("ccomp", "xcomp"):
        out.add("claimed")
    elif lemma in cues.report_verbs and dep == "ccomp":
        out.add("reported")
    if dep in ("xcomp", "acl") and (
        lemma in cues.future_verbs and head.pos_ == "VERB"
        or lemma in cues.future_adjs and head.pos_ == "ADJ"
        or lemma in cues.future_nouns and head.pos_ == "NOUN"
    ):
        out.add("future")
    if first and lemma in cues.hypothetical_verbs and head.pos_ == "VERB" and dep in ("xcomp", "ccomp", "dobj"):
        out.add("hypothetical")
    return out


def _deliberation(governor: Token, cues: Cues) -> bool:
    """Talks or a text under negotiation, as the noun a topic hangs from, or as the object
    of the verb the parser hung it from ("renewed negotiations today on a pullback")."""
    if governor.pos_ in ("NOUN", "PROPN"):
        return governor.lemma_.lower() in cues.topic_nouns
    return governor.pos_ == "VERB" and any(
        c.dep_ == "dobj" and c.lemma_.lower() in cues.topic_nouns for c in governor.children)
