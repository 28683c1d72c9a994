"""Reported-speech rules of the quotes stage beyond a cue verb's clause: nouns of saying
("his claim that ..."), adjectives of belief ("many are afraid that ..."), labels cast
with "as" ("went after Trump as a “con artist”"), "as X said," frames, a cue's
prepositional, characterising, directive and noun-phrase contents, and "according to X".

``ReportRules`` is one part of a ``QuoteFinder`` (``finder.py``): it reads the finder's
state and span helpers and adds what it finds to the finder.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from spacy.tokens import Token

from ..mentions import pronouns, resolve
from .lexicon import third_person_of
from .records import Attribution, Content
from .speakers import speaker_phrase

if TYPE_CHECKING:
    from .finder import QuoteFinder

logger = logging.getLogger(__name__)

# What an "as X said," clause may hold besides its subject: no object, clause or content.
_AS_CLAUSE_DEPS = frozenset({"nsubj", "aux", "advmod", "neg", "punct", "mark", "npadvmod", "prep",
                             "prt"})


class ReportRules:
    """Content rules for reports that are not a cue verb's clausal complement."""

    def __init__(self, finder: QuoteFinder) -> None:
        self.finder = finder







    def nominal(self, noun: Token) -> None:
        """'his claim that ...', 'the warning by X that ...': a noun with a "that" clause."""
        clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp", "appos") and c.i > noun.i
                       and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)), None)
        if clause is None:
            clause = self._owned_content(noun)
        if clause is None:
            return
        content = self.finder.span_content(clause.left_edge.i, clause.right_edge.i, "indirect", noun)
        if content is None:
            return
        self.finder.found.append((content, Attribution(noun.text, self._nominal_source(noun), None, noun.i)))

    def _owned_content(self, noun: Token) -> Token | None:
        """'his plan to cut taxes', 'the senator's criticism of the deal': with a possessor
        as its source, a noun of saying's infinitive or prepositional object is the content."""
        if not any(c.dep_ == "poss" and c.pos_ in ("PRON", "PROPN", "NOUN") for c in noun.children):
            return None
        for child in noun.children:
            if child.i < noun.i:
                continue
            if child.dep_ == "acl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in child.children):
                return child
            if child.dep_ == "prep" and child.lower_ in self.finder.lex.content_preps and child.i == noun.i + 1:
                obj = next((g for g in child.children if g.dep_ in ("pobj", "pcomp")), None)
                return obj if obj is not None and obj.ent_type_ not in ("DATE", "TIME") else None
        return None

    def attitude(self, adjective: Token) -> None:
        """'many are afraid that ...', 'he is determined to ...', 'it was clear (that) ...':
        the clause of a predicative adjective of belief or intent; the speaker is the
        copula's subject (none for an expletive "it")."""
        verb = adjective.head
        clause = next((c for c in adjective.children if c.i > adjective.i and (
            c.dep_ in ("ccomp", "xcomp") or (c.dep_ == "advcl" and any(
                g.dep_ == "mark" and g.lower_ in ("if", "whether") for g in c.children)))), None)
        if clause is None:
            clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > adjective.i), None)
        if clause is None:  # "has been critical of the plan", "is worried about the cost"
            prep = next((c for c in adjective.children if c.dep_ == "prep" and c.i == adjective.i + 1
                         and c.lower_ in self.finder.lex.content_preps), None)
            clause = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep else None
        if clause is None:
            return
        content = self.finder.span_content(clause.left_edge.i, clause.right_edge.i, "indirect", adjective)
        if content is None:
            return
        subject = self.finder.own_subject(verb)
        if subject is not None and subject.lower_ == "it":
            subject = None
        cue = " ".join(t.text for t in (verb, adjective))
        self.finder.found.append((content, Attribution(cue, subject, None, adjective.i)))

    def evidential(self, verb: Token) -> None:
        """'Melania seems to have vanished', 'the plan seems risky to me': the clause a verb
        of seeming heads, subject included, as an impression (its source: the "to" phrase)."""
        if not any(c.dep_ in ("xcomp", "acomp", "ccomp", "attr", "oprd", "prep") for c in verb.children):
            return
        complements = [verb, *(c for c in verb.children if c.dep_ in ("acomp", "oprd", "attr"))]
        to = next((c for head in complements for c in head.children
                   if c.dep_ == "prep" and c.lower_ == "to" and c.i > verb.i), None)
        source = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        hi = verb.right_edge.i
        if to is not None and source is not None and to.right_edge.i >= hi - 1:
            hi = to.i - 1  # "seems risky to me": the impression, not whose it is
        content = self.finder.span_content(verb.left_edge.i, hi, "indirect", verb)
        if content is not None:
            self.finder.found.append((content, Attribution(verb.text, source, None, verb.i)))

    def labelled_as(self, verb: Token) -> None:
        """'went after Trump as a “con artist”': any verb that casts its object as a quoted
        label characterises it (a partial quote); without marks it is no report."""
        if not self.finder.marked(verb.i, verb.right_edge.i):
            return
        obj = next((c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i), None)
        if obj is None:  # "went after Trump as ...": the object of a particle-like preposition
            prep = next((c for c in verb.children if c.dep_ == "prep" and c.i == verb.i + 1), None)
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
        label = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"
                      and obj is not None and c.i > obj.i), None)
        if obj is None or label is None or not self.finder.marked(label.i, label.right_edge.i):
            return
        content = self.finder.span_content(obj.left_edge.i, label.right_edge.i, "partial", verb)
        attribution = self.finder.attribution(verb) if content is not None else None
        if content is not None and attribution is not None:
            self.finder.found.append((content, attribution))

    def _nominal_source(self, noun: Token) -> Token | None:
        """The possessor, the "by" agent, or the subject of the verb the noun is the object of
        (the subject of the noun itself, or the name right before it, when the noun is a
        third-person cue the tagger took for a plural: "Trump claims that ...")."""
        named = self._subject_of_mistagged(noun)
        if named is not None:
            return named
        for child in noun.children:
            if child.dep_ == "poss":
                return self._owner_named(noun, child)
            if child.dep_ == "prep" and child.lower_ in ("by", "from") and child.i < noun.i + 3:
                return next((c for c in child.children if c.dep_ == "pobj"), None)
        head = noun.head
        if noun.dep_ in ("dobj", "attr") and head.pos_ in ("VERB", "AUX"):
            return self.finder.subject(head)
        verb = head.head
        if noun.dep_ == "pobj" and verb.pos_ == "VERB" and head.lower_ in self.finder.lex.phrasal.get(
                verb.lemma_.lower(), frozenset()):
            return self.finder.subject(verb)  # "she pointed to reports that ...": hers
        return None

    def _subject_of_mistagged(self, noun: Token) -> Token | None:
        """'Trump claims that ...', 'Trump charges that ...' tagged as plural nouns: the
        noun's subject, or the name just before it that the parser tied to it."""
        if noun.tag_ != "NNS" or not third_person_of(noun.lower_, self.finder.lex.speech):
            return None
        subject = next((c for c in noun.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            return subject
        before = noun.doc[noun.i - 1] if noun.i > 0 else None
        if before is None or before.ent_type_ not in ("PERSON", "ORG", "NORP", "GPE") or (
                before.head.i != noun.i and noun.head.i != before.i):
            return None
        return before

    def _owner_named(self, noun: Token, owner: Token) -> Token:
        """'Clinton touted her plans for ...': a possessive pronoun whose referent is the
        subject of the verb the noun is the object of gives way to that subject's name."""
        verb = noun.head
        if noun.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head  # "doubling down on his attacks"
        elif noun.dep_ != "dobj":
            return owner
        if owner.pos_ != "PRON" or verb.pos_ not in ("VERB", "AUX"):
            return owner
        subject = self.finder.own_subject(verb)
        if subject is None or subject.pos_ == "PRON":
            return owner
        index = self.finder.index
        said = resolve(index, owner.doc[owner.i : owner.i + 1]).name
        named = resolve(index, speaker_phrase(subject)).name
        if said is not None and said == named:
            return subject
        # "Rita Lane laid out her proposals": a possessive in the object is bound by the
        # clause's subject when their genders agree, whoever else was named before
        features = pronouns().features.get(owner.lower_)
        known = index.gender.get(named) if named is not None else None
        agrees = features is not None and features.gender in ("m", "f") and (
            known == features.gender or (known is None and subject.ent_type_ == "PERSON"))
        return subject if agrees else owner

    def as_content(self, cue: Token) -> Content | None:
        """'Hawaii, as an adviser pointed out, rarely gets ...', '..., as police have said':
        an "as" clause of saying frames the clause it hangs from (less the "as" clause
        when it opens or closes it)."""
        kids = list(cue.children)
        if not any(c.dep_ == "mark" and c.lower_ == "as" and c.i < cue.i for c in kids) or not any(
            c.dep_ == "nsubj" for c in kids
        ) or any((c.dep_ not in _AS_CLAUSE_DEPS or c.lower_ in self.finder.lex.as_clause_preps)
                 and not (c.dep_ == "dobj" and c.lower_ == "it") for c in kids):  # "as X put it"
            return None  # "as she called for ...", "as predicted": not a frame of saying
        head = cue.head
        lo, hi = head.left_edge.i, head.right_edge.i
        if cue.left_edge.i <= lo:
            lo = cue.right_edge.i + 1
        elif cue.right_edge.i >= hi:
            hi = cue.left_edge.i - 1
        if hi - lo < 2:
            return None
        return self.finder.span_content(lo, hi, "indirect", cue)

    def prep_content(self, cue: Token, lemma: str) -> Content | None:
        """'called for a ceasefire': the object of the verb's content preposition."""
        preps = self.finder.lex.prep_cues.get(lemma)
        if not preps:
            return None
        prep = next((c for c in cue.children if c.dep_ == "prep" and c.i > cue.i
                     and c.lower_ in preps), None)
        obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep else None
        if obj is None:
            return None
        return self.finder.span_content(obj.left_edge.i, obj.right_edge.i, "indirect", cue)

    def characterise_content(self, cue: Token, lemma: str) -> Content | None:
        """'called climate change a hoax', 'described it as unfair': object and label."""
        if lemma not in self.finder.lex.characterise:
            return None
        obj = next((c for c in cue.children if c.dep_ == "dobj" and c.i > cue.i), None)
        label = next((c for c in cue.children if c.i > cue.i and (
            c.dep_ in ("oprd", "xcomp") or (c.dep_ == "prep" and c.lower_ == "as"))), None)
        if obj is None or label is None:
            return None
        return self.finder.span_content(obj.left_edge.i, label.right_edge.i, "indirect", cue)

    def directive_content(self, cue: Token) -> Content | None:
        """'urged supporters to vote': the object and its infinitive clause."""
        xcomp = next((c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i), None)
        if xcomp is None:
            return None
        objects = [c.left_edge.i for c in cue.children if c.dep_ in ("dobj", "dative") and cue.i < c.i < xcomp.i]
        return self.finder.span_content(min([xcomp.left_edge.i, *objects]), xcomp.right_edge.i, "indirect", cue)

    def object_content(self, cue: Token) -> Content | None:
        """'denied the report': a noun-phrase object of a speech act."""
        obj = next((c for c in cue.children if c.dep_ == "dobj" and c.i > cue.i), None)
        if obj is None:
            return None
        charge = next((c for c in cue.children if c.i > obj.i and c.dep_ == "prep"
                       and c.lower_ in ("of", "for") and c.n_rights), None)
        if obj.pos_ == "PRON" or obj.right_edge.i == obj.left_edge.i and obj.pos_ != "PROPN":
            if charge is None:
                return None  # "attacked Machado", "denied it": a target, not a content
            # "accused her of lying", "blamed Obama for the deficit": what the target is charged with
            return self.finder.span_content(charge.i + 1, charge.right_edge.i, "indirect", cue)
        hi = max([obj.right_edge.i] + [
            c.right_edge.i for c in cue.children if c.i > obj.i and c.dep_ == "prep" and c.lower_ in ("as", "for", "of")
        ])  # "cited the remarks as examples of ...": what the object is taken for belongs to it
        return self.finder.span_content(obj.left_edge.i, hi, "indirect", cue)

    def according(self, token: Token) -> Token | None:
        """The source token when ``token`` begins an "according to X" phrase."""
        if token.lower_ not in self.finder.according_starts:
            return None
        for phrase in self.finder.lex.according:
            if token.lower_ != phrase[0] or token.i + len(phrase) > len(self.finder.doc):
                continue
            if not all(self.finder.doc[token.i + k].lower_ == phrase[k] for k in range(1, len(phrase))):
                continue
            prep = self.finder.doc[token.i + len(phrase) - 1]
            source = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if source is not None and (len(phrase) > 1 or source.pos_ == "PROPN"):
                return self.finder.sources.author(source)
        return None

    def _phrase_end(self, source: Token) -> int:
        """Last token of an opening source phrase: its subtree, cut at the first comma after
        the head ("According to X, the move ..." that the parser hung off X as an apposition)."""
        end = source.right_edge.i
        for i in range(source.i + 1, end + 1):
            if self.finder.doc[i].text == "," and self.finder.in_mark[i] < 0:
                return i - 1
        return end

    def add_according(self, token: Token, source: Token) -> None:
        length = next(len(p) for p in self.finder.lex.according if p[0] == token.lower_)
        opens = all(t.is_punct or t.is_space or t.dep_ == "cc" for t in self.finder.sent(token) if t.i < token.i)
        end = self._phrase_end(source) if opens else source.right_edge.i
        phrase_last = max(end, token.i + length - 1)
        sent = self.finder.sent(token)
        tokens = [
            t.i for t in sent
            if not token.i <= t.i <= phrase_last and not (t.is_space or t.is_punct)
        ]
        head = token.head if token.head.i != token.i else token
        cited = self.finder.cited(head if head.pos_ in ("VERB", "AUX") else sent.root)
        if cited is not None:
            tokens = [i for i in tokens if not cited.head.left_edge.i <= i <= cited.head.right_edge.i]
        tokens = [i for i in tokens if self.finder.in_mark[i] < 0 or self.finder.marks[self.finder.in_mark[i]].first >= min(tokens)]
        if not tokens:
            return
        lo, hi = min(tokens), max(tokens)
        if lo < token.i <= hi and phrase_last >= hi - 1:
            hi = token.i - 1
        if lo >= token.i:
            lo = max(lo, phrase_last + 1)
        start, end = self.finder.trim(lo, hi)
        if end <= start:
            return
        inside = {self.finder.in_mark[i] for i in range(lo, hi + 1)} - {-1}
        self.finder.consumed.update(inside)
        cue = " ".join(self.finder.doc[token.i + k].text for k in range(length))
        speaker, via = source, None
        if cited is not None:
            speaker, via = cited, speaker_phrase(source).text
        attribution = Attribution(cue, speaker, via, token.i)
        self.finder.found.append((Content(start, end, "mixed" if inside else "indirect"), attribution))
