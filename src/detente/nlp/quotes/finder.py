"""The quotes stage: who said what, from one dependency parse.

Four kinds of quote (``Quote.kind``):

- ``direct``: a quotation in marks that stands as an utterance of its own
  ("“We don't need this panic,” Zelenskyy said"); interrupted quotes give one
  quote per fragment with the same cue and speaker; sentences and paragraphs
  that carry on a quotation inherit its speaker.
- ``mixed``: reported speech, a clausal complement of a cue, holding a quoted
  fragment ("Putin assured Macron that he has “no offensive plans.”").
- ``partial``: a quoted fragment in a cue's object or prepositional object
  ("Putin has warned of a “military-technical” response"); a fragment that no
  speech cue governs is a scare quote and is left out ("other “lethal aid”").
- ``indirect``: a clausal complement of a speech or cognition verb with no
  marks ("Lavrov said the door was opened"), clauses sourced "according to X",
  directives and pledges with their infinitive ("urged allies to send troops")
  and speech acts with a noun-phrase content ("denied the report"); the last two
  are ``mixed`` when they hold a quoted fragment.

A quotation inside a sentence that is a clause of its own (six words and more, or a
finite verb) is a direct quote when a cue frames it, however it opens (with the
sentence's own words before it when the cue follows: a mixed quote); a quotation with
no cue must be such a clause too (a short one is a title). A quotation that carries on
a report framed by ", X said." is X's. A "that" clause of a noun of saying ("his claim
that ..."), the clause of an adjective of belief ("many are afraid that ..."), a label
cast with "as" ("went after Trump as a “con artist”"), the clause an "as X said," frame
hangs from, and "according to X" are reported speech (``reports.py``); a paragraph
opening "Name: ..." (a transcript's '"PENCE: ...' too) and a title-case headline
"X Says ..." are what X said (``passes.py``); a report that a paragraph-final
", X said." frames covers the paragraph. A report inside another report's content, or
in the frame between two fragments of one quotation, is part of it, not a quote of its
own. Direct quotes are found in ``direct.py``; a quotation that opens a paragraph or
sentence with no cue of its own carries on the speaker last cited before it, unless a
new person is named in between (then the one person named as a subject just before it).

The quote's text is its content as written: for direct quotes the marks and what
they hold, for the others the reported clause or phrase. ``cue`` is the verb
(with its particle) or phrase (None for a carried-on speaker); ``speaker`` the source
mention, found by ``sources.py`` (the parse's subject, corrected where news style shows
the parser went wrong) and resolved by ``speakers.py`` (a relative pronoun "who" stays
as written and resolves through its antecedent); ``via`` the channel ("according to
France 24, citing an aide": speaker the aide, via France 24).
"""

from __future__ import annotations

import logging

from spacy.tokens import Doc, Span, Token

from ...model import Quote, QuoteKind, Speaker
from ..context import DocContext, sentences
from ..mentions import Coreference, coreference, pronouns
from ..tokens import token_table
from .direct import VERB_TAGS as _VERB_TAGS
from .direct import DirectQuotes
from .lexicon import cue_lexicon
from .marks import MarkedSpan, find_marked_spans
from .passes import drop_in_frames, drop_nested, extend_reports, headline, labelled
from .records import Attribution, Content, Mark
from .reports import ReportRules
from .sources import SourceRules, antecedent, is_source
from .speakers import make_speaker, speaker_phrase

logger = logging.getLogger(__name__)

_OBJECT_DEPS = frozenset({"dobj", "oprd", "xcomp", "attr", "acomp"})
_EDGE_PUNCT = frozenset(".,;:!?-–—()")
_MIN_FULL_WORDS = 2
_PARTIAL_TAIL = 6  # tokens after the last mark a partial quote's content may keep
_DANGLING_POS = frozenset({"ADP", "DET", "SCONJ", "AUX", "VERB"})  # cannot end a clause
_CUE_POS = frozenset({"VERB", "AUX", "PROPN", "ADJ", "NOUN"})  # a verb tag on a word of these


def quotes_stage(doc: Doc, ctx: DocContext) -> None:
    """Fill ``ctx.quotes`` with the document's direct and reported speech."""
    ctx.quotes.extend(QuoteFinder(doc, ctx).run())


