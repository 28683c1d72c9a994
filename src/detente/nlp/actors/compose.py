"""Parse-free actor analysis of a phrase given as words: "the French president",
"Ukrainian soldiers", "pro-Russian separatists", "Kremlin spokesman", "NATO troops".

A phrase is a list of ``Word`` (lower-cased text and lemma) with the index of its head
word. The analysis finds the codebook items in it (people, organisations, outlets,
seats of government, states and their adjectives), the sector its head names, and a
title ("president") that points at an office-holder on the date. The head must be
actor-bearing (a codebook item or a sector/role word): "Russian invasion" is no actor.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from ...model import Actor
from .codebook import Codebook, Entry, Person, codebook, norm

logger = logging.getLogger(__name__)

_MAX_NGRAM = 6
_STATE_KINDS = frozenset({"state", "adjective", "demonym", "capital", "place"})
_NON_STATE_BODIES = frozenset({"MIL", "GOV", "PRM"})  # sponsored groups are not the state


# Where a group is, for groups coded by residence ("ethnic Albanians" in Macedonia) or by
# where they operate ("pro-Russian separatists" in Ukraine): a state code other than
# ``exclude`` named near the mention, or None.
Locator = Callable[[str | None], str | None]


class Word(NamedTuple):  # a tuple: made for every token of every phrase, cheaply
    text: str  # lower case
    lemma: str  # lower case
    orig: str = ""  # as written (all-capital short forms match only as written)
    space: bool = True  # followed by whitespace ("Workers' Party" has none before "'")
    proper: bool = False  # part of a proper name (a title before it names the person's post)


@dataclass(frozen=True)
class Item:
    """A codebook match inside a phrase: words [start, end)."""

    start: int
    end: int
    entry: Entry | None = None
    person: Person | None = None
    sponsor: bool = False  # "pro-Russian", "Russia-backed": the sponsor, not the actor

    def covers(self, index: int) -> bool:
        return self.start <= index < self.end


@dataclass(frozen=True)
class Phrase:
    words: tuple[Word, ...]
    head: int
    text: str  # the mention as written (the actor's name for groups)


def find_items(words: tuple[Word, ...], book: Codebook | None = None) -> list[Item]:
    """Greedy longest matches of people and codebook entries, left to right."""
    book = book or codebook()
    items: list[Item] = []
    i = 0
    while i < len(words):
        if words[i].text not in book.vocabulary:
            i += 1
            continue
        item = _longest_at(words, i, book)
        if item is None:
            i += 1
            continue
        items.append(item)
        i = item.end
    return items


def _longest_at(words: tuple[Word, ...], i: int, book: Codebook) -> Item | None:
    for n in range(min(_MAX_NGRAM, len(words) - i), 0, -1):
        key = norm(_joined(words[i:i + n], "text"))
        written = book.exact_case.get(key)
        if written is not None and _joined(words[i:i + n], "orig") not in written:
            continue
        if n == 1 and not words[i].orig[:1].isupper():
            continue  # one-word names are written capitalised: "economist" is no outlet
        person = book.people.get(key)
        if person is not None:
            return Item(i, i + n, person=person)
        entry = book.entries.get(key)
        if entry is None and key in book.cues:
            code = book.cues[key]
            entry = Entry(book.state_names.get(code, code), code, None, "adjective")
        if entry is not None:
            return Item(i, i + n, entry=entry, sponsor=_is_sponsor(words, i, i + n, book))
    return None


def _joined(words: tuple[Word, ...], attr: str) -> str:
    parts = []
    for index, word in enumerate(words):
        parts.append(getattr(word, attr))
        if word.space and index < len(words) - 1:
            parts.append(" ")
    return "".join(parts)


def _is_sponsor(words: tuple[Word, ...], start: int, end: int, book: Codebook) -> bool:
    before = [w.text for w in words[max(0, start - 2):start]]
    after = [w.text for w in words[end:end + 2]]
    if before[-2:] and before[-1] == "-" and len(before) == 2 and before[0] in book.sponsor_before:
        return True
    if before and before[-1] in book.sponsor_before:
        return True
    if after and after[0] == "-" and len(after) == 2 and after[1] in book.sponsor_after:
        return True
    return bool(after) and after[0] in book.sponsor_after


def sector_of(phrase: Phrase, items: list[Item], book: Codebook | None = None) -> tuple[str | None, bool]:
    """(sector, actor_bearing): the head's sector; a branch modifier beats a generic head."""
    book = book or codebook()
    words = phrase.words
    starts = book.sector_phrase_starts
    if any(w.text in starts or w.lemma in starts for w in words):  # most phrases hold none
        lowered = f" {' '.join(w.lemma for w in words)} "
        texts = f" {' '.join(w.text for w in words)} "
        for key, sector in book.sector_phrases.items():
            if f" {key} " in texts or f" {key} " in lowered:
                return sector, True
    head = words[phrase.head]
    head_sector = _word_sector(head, book.sector_words)
    if head_sector is not None:
        return head_sector, True
    generic = _word_sector(head, book.generic_words)
    is_generic = head.text in book.generic_words or head.lemma in book.generic_words
    if not is_generic:
        return None, False
    for index, word in enumerate(words[:phrase.head]):
        if any(item.covers(index) for item in items):
            continue
        modifier = _word_sector(word, book.sector_words)
        if modifier is not None:
            return modifier, True
    return generic, True


