"""The actor codebook: states, metonyms, organisations, media, people, sector words.

Everything is read once from ``data/codebook/`` (see its SOURCES.md) into plain dict
indexes keyed by lower-cased, whitespace-normalised text, so linking is dict lookups.
"""

from __future__ import annotations

import difflib
import functools
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from ...data import read_table, read_yaml
from ...model import Actor

logger = logging.getLogger(__name__)

MEDIA_SECTOR = "MED"  # the project's convention for news media (PLOVER spells it JRN)


@dataclass(frozen=True)
class Entry:
    """A named thing in the codebook: a state, seat of government, organisation or outlet."""

    name: str
    code: str
    sector: str | None
    kind: str  # state | capital | metonym | org | media | place | adjective | demonym

    def actor(self) -> Actor:
        return Actor(name=self.name, code=self.code, sector=self.sector)


@dataclass(frozen=True)
class Term:
    """One office held by a person for a period (end None: still in office)."""

    name: str
    office: str
    code: str
    sector: str
    start: date | None
    end: date | None

    def covers(self, when: date) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when < self.end)


@dataclass(frozen=True)
class Person:
    name: str
    terms: tuple[Term, ...]

    def term_on(self, when: date | None) -> Term | None:
        """The term in force on ``when`` (else the latest that began before it)."""
        if when is None:
            return max(self.terms, key=_term_start)
        current = [t for t in self.terms if t.covers(when)]
        if current:
            return max(current, key=_term_start)
        past = [t for t in self.terms if t.start is None or t.start <= when]
        return max(past, key=_term_start) if past else None

    def actor_on(self, when: date | None) -> Actor:
        term = self.term_on(when) or min(self.terms, key=_term_start)
        sector = term.sector
        if when is not None and term.end is not None and term.end <= when:
            sector = "ELI"  # PLOVER: ex-officials
        return Actor(name=self.name, code=term.code, sector=sector)


def _term_start(term: Term) -> date:
    return term.start or date.min


@dataclass(frozen=True)
class RoleRule:
    office: str
    countries: frozenset[str]  # empty: any state


@dataclass
class Codebook:
    """All indexes; keys are ``norm(text)``."""

    entries: dict[str, Entry] = field(default_factory=dict)  # names, capitals, orgs, media ...
    cues: dict[str, str] = field(default_factory=dict)  # country cue words -> ISO-3 (adjectives too)
    people: dict[str, Person] = field(default_factory=dict)  # full names and aliases
    surnames: dict[str, list[Person]] = field(default_factory=dict)
    holders: dict[tuple[str, str], list[Term]] = field(default_factory=dict)
    sector_words: dict[str, str | None] = field(default_factory=dict)
    generic_words: dict[str, str | None] = field(default_factory=dict)
    sector_phrases: dict[str, str] = field(default_factory=dict)
    sector_phrase_starts: frozenset[str] = frozenset()  # their first words
    roles: dict[str, RoleRule] = field(default_factory=dict)
    sponsor_before: frozenset[str] = frozenset()
    sponsor_after: frozenset[str] = frozenset()
    state_names: dict[str, str] = field(default_factory=dict)  # ISO-3 -> display name
    org_kinds: dict[str, str] = field(default_factory=dict)  # actor code -> IGO/UNO/NGO/...
    # Surface forms for the entity ruler: (text as written, spaCy label).
    patterns: list[tuple[str, str]] = field(default_factory=list)
    vocabulary: frozenset[str] = frozenset()  # lower tokens that can start an actor cue
    # Lower tokens of which a noun phrase must hold one to be worth resolving: the
    # vocabulary without leading articles ("the" of "the kremlin"), plus what follows them.
    mention_words: frozenset[str] = frozenset()
    # Keys of all-capital short forms ("US", "WHO", "IS") -> the forms as written: these
    # match only as written, never the ordinary words "us", "who", "is".
    exact_case: dict[str, frozenset[str]] = field(default_factory=dict)

    def holder(self, code: str, office: str, when: date | None) -> Term | None:
        """Who held ``office`` in state/organisation ``code`` on ``when``."""
        terms = self.holders.get((code, office), [])
        if when is None:
            current = [t for t in terms if t.end is None]
            return max(current, key=_term_start) if current else None
        held = [t for t in terms if t.covers(when)]
        return max(held, key=_term_start) if held else None


