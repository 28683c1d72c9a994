"""Who said it: the source mention of a cue, for the quotes stage.

The source of a cue verb is its subject or passive agent, else that of the verb a
participle or infinitive hangs from ("..., adding that", "after saying"). Parsers
go wrong around quotations and datelines in ways news style makes easy to undo:

- a subject inside a quotation is the quoted speaker's own word ("“We will ...,”
  Tulsa police Chief Chuck Jordan said" parsed with "We" as the subject of "said"),
  never the source of a cue outside it: the source is then read from the surface,
  the name between the closing mark and the cue ('“...,” NAME said') or after it
  ('“...,” said NAME');
- a dateline ("WASHINGTON --") is no speaker; the name set beside it is;
- a subject that cannot speak ("With 50 days until the election, Minyon Moore,
  an adviser, called ...") gives way to the person set beside it;
- a participle after ", X said," is X's ("..., Sanders said, going on to say that ...")
  wherever the parser hung it; one after a relative clause set off by dashes or commas
  is the main clause's subject's ("- where the team played - while chanting");
- a participle on a noun that cannot speak is its holder's ("replaced it with language
  calling for ..."): the subject of the verb the noun is an argument of;
- a speech act conjoined to a reported clause with no subject of its own is the
  reporter's next act ("said he would order a review and warned against ...");
- ", said another witness, NAME." after the report: the parser's object is the source;
- "X was quoted by Y as saying": X speaks, Y is the channel;
- "citing her work" names what was cited, not a source.

``SourceRules`` is one part of a ``QuoteFinder`` (``finder.py``): it reads the
finder's parse, marks and lexicons.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Token

from ..mentions import pronouns, speaker_lexicon
from .lexicon import cue_lexicon
from .records import Attribution
from .speakers import speaker_phrase

if TYPE_CHECKING:
    from .finder import QuoteFinder

logger = logging.getLogger(__name__)

_CLIMB_DEPS = frozenset({"advcl", "xcomp", "conj", "pcomp"})
_SPEAKING_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
_FINITE = frozenset({"VBD", "VBZ", "VBP"})
_CLAUSE_POS = frozenset({"VERB", "AUX", "CCONJ", "SCONJ"})
_SURFACE_WORDS = 10  # at most this many tokens in a name read from the surface
# A dateline opening a paragraph: "WASHINGTON --", "BEIRUT, Lebanon —", "LONDON (Reuters) -".
_DATELINE = re.compile(r"[A-Z][A-Z.'\- ]+(?:, [A-Z][A-Za-z.'\- ]+)?(?: \([^)\n]{1,40}\))? ?(?:--|—|–|-) ")


def is_source(token: Token) -> bool:
    """Is this noun phrase head someone who can be cited (a person, a body, a role)?"""
    if token.ent_type_ in _SPEAKING_ENTS or token.pos_ in ("PROPN", "PRON"):
        return True
    lemma = token.lemma_.lower()
    return lemma in speaker_lexicon().roles or lemma in cue_lexicon().source_nouns


def antecedent(token: Token) -> Token:
    """What a relative pronoun subject stands for ("Rubio, who said ...": Rubio); any other
    token itself."""
    clause = token.head
    if clause.dep_ == "relcl" and token.dep_ in ("nsubj", "nsubjpass") and (
        token.tag_ in ("WDT", "WP") or token.lower_ in pronouns().relative_subjects
    ):
        return clause.head
    return token


class SourceRules:
    """The source mention of a cue: the parse's subject, corrected where news style shows
    the parser went wrong."""

    def __init__(self, finder: QuoteFinder) -> None:
        self.finder = finder
        self.datelines = self._dateline_ends()

    def _dateline_ends(self) -> dict[int, int]:
        """Paragraph start -> end (characters) of the dateline that opens it."""
        text = self.finder.text
        ends: dict[int, int] = {}
        start = 0
        while start < len(text):
            match = _DATELINE.match(text, start)
            if match is not None and "\n" not in match.group(0):
                ends[start] = match.end()
            nxt = text.find("\n", start)
            if nxt < 0:
                break
            start = nxt + 1
        return ends

    def in_dateline(self, token: Token) -> bool:
        text = self.finder.text
        para = text.rfind("\n", 0, token.idx) + 1
        return token.idx < self.datelines.get(para, -1)

    def attribution(self, cue: Token) -> Attribution | None:
        """The cue's attribution: its source (and channel), None when it has no source."""
        quoted = self._quoted_one(cue)
        if quoted is not None:
            return quoted
        speaker = self.subject(cue)
        if speaker is None:
            return None
        cue_text = self.finder.cue_text(cue)
        cited = self.cited(cue)
        if cited is not None:
            return Attribution(cue_text, cited, speaker_phrase(antecedent(speaker)).text, cue.i)
        return Attribution(cue_text, speaker, None, cue.i)

    def _quoted_one(self, cue: Token) -> Attribution | None:
        """'The minister was quoted by the paper as saying ...': the one quoted is the
        source, the quoting agent its channel."""
        if cue.lemma_.lower() not in self.finder.lex.citing:
            return None
        quoted = next((c for c in cue.children if c.dep_ == "nsubjpass" and is_source(c)), None)
        if quoted is None or self._quoted_away(quoted, cue):
            return None
        agent = next((c for c in cue.children if c.dep_ == "agent"), None)
        by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        via = speaker_phrase(by).text if by is not None else None
        return Attribution(self.finder.cue_text(cue), self._beside(quoted), via, cue.i)

    def subject(self, cue: Token) -> Token | None:
        """The cue's source: its subject or passive agent, else that of the verb a
        participle or infinitive hangs from ("..., adding that", "after saying"); never a
        word inside a quotation the cue is not in."""
        found = self._parsed_subject(cue)
        if found is not None and self._quoted_away(found, cue):
            found = None
        if found is None:
            found = self._inverted_subject(cue)
        surface = self.surface_phrase(cue)
        if surface is None or (found is not None and found.i in surface.tokens):
            return found
        # '“...,” NAME said': the parser hung the name elsewhere and found another subject
        return self._name_in(surface.tokens, surface.last) or found

    def _inverted_subject(self, cue: Token) -> Token | None:
        """'..., said another witness, Fiona Hill.': after a comma, a speech verb followed by
        its source, which the parser took for an object."""
        doc, lex, lemma = self.finder.doc, self.finder.lex, cue.lemma_.lower()
        if (cue.i == 0 or doc[cue.i - 1].text != "," or cue.tag_ not in _FINITE
                or lemma not in lex.speech or lemma in lex.directive):
            return None  # "..., told reporters": the object of a directive is whom it was said to
        if not any(c.dep_ in ("ccomp", "parataxis") and c.i < cue.i for c in cue.children):
            return None  # the report comes first: "X is Y, said Z"
        after = next((c for c in cue.children if c.i > cue.i), None)
        if after is None or after.dep_ not in ("dobj", "attr", "npadvmod", "nsubj") or (
                after.pos_ not in ("NOUN", "PROPN") or after.ent_type_ in ("DATE", "TIME")):
            return None
        if any(doc[i].pos_ in ("VERB", "AUX") for i in range(cue.i + 1, after.i)):
            return None
        return self._beside(after)

    def _quoted_away(self, token: Token, cue: Token) -> bool:
        mark = self.finder.in_mark[token.i]
        return mark >= 0 and mark != self.finder.in_mark[cue.i]

    def _parsed_subject(self, cue: Token) -> Token | None:
        token = cue
        for _ in range(5):
            found = self.own_subject(token, passive=token is not cue)
            if found is not None:
                return found
            framing = self._framing_cue(token)
            if framing is not None:
                return self.own_subject(framing)
            if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
                noun = token.head  # "a statement saying that ...": the statement (or its issuer)
                holder = None if _may_speak(noun) or token.tag_ != "VBG" else self._governing_verb(noun)
                # "replaced it with language calling for ...": who replaced it
                held = self._parsed_subject(holder) if holder is not None else None
                return held or self.issuer(noun) or noun
            if token.dep_ == "xcomp":  # "led the journalist to fear ...": the object controls it
                controller = next((c for c in token.head.children if c.dep_ == "dobj" and c.i < token.i), None)
                if controller is not None:
                    return controller
            reporter = self._reporter_of_act(token) if token is cue else None
            if reporter is not None:
                return reporter
            climbs = token.dep_ in _CLIMB_DEPS or (token.dep_ == "prep" and token.pos_ in ("ADP", "SCONJ"))
            if not climbs or token.head.i == token.i or self._quoted_away(token.head, cue):
                return None
            token = self._past_aside(token)
        return None

    def _past_aside(self, participle: Token) -> Token:
        """The verb a participle climbs to: its head, or, when the head is a relative clause
        set off before it ('streets around the stadium - where the team played - while
        chanting'), the verb that clause hangs from."""
        head = participle.head
        doc = participle.doc
        opens = participle.left_edge.i
        if participle.tag_ != "VBG" or opens == 0 or not doc[opens - 1].is_punct:
            return head
        while head.dep_ in ("relcl", "ccomp", "advcl") and head.head.i != head.i and any(
                c.tag_ in ("WRB", "WDT", "WP") and c.i == head.left_edge.i for c in head.children):
            head = head.head
        return head

    def _reporter_of_act(self, verb: Token) -> Token | None:
        """'said he would order a review and warned against ...': a speech act conjoined to
        a reported clause, with no subject of its own, is the reporter's next act (as
        ``QuoteFinder._cut_tail`` ends the report before it)."""
        lemma, lex = verb.lemma_.lower(), self.finder.lex
        if verb.dep_ != "conj" or not (lemma in lex.speech or lemma in lex.directive):
            return None
        if any(c.dep_.startswith("nsubj") for c in verb.children):
            return None
        clause = verb.head
        reporting = self._reporting_verb(clause)
        if reporting is None and clause.dep_ == "advcl" and clause.left_edge.lower_ == "that":
            reporting = self._reporting_verb_of(clause.head)  # "tweeted that X was ... and urged"
        if reporting is None or reporting.i > verb.i:
            return None  # "he asked ... and said “...”, the office said": his words, reported
        return self.own_subject(reporting)

    @staticmethod
    def _governing_verb(noun: Token) -> Token | None:
        """The verb a noun phrase that cannot speak is an argument of (through its
        prepositions), in the noun's sentence."""
        for head in noun.ancestors:
            if head.pos_ in ("VERB", "AUX"):
                return head
            if head.dep_ not in ("pobj", "prep", "dobj", "conj", "appos", "compound"):
                return None
        return None

    def _framing_cue(self, token: Token) -> Token | None:
        """'..., Sanders said, going on to say ...': the finite speech verb just before the
        comma a participle follows, whose subject the participle shares; 'Smith said that
        Jones had failed, adding that ...': the speech verb whose reported clause the
        parser hung the participle in."""
        doc, lex = self.finder.doc, self.finder.lex
        if token.tag_ != "VBG" or token.i < 3 or doc[token.i - 1].text != ",":
            return None
        reporting = self._reporting_verb(token.head)
        if reporting is not None:
            return reporting
        verb = doc[token.i - 2]
        if verb.pos_ not in ("VERB", "AUX"):
            verb = verb.head  # "..., he told reporters, adding"
        if verb.i >= token.i or verb.tag_ not in _FINITE or verb.lemma_.lower() not in lex.speech:
            return None
        if token.head.i == verb.i:
            return None  # the parser already hangs it there: the climb reaches it
        return verb

    def _reporting_verb(self, verb: Token) -> Token | None:
        """The speech or thought verb whose reported clause ``verb`` heads, if any."""
        if verb.dep_ != "ccomp" or verb.head.i == verb.i:
            return None
        return self._reporting_verb_of(verb.head)

    def _reporting_verb_of(self, head: Token) -> Token | None:
        """``head`` when it is a verb of speech or thought."""
        lex, lemma = self.finder.lex, head.lemma_.lower()
        return head if lemma in lex.speech or lemma in lex.cognition else None

    def own_subject(self, token: Token, passive: bool = False) -> Token | None:
        """The subject (or passive agent) of ``token``; with ``passive``, a passive subject
        too ("After saying ..., she was rushed to hospital": she said it)."""
        deps = ("nsubj", "agent", "nsubjpass") if passive else ("nsubj", "agent")
        subjects = [
            c for c in token.children
            if c.dep_ in deps and c.lower_ != "there" and self._same_paragraph(c, token)
        ]
        if not subjects:
            return None
        child = min(subjects, key=lambda c: abs(c.i - token.i))
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
        if child.tag_ == "WDT" or child.lower_ in pronouns().relative_subjects:
            if token.dep_ != "relcl":
                return None
            return self.issuer(token.head) or child  # "Rubio, who heads ...": "who"
        return self._beside(child)

    def issuer(self, noun: Token) -> Token | None:
        """Who put out the document that speaks ("He released a letter that says ...", "the
        ministry issued a statement saying ..."): the subject of the verb the document is
        the object of."""
        if noun.dep_ != "dobj" or noun.tag_ != "NN" or noun.lemma_.lower() not in self.finder.lex.source_nouns:
            return None
        return self.own_subject(noun.head)

    def _beside(self, subject: Token) -> Token:
        """The person set beside a subject that cannot speak or is a dateline ("WASHINGTON
        -- President Obama, ...", "the election, Minyon Moore, ..."): that person."""
        if is_source(subject) and not self.in_dateline(subject):
            return subject
        beside = next((c for c in subject.children if c.dep_ == "appos" and c.i > subject.i
                       and c.ent_type_ in ("PERSON", "ORG")), None)
        return beside if beside is not None else subject

    def author(self, source: Token) -> Token:
        """Who made a document or speech that stands as a source: "a speech Mrs. Clinton
        delivered", "a statement from the ministry", "a report by the agency" (else the
        source itself)."""
        if source.tag_ != "NN" or source.lemma_.lower() not in self.finder.lex.source_nouns:
            return source
        for child in source.children:
            if child.dep_ == "relcl":
                maker = next((c for c in child.children if c.dep_ == "nsubj"), None)
                if maker is not None and _named(maker):
                    return maker
            if child.dep_ == "prep" and child.lower_ in ("by", "from"):
                maker = next((c for c in child.children if c.dep_ == "pobj"), None)
                if maker is not None and _named(maker):
                    return maker
        return source

    def _same_paragraph(self, a: Token, b: Token) -> bool:
        lo, hi = (a, b) if a.i < b.i else (b, a)
        return "\n" not in self.finder.text[lo.idx : hi.idx]

    def cited(self, cue: Token) -> Token | None:
        """'X reported, citing Y': Y is the speaker, X the channel ("citing her work": what
        was cited, no source)."""
        for child in cue.children:
            if self._quoted_away(child, cue):
                continue  # '“..., and you can quote me”': the quoted speaker's words
            if child.lemma_.lower() in self.finder.lex.citing and child.dep_ in ("advcl", "xcomp", "conj"):
                obj = next((c for c in child.children if c.dep_ == "dobj"), None)
                if obj is not None and is_source(obj):
                    return obj
        return None

    # -- the surface, where the parse failed ---------------------------------

    def surface_phrase(self, cue: Token) -> SurfacePhrase | None:
        """'“...,” Tulsa police Chief Chuck Jordan said' / '“...,” said Chuck Jordan': the
        words between a closing quotation and a speech verb, or right after the verb, up
        to the next punctuation (None when the cue stands in neither place)."""
        if (cue.tag_ not in _FINITE or cue.lemma_.lower() not in self.finder.lex.speech
                or self.finder.in_mark[cue.i] >= 0):
            return None
        doc, in_mark = self.finder.doc, self.finder.in_mark
        i = cue.i - 1
        while i >= 0 and cue.i - i <= _SURFACE_WORDS and in_mark[i] < 0 and not doc[i].is_punct:
            i -= 1
        if i >= 0 and i < cue.i - 1 and self.closes_utterance(i):
            return self._phrase(range(i + 1, cue.i), last=True)
        if cue.i == 0 or i != cue.i - 1 or not self.closes_utterance(i):
            return None
        j = cue.i + 1
        while j < len(doc) and j - cue.i <= _SURFACE_WORDS and in_mark[j] < 0 and not doc[j].is_punct:
            j += 1
        return self._phrase(range(cue.i + 1, j), last=False)

    def _phrase(self, tokens: range, last: bool) -> SurfacePhrase | None:
        """The words as a speaker's phrase, unless they hold a verb or a conjunction (a
        clause, not a name; a word of a name the tagger took for a verb is a name's)."""
        doc = self.finder.doc
        if not tokens or any(doc[i].pos_ in _CLAUSE_POS and not doc[i].ent_type_ for i in tokens):
            return None
        return SurfacePhrase(tokens, last)

    def closes_utterance(self, i: int) -> bool:
        """Does token ``i`` end a quotation that ends as an utterance framed by its cue
        ('...,”' '...?”' '...”,'), not a title ('a “Forum” sponsored by')?"""
        doc, in_mark = self.finder.doc, self.finder.in_mark
        if doc[i].text == "," and i > 0 and in_mark[i - 1] >= 0:
            return True
        if in_mark[i] < 0 or i == 0:
            return False
        mark = self.finder.marks[in_mark[i]]
        inner = self.finder.text[mark.span.start : mark.span.end].rstrip("”\"'’ ")
        return mark.last == i and inner[-1:] in (",", "?", "!", "—", "–", "-")

    def _name_in(self, tokens: range, last: bool) -> Token | None:
        """The last word of the person or body named in ``tokens`` (the last one named when
        the phrase ends at its cue: "Trump campaign manager Kellyanne Conway said"; the
        first when it follows: "said Tom Jones of the Heritage Foundation"), else the last
        word that can speak."""
        doc = self.finder.doc
        named = [i for i in tokens if doc[i].ent_type_ in ("PERSON", "ORG")]
        if named:
            if last:
                return doc[named[-1]]
            first = named[0]
            while first + 1 in named:
                first += 1
            return doc[first]
        words = [i for i in tokens if doc[i].pos_ in ("PROPN", "PRON", "NOUN") and is_source(doc[i])]
        return doc[words[-1]] if words else None


@dataclass(frozen=True)
class SurfacePhrase:
    """The words a cue's speaker stands in by position; ``last``: the phrase ends at the cue."""

    tokens: range
    last: bool


def _may_speak(noun: Token) -> bool:
    """Can the noun phrase ``noun`` heads speak: a source itself, or a group of sources
    ("a series of voters", "one of the protesters")?"""
    if is_source(noun):
        return True
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    member = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return member is not None and is_source(member)


def _named(token: Token) -> bool:
    """A person or body by name (or a pronoun): someone who can author words."""
    return token.ent_type_ in _SPEAKING_ENTS or token.pos_ in ("PROPN", "PRON")