def _word_sector(word: Word, table: dict[str, str | None]) -> str | None:
    return table.get(word.text) or table.get(word.lemma)


def role_office(phrase: Phrase, book: Codebook | None = None) -> tuple[str, frozenset[str]] | None:
    """The office a title at the head names ("the French president" -> president)."""
    book = book or codebook()
    words = phrase.words
    for n in (4, 3, 2, 1):
        start = phrase.head - n + 1
        if start < 0:
            continue
        key = " ".join(w.text for w in words[start:phrase.head + 1])
        rule = book.roles.get(key)
        if rule is not None:
            return rule.office, rule.countries
    # "minister of defence", "secretary of state": the head is the first word
    for n in (4, 3):
        key = " ".join(w.text for w in words[phrase.head:phrase.head + n])
        rule = book.roles.get(key)
        if rule is not None:
            return rule.office, rule.countries
    return None


def compose(phrase: Phrase, when: date | None, location: Locator | None = None) -> Actor | None:
    """The actor a phrase names, or None when its head is not actor-bearing."""
    book = codebook()
    items = find_items(phrase.words, book)
    head_item = next((it for it in items if it.covers(phrase.head)), None)
    if head_item is not None and head_item.person is not None:
        return head_item.person.actor_on(when)
    if head_item is None and phrase.words[phrase.head].proper:
        titled = _titled_person(phrase, items, when)
        if titled is not None:
            return titled
    sector, bearing = sector_of(phrase, items, book)
    if head_item is not None and not head_item.sponsor and head_item.entry is not None:
        return _entry_actor(head_item.entry, items, phrase, sector, location)
    if not bearing:
        return None
    return _group_actor(phrase, items, sector, when, location)


def _titled_person(phrase: Phrase, items: list[Item], when: date | None) -> Actor | None:
    """An unlisted name after a title: "Serbian President X", "King X of Morocco"."""
    words = phrase.words
    start = phrase.head
    while start > 0 and (words[start - 1].proper or words[start - 1].text in {"-", "."}) \
            and not any(it.covers(start - 1) for it in items):
        start -= 1
    if start == 0:
        return None
    context = words[:start] + words[phrase.head + 1:]
    title = Phrase(words=context, head=start - 1, text=_joined(words[:start], "orig"))
    if role_office(title) is None and not sector_of(title, find_items(context))[1]:
        return None
    actor = compose(title, when)
    if actor is None:
        return None
    name = _joined(words[start:phrase.head + 1], "orig")
    return Actor(name=name, code=actor.code, sector=actor.sector or "GOV")