def norm(text: str) -> str:
    """Lookup key: lower case, curly quotes straightened, single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-")
    return " ".join(text.split()).lower()


def _rows(name: str) -> Iterator[dict[str, str]]:
    yield from read_table(f"codebook/{name}")


def _yaml(name: str) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(f"codebook/{name}")
    return data


@dataclass(frozen=True)
class LinkingWords:
    """Words of ``data/codebook/linking.yaml``."""

    no_pattern: frozenset[str]  # as written: lookups only, never entity-ruler patterns
    articles: frozenset[str]
    demonstratives: frozenset[str]
    locative_preps: frozenset[str]


@functools.cache
def linking_words() -> LinkingWords:
    """The linking words (read once per process)."""
    raw = _yaml("linking.yaml")
    return LinkingWords(**{name: frozenset(raw[name]) for name in LinkingWords.__dataclass_fields__})


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class _Builder:
    """Fills a Codebook from the data files (one instance, used once)."""

    def __init__(self) -> None:
        self.book = Codebook()
        # Short forms that are also ordinary words or names of other things ("IS", "Diet").
        self.no_pattern = linking_words().no_pattern

    def add(self, text: str, entry: Entry, label: str | None, *, override: bool = False) -> None:
        key = norm(text)
        self.case(text)
        if override or key not in self.book.entries:
            self.book.entries[key] = entry
        if label and text not in self.no_pattern:
            self.book.patterns.append((text, label))

    def case(self, text: str) -> None:
        if text.isupper() and text.isalpha() and len(text) <= 5:
            key = norm(text)
            self.book.exact_case[key] = self.book.exact_case.get(key, frozenset()) | {text}

    def states(self) -> None:
        for row in _rows("states.tsv"):
            code, name = row["code"], row["name"]
            self.book.state_names[code] = name
            state = Entry(name=name, code=code, sector=None, kind="state")
            for alias in _split(row["names"]):
                self.add(alias, state, "GPE")
                self.book.cues.setdefault(norm(alias), code)
            for adjective in _split(row["adjectives"]):
                self.case(adjective)
                self.book.cues.setdefault(norm(adjective), code)
                self.add(adjective, Entry(name, code, None, "adjective"), "NORP")
            for demonym in _split(row["demonyms"]):
                self.book.cues.setdefault(norm(demonym), code)
                self.add(demonym, Entry(demonym, code, None, "demonym"), "NORP")
            for capital in _split(row["capitals"]):
                self.add(capital, Entry(capital, code, "GOV", "capital"), "GPE")
                self.book.cues.setdefault(norm(capital), code)

    def places(self) -> None:
        for row in _rows("places.tsv"):
            self.add(row["name"], Entry(row["name"], row["code"], None, "place"), "GPE")

    def ethnic(self) -> None:
        # lookups only, never ruler patterns: "Karen" is also a first name
        for row in _rows("ethnic.tsv"):
            self.add(row["name"], Entry(row["name"], row["code"], None, "demonym"), None)
            self.book.cues.setdefault(norm(row["name"]), row["code"])

    def metonyms(self) -> None:
        for row in _rows("metonyms.tsv"):
            entry = Entry(row["name"], row["code"], row["sector"] or None, "metonym")
            self.add(row["text"], entry, "ORG", override=True)

    def organisations(self) -> None:
        for row in _rows("organisations.tsv"):
            code, kind = row["code"], row["kind"]
            if kind != "STATE":
                self.book.org_kinds.setdefault(code, kind)
            entry = Entry(row["name"], code, row["sector"] or None, "org")
            for alias in [row["name"], *_split(row["aliases"])]:
                self.add(alias, entry, "ORG", override=True)

    def media(self) -> None:
        for row in _rows("media.tsv"):
            entry = Entry(row["name"], row["code"], MEDIA_SECTOR, "media")
            for alias in [row["name"], *_split(row["aliases"])]:
                self.add(alias, entry, "ORG", override=True)

    def people(self) -> None:
        terms: dict[str, list[Term]] = {}
        aliases: dict[str, list[str]] = {}
        for row in _rows("people.tsv"):
            name = row["name"]
            term = Term(name, row["office"], row["country"], row["sector"] or "GOV",
                        _date(row["start"]), _date(row["end"]))
            terms.setdefault(name, []).append(term)
            aliases.setdefault(name, []).extend(_split(row["aliases"]))
            self.book.holders.setdefault((term.code, term.office), []).append(term)
        for name, person_terms in terms.items():
            person = Person(name=name, terms=tuple(person_terms))
            for alias in [name, *aliases[name]]:
                self.case(alias)
                self.book.people.setdefault(norm(alias), person)
                if alias not in self.no_pattern:
                    self.book.patterns.append((alias, "PERSON"))
            surname = name.split()[-1]
            if len(surname) > 2 and surname[:1].isupper():
                self.book.surnames.setdefault(norm(surname), []).append(person)

    def lexicon(self) -> None:
        sectors = _yaml("sectors.yaml")
        self.book.generic_words = {norm(k): v for k, v in sectors["generic"].items()}
        self.book.sector_words = {norm(k): v for k, v in sectors["words"].items()}
        self.book.sector_phrases = {norm(k): v for k, v in sectors["phrases"].items()}
        self.book.sector_phrase_starts = frozenset(k.split()[0] for k in self.book.sector_phrases)
        markers = sectors["sponsor_markers"]
        self.book.sponsor_before = frozenset(norm(m) for m in markers["before"])
        self.book.sponsor_after = frozenset(norm(m) for m in markers["after"])
        roles = _yaml("roles.yaml")
        for office, phrases in roles["offices"].items():
            for phrase in phrases:
                self.book.roles[norm(phrase)] = RoleRule(office, frozenset())
        for phrase, rule in roles["country_specific"].items():
            self.book.roles[norm(phrase)] = RoleRule(rule["office"], frozenset(rule["countries"]))

    def vocabulary(self) -> None:
        words: set[str] = set()
        for key in [*self.book.entries, *self.book.people, *self.book.cues]:
            words.add(key.split()[0])
        words.update(self.book.sector_words, self.book.generic_words, self.book.roles)
        words.update(k.split()[0] for k in self.book.sector_phrases)
        words.update(k.split()[0] for k in self.book.roles)
        self.book.vocabulary = frozenset(words)
        articles = linking_words().articles
        mention = words - articles
        for key in [*self.book.entries, *self.book.people, *self.book.cues, *self.book.roles,
                    *self.book.sector_phrases]:
            parts = key.split()
            if len(parts) > 1 and parts[0] in articles:
                mention.add(parts[1])
        self.book.mention_words = frozenset(mention)


@functools.lru_cache(maxsize=1)
def codebook() -> Codebook:
    """The codebook, loaded once per process."""
    builder = _Builder()
    builder.states()
    builder.places()
    builder.ethnic()
    builder.metonyms()
    builder.organisations()
    builder.media()
    builder.people()
    builder.lexicon()
    builder.vocabulary()
    return builder.book


Buckets = dict[tuple[str, int], list[str]]


@functools.lru_cache(maxsize=1)
def _fuzzy_buckets() -> tuple[Buckets, Buckets]:
    """Candidates for spelling repair, bucketed by first letter and length: one-word state
    names, adjectives, demonyms and capitals; people's full names."""
    book = codebook()
    words: Buckets = {}
    for key in book.cues:
        if " " not in key and len(key) >= 5:
            words.setdefault((key[0], len(key)), []).append(key)
    names: Buckets = {}
    for key in book.people:
        if " " in key:
            names.setdefault((key[0], len(key)), []).append(key)
    return words, names