class QuoteFinder:
    """One document's quotes: marks first, then cues and their complements."""

    def __init__(self, doc: Doc, ctx: DocContext) -> None:
        self.doc = doc
        self.table = token_table(doc)
        self.text = self.table.text  # Doc.text joins every token on each access
        self.ctx = ctx
        self.lex = cue_lexicon()
        self.index: Coreference = coreference(doc, ctx)
        self.sents = sentences(doc, ctx)
        self.marks = self._align_marks(find_marked_spans(self.text))
        self.in_mark = [-1] * len(doc)
        for number, mark in enumerate(self.marks):
            for i in range(mark.first, mark.last + 1):
                self.in_mark[i] = number
        self.marked_before = [0]  # tokens inside marks before each index: O(1) "any mark in a range"
        for number in self.in_mark:
            self.marked_before.append(self.marked_before[-1] + (number >= 0))
        self.according_starts = frozenset(p[0] for p in self.lex.according)
        self.consumed: set[int] = set()  # marks that became part of a reported clause
        self.found: list[tuple[Content, Attribution | None]] = []
        self.labelled_until = -1  # token index where the last labelled paragraph ends
        # The rule sets, each reading this finder's state and adding to ``found``:
        self.direct = DirectQuotes(self)
        self.reports = ReportRules(self)
        self.sources = SourceRules(self)

    def marked(self, lo: int, hi: int) -> bool:
        """Does any token lo..hi (inclusive) lie inside quotation marks?"""
        return self.marked_before[hi + 1] > self.marked_before[lo]

    def sent(self, token: Token) -> Span:
        """The sentence holding ``token`` (``Token.sent`` walks the parse on each access)."""
        return self.sents[self.index.sent_of[token.i]]

    # -- marks ------------------------------------------------------------

    def _align_marks(self, spans: list[MarkedSpan]) -> list[Mark]:
        marks: list[Mark] = []
        for span in spans:
            tokens = self.doc.char_span(span.start, span.end, alignment_mode="expand")
            if tokens is None or len(tokens) < 2:
                continue
            marks.append(Mark(span, tokens.start, tokens.end - 1, self._is_full(span, tokens)))
        return marks

    def _is_full(self, span: MarkedSpan, tokens: Span) -> bool:
        words = sum(1 for t in tokens if t.is_alpha)
        text = self.text
        closing = text[span.start + 1 : span.end].rstrip("”\"' ")[-1:]
        if words < _MIN_FULL_WORDS and not (words and closing in (",", ".", "!", "?")):
            return False
        before = text[: span.start].rstrip(" \t")
        if not before or before[-1] == "\n" or before[-1] in ":,.?!—–-(":
            return True
        inner = text[span.start + 1 : span.end].lstrip()
        return tokens[0].is_sent_start is True and bool(inner) and inner[0].isupper()

    # -- the pass ---------------------------------------------------------

    def run(self) -> list[Quote]:
        """All quotes, in text order."""
        labelled(self)  # first: reports inside a labelled paragraph are the label's words
        for i in self._report_candidates():
            self._reported(self.table.tokens[i])
        headline(self)
        self.direct.direct()
        self.found = drop_in_frames(self.found, self.doc, self.text)
        self.found = extend_reports(drop_nested(self.found, self.doc), self.text, self.doc)
        self.found.sort(key=lambda item: (item[0].start, item[0].end))
        return [self._quote(content, attribution) for content, attribution in self.found]

    def _quote(self, content: Content, attribution: Attribution | None) -> Quote:
        speaker: Speaker | None = None
        if attribution is not None and attribution.speaker is not None:
            source = attribution.speaker
            stands_for = antecedent(source)
            speaker = make_speaker(self.index, speaker_phrase(source), self.ctx,
                                   speaker_phrase(stands_for) if stands_for is not source else None)
        return Quote(
            text=self.text[content.start : content.end],
            start=content.start,
            end=content.end,
            kind=content.kind,
            cue=attribution.cue if attribution else None,
            speaker=speaker,
            via=attribution.via if attribution else None,
        )

    # -- reported speech: cue verbs and "according to" ----------------------

    def _report_candidates(self) -> list[int]:
        """Tokens :meth:`_reported` may act on (a superset: it tests each again), outside
        quotations (reported speech inside them is not scored)."""
        t, lex, starts = self.table, self.lex, self.according_starts
        lower, pos, tag, dep, lemma = t.lower, t.pos, t.tag, t.dep, t.lemma
        return [
            i for i, mark in enumerate(self.in_mark) if mark < 0 and (
                lower[i] in starts or (pos[i] in _CUE_POS and tag[i] in _VERB_TAGS)
                or (pos[i] == "NOUN" and lemma[i] in lex.nominal)
                or (lower[i] in lex.attitude and dep[i] == "acomp"))
        ]

    def _reported(self, token: Token) -> None:
        if token.i <= self.labelled_until and any(
            c.start <= token.idx < c.end for c, a in self.found if a is not None and a.cue == ":"
        ):
            return  # inside "PENCE: ...": the label's words, like a quotation
        lower = token.lower_  # most tokens are none of these: the cheapest tests first
        according = self.reports.according(token) if lower in self.according_starts else None
        if according is not None:
            self.reports.add_according(token, according)
            return
        pos = token.pos_
        if pos == "NOUN":
            if token.lemma_.lower() in self.lex.nominal:
                self.reports.nominal(token)
            return
        if lower in self.lex.attitude and token.dep_ == "acomp":
            self.reports.attitude(token)
            return
        if pos not in _CUE_POS or token.tag_ not in _VERB_TAGS:
            return
        lemma = token.lemma_.lower()
        if lemma == "say" and self._discourse_said(token):
            return
        if lemma in self.lex.evidential:
            self.reports.evidential(token)
            return
        if not self.is_cue(token, lemma) and not (
            lemma in self.lex.directive or lemma in self.lex.np_object or lemma in self.lex.prep_cues
        ):
            self.reports.labelled_as(token)
            return
        content = self._complement(token, lemma)
        if content is None:
            return
        attribution = self.attribution(token)
        if attribution is None and token.dep_ == "ROOT" and token.tag_ in ("VBD", "VBZ", "VBP"):
            # "In a meeting with the Post Trump said that ...": the parser lost the subject in
            # what precedes; the report stands, its speaker the name right before the cue
            before = self.doc[token.i - 1] if token.i > 0 else None
            named = before if before is not None and before.pos_ == "PROPN" and (
                self.in_mark[before.i] < 0) else None
            attribution = Attribution(self.cue_text(token), named, None, token.i)
        if attribution is not None:
            self.found.append((content, attribution))

    def is_cue(self, token: Token, lemma: str) -> bool:
        if lemma == "say" and self._discourse_said(token):
            return False
        if lemma in self.lex.phrasal:
            needs = self.lex.phrasal[lemma]
            if any(c.lower_ in needs for c in token.children):
                return True
        return lemma in self.lex.speech or lemma in self.lex.cognition or lemma in self.lex.naming

    def _discourse_said(self, said: Token) -> bool:
        """'That said, ...', 'Having said that, ...', 'That being said, ...': a connective
        opening the sentence, no report."""
        doc, i = self.doc, said.i
        if i + 1 >= len(doc) or i < 1:
            return False
        before, after = doc[i - 1].lower_, doc[i + 1].lower_
        if before in ("that", "this") and after == "," and self.sent(said).start == i - 1:
            return True  # "That said,"
        if before == "being" and i >= 2 and doc[i - 2].lower_ in ("that", "this") and after == ",":
            return True  # "That being said,"
        return before == "having" and after in ("that", "this") and (
            i + 2 < len(doc) and doc[i + 2].text == ",")  # "Having said that,"

    def _complement(self, cue: Token, lemma: str) -> Content | None:
        if cue.dep_ == "advcl" and (lemma in self.lex.speech or lemma in self.lex.cognition
                                    or lemma in self.lex.phrasal):
            framed = self.reports.as_content(cue)
            if framed is not None:
                return framed
        clauses = [c for c in cue.children if c.dep_ == "ccomp" or (
            c.dep_ == "advcl" and c.i > cue.i and self._bare_clause(c)) or (
            c.dep_ == "acl" and c.i > cue.i and c.left_edge.lower_ == "that")]  # "charges that ..."
        # "It is unlikely; his team says she will ...": the clause after the cue is what was said
        clause = next((c for c in clauses if c.i > cue.i), clauses[0] if clauses else None)
        if clause is not None and (lemma in self.lex.speech or lemma in self.lex.cognition
                                   or lemma in self.lex.phrasal):
            return self._clause_content(clause)
        if lemma in self.lex.speech and cue.dep_ == "parataxis" and self._is_aside(cue):
            return self._aside_content(cue)
        partial = self._phrase_content(cue, lemma)
        if partial is not None:
            return partial
        if any(c.dep_ == "auxpass" for c in cue.children) or self._is_citing(cue, lemma):
            return None
        for content in (
            self.reports.prep_content(cue, lemma),
            self.reports.characterise_content(cue, lemma),
            self.reports.directive_content(cue) if lemma in self.lex.directive else None,
        ):
            if content is not None:
                return content
        if lemma in self.lex.np_object:
            return self.reports.object_content(cue)
        return None

    def _is_citing(self, cue: Token, lemma: str) -> bool:
        """'..., citing an aide': the channel's source, not a quote of its own."""
        if not (lemma in self.lex.citing and cue.tag_ == "VBG" and cue.dep_ in ("advcl", "xcomp", "conj")):
            return False
        obj = next((c for c in cue.children if c.dep_ == "dobj"), None)
        return obj is None or is_source(obj)  # "citing her record": what was cited, a content

    def _clip(self, lo: int, hi: int, cue: Token) -> tuple[int, int]:
        """Keep a complement inside its cue's paragraph (the parser may run across one)."""
        text = self.text
        para_lo = text.rfind("\n", 0, cue.idx) + 1
        para_hi = text.find("\n", cue.idx)
        para_hi = len(text) if para_hi < 0 else para_hi
        while lo < hi and self.doc[lo].idx < para_lo:
            lo += 1
        while hi > lo and self.doc[hi].idx >= para_hi:
            hi -= 1
        return lo, hi

    def span_content(self, lo: int, hi: int, kind: QuoteKind, cue: Token) -> Content | None:
        """Content over tokens lo..hi: marks must lie wholly inside, and it must say more
        than a free-standing quotation does (that one is a direct quote)."""
        lo, hi = self._widen(*self._clip(lo, hi, cue))
        if kind == "indirect":
            hi = self._cut_tail(lo, hi)
        inside = {self.in_mark[i] for i in range(lo, hi + 1)} - {-1}
        if any(self.marks[n].first < lo or self.marks[n].last > hi for n in inside):
            return None
        outside = sum(
            1 for i in range(lo, hi + 1)
            if self.in_mark[i] < 0 and not self.doc[i].is_punct and self.doc[i].lower_ != "that"
        )
        if outside == 0 and any(self.marks[n].full for n in inside):
            return None
        self.consumed.update(inside)
        start, end = self.trim(lo, hi)
        if not any(ch.isalnum() for ch in self.text[start:end]):
            return None  # nothing but punctuation or a paragraph break
        return Content(start, end, "mixed" if inside and kind == "indirect" else kind)

    def _cut_tail(self, lo: int, hi: int) -> int:
        """End a reported clause before a trailing ', VERB-ing ...' comment (the writer's
        gloss on the report) or the speaker's next act ('... and warned ...')."""
        doc = self.doc
        for i in range(lo + 2, hi):
            if doc[i].text != "," or self.in_mark[i] >= 0 or self.in_mark[i + 1] >= 0:
                continue
            nxt = doc[i + 1]
            if nxt.tag_ == "VBG" and nxt.dep_ in ("advcl", "xcomp", "conj", "acl"):
                return i - 1
        for i in range(lo + 2, hi):
            if doc[i].dep_ == "cc" and self.in_mark[i] < 0 and (
                    self._speaker_act(doc[i + 1]) or self._new_report(doc[i])):
                return i - 1  # "said it was opposed and warned X to ...": the speaker's next act
        return self._cut_aside(lo, hi)

    def _cut_aside(self, lo: int, hi: int) -> int:
        """End a reported clause before a closing ', which ...' or ', a former ...' that
        describes its last noun, or a closing ', although ...' (the writer's gloss, not
        what was said)."""
        doc = self.doc
        for i in range(lo + 1, hi):
            if doc[i].text != "," or self.marked(i, hi):
                continue
            opener = doc[i + 1]
            modifier = next((t for t in opener.ancestors if t.i <= hi and t.left_edge.i == i + 1), opener)
            gloss = (modifier.dep_ == "relcl" and opener.lower_ in self.lex.gloss_relatives) or (
                modifier.dep_ == "appos" and not any(c.dep_ == "cc" for c in modifier.children)
            ) or (modifier.dep_ == "advcl" and opener.lower_ in self.lex.concessive)
            if gloss and lo <= modifier.head.i < i and modifier.right_edge.i >= hi - 1:
                return i - 1
        return hi

    def _new_report(self, cc: Token) -> bool:
        """'..., and when pressed, the mother replied, “...”': a clause conjoined by ``cc``
        whose speech verb has a subject of its own is a new report, not more of this one."""
        verb = next((c for c in cc.head.children if c.dep_ == "conj" and c.i > cc.i), None)
        if verb is None or self.in_mark[verb.i] >= 0 or verb.lemma_.lower() not in self.lex.speech:
            return False
        if any(c.dep_ == "mark" for c in verb.children):
            return False  # "said X and that the footage did not show Y": the report goes on
        return any(c.dep_ == "nsubj" and c.lower_ not in self.lex.nonspeaker_subjects
                   and c.lower_ not in pronouns().relative_subjects for c in verb.children)

    def _speaker_act(self, verb: Token) -> bool:
        """A conjoined speech verb with no subject of its own: the speaker's, not the report's."""
        lemma = verb.lemma_.lower()
        return (
            verb.dep_ == "conj" and verb.tag_ in _VERB_TAGS
            and not any(c.dep_.startswith("nsubj") for c in verb.children)
            and (lemma in self.lex.speech or lemma in self.lex.directive)
        )

    def _bare_clause(self, clause: Token) -> bool:
        """A clause the parser hung off a cue as an adverbial that is its complement: "that"
        opens it, or it has a subject and no subordinating word ("said after the vote he
        would ...")."""
        if clause.left_edge.lower_ == "that":
            return True
        kids = list(clause.children)
        return any(c.dep_ == "nsubj" for c in kids) and not any(
            c.dep_ == "mark" or c.tag_ == "WRB" for c in kids) and (
            clause.tag_ in ("VBD", "VBZ", "VBP", "MD") or any(c.dep_ == "aux" for c in kids))

    def _clause_content(self, clause: Token) -> Content | None:
        cue = clause.head
        lo, hi = clause.left_edge.i, clause.right_edge.i
        if clause.dep_ == "advcl" and clause.left_edge.lower_ != "that":
            lo = next(c for c in clause.children if c.dep_ == "nsubj").left_edge.i  # after "after X"
        more = next((c for c in cue.children if c.dep_ == "conj" and c.i > hi), None)
        if more is not None and self._quoted_more(more):
            hi = more.right_edge.i  # 'claimed X is “a problem” but “nobody has the guts ...”'
        return self._report_content(cue, lo, hi)

    def _quoted_more(self, verb: Token) -> bool:
        """A clause conjoined to the cue that carries on the report in quotation marks (not
        a speech act of its own)."""
        lemma = verb.lemma_.lower()
        return (
            lemma not in self.lex.speech and lemma not in self.lex.cognition
            and any(c.dep_ == "cc" for c in verb.head.children if c.i < verb.i)
            and self.marked(verb.left_edge.i, verb.right_edge.i)
        )

    def _report_content(self, cue: Token, lo: int, hi: int) -> Content | None:
        """A clause before its cue takes in what follows ', X said,' when the report goes on."""
        if hi < cue.i and self._aside_continues(cue):
            hi = self.sent(cue).end - 1  # "Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt"
        return self.span_content(lo, hi, "indirect", cue)

    def _aside_continues(self, cue: Token) -> bool:
        """Does the sentence carry on after ', SPEAKER said,' with more of the report?"""
        after = cue.right_edge.i + 1
        if after >= self.sent(cue).end or self.doc[after].text != ",":
            after = cue.i + 1
        if after >= self.sent(cue).end or self.doc[after].text != ",":
            return False
        rest = range(after + 1, self.sent(cue).end)
        if rest and self.doc[rest[0]].lemma_.lower() in self.lex.citing:
            return False  # ", citing an aide": the channel's source, not more of the report
        quoted_on = any(self.in_mark[i] >= 0 for i in rest)  # ', X said, and still “...”'
        if rest and not quoted_on and (
            self.doc[rest[0]].tag_ == "VBG" or self.doc[rest[0]].dep_ in ("cc", "neg")
            or self.doc[rest[0]].lower_ in self.lex.aside_stops
        ):
            return False  # ", adding ...", ", and soon ...": the speaker's own clause goes on
        before = range(cue.left_edge.i, cue.i)
        if any(self.in_mark[i] >= 0 for i in before) and all(
            self.in_mark[i] >= 0 or self.doc[i].is_punct or i >= self._subject_start(cue)
            for i in before
        ):
            return False  # '“...,” X said, ...': a direct quote, not a report carried on
        return sum(1 for i in rest if not self.doc[i].is_punct) >= 3

    def _subject_start(self, cue: Token) -> int:
        """First token of the cue's subject phrase (the cue itself when it has none)."""
        subject = next((c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        return subject.left_edge.i if subject is not None else cue.i

    def _phrase_content(self, cue: Token, lemma: str) -> Content | None:
        """A quoted fragment in what follows the cue (object, prepositional object): partial."""
        if not (lemma in self.lex.speech or lemma in self.lex.naming or lemma in self.lex.cognition) or (
            lemma in self.lex.frame_only
        ):
            return None
        parts = [
            c for c in cue.children
            if c.i > cue.i and (c.dep_ in _OBJECT_DEPS or c.dep_ in ("prep", "dative"))
        ]
        with_mark = [
            p for p in parts
            if any(self.in_mark[i] >= 0 for i in range(p.left_edge.i, p.right_edge.i + 1))
        ]
        if not with_mark:
            return None
        lo, hi = self._clip(min(p.left_edge.i for p in parts), max(p.right_edge.i for p in parts), cue)
        last = max((self.marks[self.in_mark[i]].last for i in range(lo, hi + 1) if self.in_mark[i] >= 0),
                   default=-1)
        if last < 0:
            return None
        if hi - last > _PARTIAL_TAIL:
            hi = last  # "called X “a disgrace” on Wednesday in Ohio": the content ends at the marks
        relative = next((c for c in cue.children if c.i < cue.i and c.tag_ in ("WP", "WDT")), None)
        if relative is not None:
            lo = self._clip(relative.i, hi, cue)[0]  # "what he called “a rant”", "which X called “...”"
        return self.span_content(lo, hi, "partial", cue)

    def _widen(self, lo: int, hi: int) -> tuple[int, int]:
        """Take in marks that the parser hung outside a clause only by their punctuation."""
        doc = self.doc
        first, last = self.in_mark[lo], self.in_mark[hi]
        if first >= 0 and all(doc[i].is_punct for i in range(self.marks[first].first, lo)):
            lo = self.marks[first].first
        if last >= 0 and all(doc[i].is_punct for i in range(hi + 1, self.marks[last].last + 1)):
            hi = self.marks[last].last
        after = self.in_mark[hi + 1] if hi + 1 < len(doc) else -1
        if after >= 0 and self.marks[after].first == hi + 1 and doc[hi].pos_ in _DANGLING_POS:
            hi = self.marks[after].last  # "blame for focusing on “...”": the parser cut at the mark
        return lo, hi

    def _is_aside(self, cue: Token) -> bool:
        """'..., he said, ...': a short speech clause hanging off the reported clause."""
        kids = [c for c in cue.children if c.dep_ not in ("punct", "advmod", "npadvmod")]
        return bool(kids) and all(c.dep_ in ("nsubj",) for c in kids)

    def _aside_content(self, cue: Token) -> Content | None:
        sent = self.sent(cue)
        return self.span_content(sent.start, sent.end - 1, "indirect", cue)

    def trim(self, lo: int, hi: int) -> tuple[int, int]:
        """Character range of tokens lo..hi without edge punctuation, marks kept whole."""
        doc = self.doc
        while lo < hi and (doc[lo].is_space or (doc[lo].text in _EDGE_PUNCT)):
            lo += 1
        while hi > lo and (doc[hi].is_space or doc[hi].text in _EDGE_PUNCT or doc[hi].pos_ == "CCONJ"):
            hi -= 1
        start, end = doc[lo].idx, doc[hi].idx + len(doc[hi].text)
        for mark in self.marks:
            if start <= mark.span.start < end < mark.span.end:
                end = mark.span.end
        return start, end

    # -- speakers for a cue (sources.py) ------------------------------------

    def attribution(self, cue: Token) -> Attribution | None:
        """The cue's attribution (``SourceRules.attribution``)."""
        return self.sources.attribution(cue)

    def subject(self, cue: Token) -> Token | None:
        """The cue's source mention (``SourceRules.subject``)."""
        return self.sources.subject(cue)

    def own_subject(self, token: Token, passive: bool = False) -> Token | None:
        """The subject of ``token`` itself (``SourceRules.own_subject``)."""
        return self.sources.own_subject(token, passive)

    def cited(self, cue: Token) -> Token | None:
        """'X reported, citing Y': Y (``SourceRules.cited``)."""
        return self.sources.cited(cue)

    def cue_text(self, cue: Token) -> str:
        """The cue as written: the verb with its particle, negation and content preposition."""
        preps = self.lex.prep_cues.get(cue.lemma_.lower(), frozenset())
        parts = [cue] + [
            c for c in cue.children
            if c.dep_ in ("prt", "neg") or (c.dep_ == "dobj" and c.lower_ == "it")
            or (c.dep_ == "prep" and c.i == cue.i + 1 and c.lower_ in preps)
        ]
        parts.sort(key=lambda t: t.i)
        return " ".join(t.text for t in parts)

