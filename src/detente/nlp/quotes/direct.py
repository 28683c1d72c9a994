"""Direct quotes for the quotes stage: quotations in marks that stand as utterances of
their own, and the cue that frames each (in its sentence, before a colon, after a dash, a
third-person cue the tagger took for a noun: '“...,” the memo states.'), else the speaker
of the quotation they carry on, else (a quotation opening a paragraph or sentence) the
speaker last cited before it when no new person is named in between, else the one person
named as a subject just before it, else who put out the statement the sentence before
names."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from spacy.tokens import Token

from ..mentions import resolve
from .lexicon import third_person_of
from .records import Attribution, Content, Mark
from .sources import antecedent
from .speakers import speaker_phrase

if TYPE_CHECKING:
    from .finder import QuoteFinder

logger = logging.getLogger(__name__)

VERB_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ"})
_INHERIT_GAP = 400  # characters: a continuation sits close to the quotation it carries on
_SENTENCE_ENDS = ".!?”\"'’"
_CARRY_GAP = 1500  # characters from the last cited speaker to a quotation paragraph with no cue
_DASHES = "―—–-"
_CLAUSE_WORDS = 6  # a quotation this long is speech even inside a sentence
_TAIL_WORDS = 6  # at most this many words in '“...,” the agency's memo states.'
_NOT_A_CUE = 500  # a linked verb outside the cue lexicon ranks after every cue in the frame


class DirectQuotes:
    """The direct-quote pass of a ``QuoteFinder``, whose state and cue tests it reads."""

    def __init__(self, finder: QuoteFinder) -> None:
        self.finder = finder




    def direct(self) -> None:
        previous: tuple[Mark, Attribution | None] | None = None
        for number, mark in enumerate(self.finder.marks):
            if number in self.finder.consumed:
                continue
            if not mark.full:
                if not self._clause_like(mark):
                    continue
                attribution = self._frame_cue(mark)
                if attribution is None:
                    continue
                lead = self._lead_in(mark, attribution)
                self.finder.found.append((lead or Content(mark.span.start, mark.span.end, "direct"), attribution))
                continue
            attribution = self._frame_cue(mark)
            if attribution is None:
                attribution = self._colon_cue(mark)
            if attribution is None:
                attribution = self._dash_cue(mark)
            if attribution is None:
                attribution = self._tail_cue(mark)
            if attribution is None:
                attribution = self._report_before(mark, previous[0] if previous else None)
            if attribution is None and previous is not None and self._continues(*previous, mark):
                attribution = previous[1]
            if attribution is None and self._opens_sentence(mark) and self._clause_like(mark):
                attribution = self._carried_over(mark)
            if attribution is None and not self._clause_like(mark):
                continue  # ''Politicking.'', "Melania, tell your story": a title, not speech
            self.finder.found.append((Content(mark.span.start, mark.span.end, "direct"), attribution))
            previous = (mark, attribution)

    def _lead_in(self, mark: Mark, attribution: Attribution) -> Content | None:
        """'Using the tax ''is a misguided approach,'' said Mr. Burman': a cue after a
        quotation that carries on the sentence's own words frames the sentence up to it."""
        doc = self.finder.doc
        if attribution.cue_token <= mark.last:
            return None
        start = self.finder.sent(doc[mark.first]).start
        if not any(self.finder.in_mark[i] < 0 and doc[i].is_alpha for i in range(start, mark.first)):
            return None
        return self.finder.span_content(start, mark.last, "mixed", doc[attribution.cue_token])

    def _report_before(self, mark: Mark, previous: Mark | None) -> Attribution | None:
        """'The summit did “too little,” he added. “Europe risks a lot.”': a quotation that
        carries on a report framed by a cue after it, in the same paragraph, is the
        report's speaker's (unless a quotation of its own lies nearer)."""
        text = self.finder.text
        best: tuple[int, Attribution] | None = None
        for content, attribution in self.finder.found:
            if attribution is None or content.kind == "direct" or content.end > mark.span.start:
                continue
            cue_at = self.finder.doc[attribution.cue_token].idx
            if not content.end <= cue_at < mark.span.start or "\n" in text[content.start : mark.span.start]:
                continue
            if best is None or content.end > best[0]:
                best = (content.end, attribution)
        if best is None or (previous is not None and previous.span.end > best[0]):
            return None
        return best[1]

    def _clause_like(self, mark: Mark) -> bool:
        """A quotation inside a sentence that is a clause of its own (a finite verb, or
        six words and more): speech, not a scare quote."""
        tokens = self.finder.doc[mark.first : mark.last + 1]
        words = sum(1 for t in tokens if t.is_alpha)
        finite = any(t.tag_ in ("VBD", "VBP", "VBZ", "MD") for t in tokens)
        return words >= _CLAUSE_WORDS or (finite and words >= 3)

    def _frame(self, mark: Mark) -> range:
        """Tokens of the quotation's sentences, within its paragraph(s)."""
        doc, text = self.finder.doc, self.finder.text
        lo, hi = self.finder.sent(doc[mark.first]).start, self.finder.sent(doc[mark.last]).end
        if mark.last + 1 < len(doc) and self.finder.sent(doc[mark.last]).end == mark.last + 1:
            hi = max(hi, self.finder.sent(doc[mark.last + 1]).end) if self._short_tail(mark) else hi
        para_lo = text.rfind("\n", 0, mark.span.start) + 1
        para_hi = text.find("\n", mark.span.end)
        para_hi = len(text) if para_hi < 0 else para_hi
        while lo < mark.first and doc[lo].idx < para_lo:
            lo += 1
        while hi > mark.last + 1 and doc[hi - 1].idx >= para_hi:
            hi -= 1
        return range(lo, hi)

    def _short_tail(self, mark: Mark) -> bool:
        """'“...,” he said.' whose tail the parser split off as a sentence of its own."""
        nxt = self.finder.sent(self.finder.doc[mark.last + 1])
        if self.finder.in_mark[nxt.start] >= 0 or nxt.start != mark.last + 1:
            return False
        inner = self.finder.text[mark.span.start : mark.span.end].rstrip("”\"' ")
        return len(nxt) <= 8 or inner[-1:] in (",", "!", "?", "—", "–", "-")

    def _frame_cue(self, mark: Mark) -> Attribution | None:
        best: tuple[int, Attribution] | None = None
        for i in self._frame(mark):
            token = self.finder.doc[i]
            if self.finder.in_mark[i] >= 0:
                continue
            source = self.finder.reports.according(token)
            linked = self._linked(token, mark)
            cue = token.tag_ in VERB_TAGS and self.finder.is_cue(token, token.lemma_.lower())
            if source is None and not (linked or cue):
                continue
            attribution = (
                Attribution(token.text + " " + self.finder.doc[i + 1].text, source, None, i)
                if source is not None
                else self.finder.attribution(token)
            )
            if attribution is None:
                continue
            distance = min(abs(i - mark.first), abs(i - mark.last)) - (100 if linked else 0)
            if source is None and not cue:
                distance += _NOT_A_CUE  # a verb the parse ties to the quotation: if no cue frames it
            if self._crosses_mark(i, mark):
                distance += 1000
            if best is None or distance < best[0]:
                best = (distance, attribution)
        return best[1] if best else None

    def _linked(self, token: Token, mark: Mark) -> bool:
        """A verb outside the marks whose clause the quotation is, or that hangs off it."""
        if token.pos_ not in ("VERB", "AUX"):
            return False
        inside = range(mark.first, mark.last + 1)
        if token.head.i in inside and token.dep_ in ("parataxis", "advcl", "ccomp", "conj"):
            return True
        return any(c.i in inside and c.dep_ in ("ccomp", "parataxis", "dobj") for c in token.children)

    def _crosses_mark(self, i: int, mark: Mark) -> bool:
        lo, hi = (i, mark.first) if i < mark.first else (mark.last, i)
        return any(self.finder.in_mark[k] >= 0 and self.finder.in_mark[k] != self.finder.in_mark[mark.first]
                   for k in range(lo + 1, hi))

    def _colon_cue(self, mark: Mark) -> Attribution | None:
        """'He said:' ending the sentence or paragraph just before the quotation."""
        text = self.finder.text[: mark.span.start].rstrip()
        if not text.endswith(":"):
            return None
        colon = self.finder.doc.char_span(len(text) - 1, len(text), alignment_mode="expand")
        if colon is None:
            return None
        best: tuple[tuple[bool, int, int], Attribution] | None = None
        for token in self.finder.sent(colon[0]):
            if self.finder.in_mark[token.i] >= 0 or token.tag_ not in VERB_TAGS:
                continue
            attribution = self.finder.attribution(token)
            if attribution is None:
                continue
            # the frame's own verb: a cue before any other verb, the main clause's cue before
            # one inside it ("recalled the moment she heard the news:", "told reporters who
            # asked:"); else the verb nearest the colon ("a site, which has this statement:")
            cue = self.finder.is_cue(token, token.lemma_.lower())
            rank = (not cue, sum(1 for _ in token.ancestors) if cue else 0, colon[0].i - token.i)
            if best is None or rank < best[0]:
                best = (rank, attribution)
        return best[1] if best else None

    def _dash_cue(self, mark: Mark) -> Attribution | None:
        """'“...” — Jane Doe': a name after a dash right after the quotation."""
        text = self.finder.text
        at = mark.span.end
        while at < len(text) and text[at] in " \t\n" and text[at : at + 2] != "\n\n":
            at += 1
        if at >= len(text) or text[at] not in _DASHES:
            return None
        dash = text[at]
        at += 1
        while at < len(text) and text[at] in " \t":
            at += 1
        span = self.finder.doc.char_span(at, at + 1, alignment_mode="expand")
        if span is None or not span[0].is_alpha or not span[0].is_title:
            return None
        token = span[0]
        while token.dep_ in ("compound", "flat") and token.head.i > token.i:
            token = token.head
        return Attribution(dash, token, None, token.i)

    def _tail_cue(self, mark: Mark) -> Attribution | None:
        """'“...,” the memo states.': a short tail closing the sentence whose last word is a
        speech verb in the third person that the tagger took for a plural noun."""
        finder = self.finder
        if mark.last + 2 >= len(finder.doc) or not (
                finder.sources.closes_utterance(mark.last) or finder.sources.closes_utterance(mark.last + 1)):
            return None
        at = mark.last + 1
        sent_end = finder.sent(finder.doc[at]).end  # the parser may split the tail off
        tail = [t for t in finder.doc[at : min(sent_end, at + _TAIL_WORDS + 1)] if not t.is_punct]
        if len(tail) < 2 or len(tail) > _TAIL_WORDS or tail[-1].i + 1 >= len(finder.doc):
            return None
        verb, after = tail[-1], finder.doc[tail[-1].i + 1]
        if after.text not in (".", "!", "?") or verb.tag_ in VERB_TAGS or not third_person_of(
                verb.lower_, finder.lex.speech):
            return None
        speaker = next((t for t in reversed(tail[:-1]) if t.pos_ in ("NOUN", "PROPN", "PRON")), None)
        return Attribution(verb.text, speaker, None, verb.i) if speaker is not None else None

    def _opens_sentence(self, mark: Mark) -> bool:
        """Does the quotation open its paragraph, or a sentence in it?"""
        text = self.finder.text
        before = text[text.rfind("\n", 0, mark.span.start) + 1 : mark.span.start].rstrip()
        return not before or before[-1] in _SENTENCE_ENDS

    def _carried_over(self, mark: Mark) -> Attribution | None:
        """A paragraph that is a quotation with no cue of its own carries on the speaker
        last cited before it (within a few paragraphs) unless another person is named
        after that citation ('Smith said the plan would fail. / “It is a disaster.”'), else
        the one person the paragraph before names as a subject ('Smith spoke to voters.
        He was angry. / “We will win.”')."""
        finder = self.finder
        best: tuple[int, Attribution] | None = None
        for content, attribution in finder.found:
            if attribution is None or attribution.speaker is None or content.end > mark.span.start:
                continue
            said_at = max(content.end, finder.doc[attribution.cue_token].idx)
            if said_at < mark.span.start and (best is None or said_at > best[0]):
                best = (said_at, attribution)
        if best is not None and mark.span.start - best[0] <= _CARRY_GAP:
            speaker = best[1].speaker
            assert speaker is not None
            if self._only_speaker_named(speaker, best[0], mark.span.start):
                return best[1]
        return self._sole_subject_before(mark) or self._issued_before(mark)

    def _issued_before(self, mark: Mark) -> Attribution | None:
        """'Lane's office released a statement on Monday. / “...”': a quotation right after
        a sentence saying that someone put out a statement or letter is its issuer's."""
        finder = self.finder
        if mark.first == 0:
            return None
        sent = finder.sent(finder.doc[mark.first - 1])
        if finder.in_mark[sent.start] >= 0 or sent.end > mark.first:
            return None
        for token in sent:
            if token.dep_ == "dobj" and token.head.dep_ == "ROOT":
                issuer = finder.sources.issuer(token)
                if issuer is not None:
                    return Attribution(None, issuer, None, issuer.i)
        return None

    def _last_quote_sentence_end(self, mark: Mark) -> int:
        """End of the sentence where the last quote found before ``mark`` ends."""
        ends = [c.end for c, _ in self.finder.found if c.end <= mark.span.start]
        if not ends:
            return 0
        last = self.finder.doc.char_span(max(ends) - 1, max(ends), alignment_mode="expand")
        return self.finder.sent(last[0]).end_char if last is not None else 0

    def _only_speaker_named(self, speaker: Token, start: int, end: int) -> bool:
        """No one but ``speaker`` is named as a clause's subject between two offsets."""
        return self._named_between(start, end) <= {self._last_name(speaker)}

    def _last_name(self, speaker: Token) -> str:
        stands_for = speaker_phrase(antecedent(speaker))
        name = resolve(self.finder.index, stands_for).name or stands_for.text
        return name.split()[-1] if name.split() else ""

    def _named_between(self, start: int, end: int) -> set[str]:
        """Last names of the people named as a clause's subject between two offsets (a new
        speaker, not someone spoken of)."""
        return {name for name, token in self._people_between(start, end).items()
                if _subject_of_clause(token)}

    def _people_between(self, start: int, end: int) -> dict[str, Token]:
        """The people named between two offsets, by last name (the last word of the first
        mention of each): the coreference index's, and bare names the tagger missed that
        are a clause's subject ("Jones disagreed")."""
        doc = self.finder.doc
        people: dict[str, Token] = {}
        for m in self.finder.index.mentions:
            if m.person and start <= m.start and m.end <= end and m.name.split():
                people.setdefault(m.name.split()[-1], doc[m.token])
        span = doc.char_span(start, end, alignment_mode="contract") if end > start else None
        for token in span if span is not None else ():
            if token.dep_ in ("nsubj", "nsubjpass") and token.pos_ == "PROPN" and not token.ent_type_ and (
                    self.finder.in_mark[token.i] < 0):
                people.setdefault(token.text, token)
        return people

    def _sole_subject_before(self, mark: Mark) -> Attribution | None:
        """The one person named, as a subject, in the quotation's paragraph before it (in
        the paragraph before, when it opens its paragraph)."""
        text = self.finder.text
        para_end = mark.span.start
        para_start = max(text.rfind("\n", 0, para_end) + 1, self._last_quote_sentence_end(mark))
        while para_start > 0 and not text[para_start:para_end].strip():
            para_end = para_start - 1  # the quotation opens its paragraph: the one before
            para_start = text.rfind("\n", 0, para_end) + 1
        people = self._people_between(para_start, para_end)
        subjects = [token for token in people.values() if _subject_of_clause(token)]
        if len(subjects) != 1:
            return None  # "Sanders ... identified ... Clinton's candidacy": Sanders, the subject
        return Attribution(None, subjects[0], None, subjects[0].i)

    def _continues(self, before: Mark, said: Attribution | None, mark: Mark) -> bool:
        """Does ``mark`` carry on the quotation ``before`` (``said`` by its speaker) with no
        new speaker in between ('“A,” Smith said. Jones disagreed. “B.”': Jones's)?"""
        gap = self.finder.text[before.span.end : mark.span.start]
        if len(gap) > _INHERIT_GAP:
            return False
        if said is not None and said.speaker is not None and not self._only_speaker_named(
                said.speaker, self._frame_end(before, said), mark.span.start):
            return False
        if "\n" in gap:
            # a new paragraph that opens with a quotation, right after one that ended with one
            return gap.strip() == "" or self._frame_of_before_only(before, mark)
        return True

    def _frame_end(self, before: Mark, said: Attribution) -> int:
        """Where the quotation ``before`` and the sentence of its cue end (who that sentence
        names is the frame's, not a new speaker: 'said after Jones failed to show up')."""
        cue = self.finder.doc[said.cue_token]
        return max(before.span.end, self.finder.sent(cue).end_char)

    def _frame_of_before_only(self, before: Mark, mark: Mark) -> bool:
        tail, _, rest = self.finder.text[before.span.end : mark.span.start].partition("\n")
        return len(tail) < 120 and not rest.strip()


def _subject_of_clause(token: Token) -> bool:
    """Is ``token`` (a name's last word) a clause's subject, or set beside one ("Her
    neighbor, Tom Jones, disagreed")?"""
    for _ in range(4):
        if token.dep_ in ("nsubj", "nsubjpass"):
            return True
        if token.dep_ not in ("compound", "flat", "appos") or token.head.i == token.i:
            return False
        token = token.head
    return False