def _entry_actor(entry: Entry, items: list[Item], phrase: Phrase, sector: str | None,
                 location: Locator | None = None) -> Actor:
    """The head is a codebook entry; a state adjective before a state body relocates it."""
    if entry.kind == "demonym" and location is not None \
            and any(w.text == "ethnic" for w in phrase.words):
        home = location(entry.code)  # "ethnic Albanians" in a Macedonian village: MKD
        if home is not None:
            return Actor(name=phrase.text, code=home, sector=sector)
    if entry.kind == "demonym":  # "Bosnian Serbs", "Albanians of southern Serbia"
        others = [it for it in items if not it.sponsor and it.entry is not None
                  and it.entry.kind in _STATE_KINDS and not it.covers(phrase.head)]
        if others:
            return Actor(name=phrase.text, code=others[0].entry.code if others[0].entry else "",
                         sector=sector)
    if entry.kind in _STATE_KINDS:
        if entry.kind in {"adjective", "demonym"} and len(items) == 1:
            return Actor(name=entry.name if entry.kind == "adjective" else phrase.text,
                         code=entry.code, sector=None)
        return entry.actor()
    modifier = _country_item(items, before=phrase.head)
    if modifier is not None and entry.code in codebook().state_names and modifier.entry:
        return Actor(name=phrase.text, code=modifier.entry.code, sector=entry.sector or sector)
    return entry.actor()


def _country_item(items: list[Item], before: int) -> Item | None:
    for item in reversed(items):
        if item.start < before and not item.sponsor and item.entry is not None \
                and item.entry.kind in _STATE_KINDS:
            return item
    return None


def _group_actor(phrase: Phrase, items: list[Item], sector: str | None,
                 when: date | None, location: Locator | None) -> Actor | None:
    """A group or title headed by a sector/role word: code from its modifiers."""
    own = [it for it in items if not it.sponsor]
    sponsors = [it for it in items if it.sponsor]
    if not own and sponsors:
        sponsor = _item_code(sponsors[0], when)
        code = (location(sponsor) if location is not None else None) or sponsor
        if sector in _NON_STATE_BODIES or sector is None:
            sector = "REB"
        return Actor(name=phrase.text, code=code, sector=sector)
    if not own:
        return None
    states = [it for it in own if it.entry is not None and it.entry.kind in _STATE_KINDS]
    item = states[-1] if states else own[-1]  # "Nigerian Union of ...": the state, not a stray name
    if item.person is not None:  # "the Obama administration", "Putin's troops"
        code = item.person.actor_on(when).code
        return Actor(name=phrase.text, code=code, sector=sector or "GOV")
    assert item.entry is not None
    code = item.entry.code
    office = role_office(phrase)
    if office is not None and item.entry.kind in _STATE_KINDS | {"metonym", "org"}:
        holder = _office_holder(code, office, when)
        if holder is not None:
            return holder
    if item.entry.kind == "media" and sector is None:
        sector = item.entry.sector
    return Actor(name=phrase.text, code=code, sector=sector)


def _office_holder(code: str, office: tuple[str, frozenset[str]], when: date | None) -> Actor | None:
    key, countries = office
    if countries and code not in countries:
        return None
    term = codebook().holder(code, key, when)
    if term is None:
        return None
    return Actor(name=term.name, code=term.code, sector=term.sector)


def _item_code(item: Item, when: date | None) -> str:
    if item.person is not None:
        return item.person.actor_on(when).code
    assert item.entry is not None
    return item.entry.code


_TOKEN = re.compile(r"'s\b|\u2019s\b|[\w.&]+(?:'(?!s\b)\w+)?|-|'", re.UNICODE)


def words_of(text: str) -> tuple[Word, ...]:
    """Words of a bare string: hyphens and possessives split off, spacing kept."""
    out: list[Word] = []
    matches = list(_TOKEN.finditer(text))
    for index, match in enumerate(matches):
        raw = match.group().rstrip(".") if match.group().endswith(".") and match.group().count(".") == 1 else match.group()
        end = match.start() + len(raw)
        nxt = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        token = raw.lower()
        out.append(Word(token, _crude_lemma(token), raw, space=nxt > end,
                        proper=raw[:1].isupper()))
    return tuple(out)


def _crude_lemma(token: str) -> str:
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith("ss") and len(token) > 3:
        return token[:-1]
    return token