def _close_match(key: str, buckets: Buckets, cutoff: float) -> str | None:
    """difflib's closest match at ``cutoff``, scoring only candidates that can reach it.

    Two bounds discard the rest without changing the answer: lengths must be within a
    factor (2*M/(a+b) >= cutoff), and rapidfuzz's Indel ratio, 2*LCS/(a+b), is never
    below difflib's 2*M/(a+b) (its matching blocks are one common subsequence), so a
    candidate under the cutoff there is under it in difflib too.
    """
    size = len(key)
    low = math.ceil(size * cutoff / (2.0 - cutoff) - 1e-9)
    high = math.floor(size * (2.0 - cutoff) / cutoff + 1e-9)
    candidates = [c for n in range(low, high + 1) for c in buckets.get((key[0], n), ())]
    hits = process.extract(key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff * 100 - 1e-6,
                           limit=None)
    found = difflib.get_close_matches(key, [h[0] for h in hits], n=1, cutoff=cutoff)
    return found[0] if found else None


@functools.lru_cache(maxsize=4096)
def fuzzy_cue(word: str) -> str | None:
    """A misspelt state name or adjective repaired ("afganistan" -> "afghanistan")."""
    key = norm(word)
    if len(key) < 5:
        return None
    return _close_match(key, _fuzzy_buckets()[0], 0.84)


@functools.lru_cache(maxsize=4096)
def fuzzy_person(name: str) -> Person | None:
    """A misspelt full name of a codebook person ("francois mitterand")."""
    key = norm(name)
    if " " not in key:
        return None
    found = _close_match(key, _fuzzy_buckets()[1], 0.88)
    return codebook().people[found] if found else None
