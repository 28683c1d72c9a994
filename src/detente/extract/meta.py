"""Metadata around a text dump's body lines: title, dek, bylines, publisher, categories, captions.

Rules over the lines the classifier kept (``body``) and the lines just before
them. Every rule follows a general page or news convention (a "By ..." byline,
a dateline such as "(XY) —" or "CITY (Agency) —", a photo credit, a
"Categories / ..." list, a masthead line, an author bio tagline); none names an
outlet. Lines the rules recognise as metadata leave the body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ..model import Caption
from .lexicon import lexicon

logger = logging.getLogger(__name__)

_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:de|van|von|da|del|la|le|bin|al|[A-Z][\w.'’-]*)){1,4}"
_BYLINE = re.compile(r"^(?:by|written by|posted by|words by)\s*:?\s+(?P<names>.{3,120})$", re.IGNORECASE)
_BIO = re.compile(
    rf"^(?P<outlet>(?:[A-Z][\w&.'’-]*\s+){{0,5}}?)(?:senior |staff |chief |contributing |"
    rf"freelance |investigative |political |foreign )?(?:reporter|correspondent|writer|editor|"
    rf"journalist|contributor|columnist|bureau chief|producer)\s+(?P<name>{_NAME})\s+"
    rf"(?:is|covers|writes|reports|has)\b"
)
_REPORTING = re.compile(r"^\(?\s*(?:reporting|writing|additional reporting) by\s+(?P<names>[^;)]+)", re.IGNORECASE)
_CATEGORIES = re.compile(
    r"^(?:categories|category|filed under|topics|tags|sections?|related topics)\s*[:/|]\s*(?P<items>.+)$",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^(?:\((?P<abbr>[A-Z][A-Za-z]{1,7})\)"
    r"|[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*(?:\((?P<agency>[\w .]{2,30})\))?)"
    r"\s*[—–-]{1,2}\s"
)
_FOLLOW = re.compile(r"^follow\b.{0,60}@\w+|^follow (?:us|me|him|her)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]?\s*(?:\d{4})?)?\s*(?P<owner>[A-Z][\w&.'’ -]{2,60})")
# Where a byline's names end: a separator, a date, a time, "Updated", "Published".
_NAME_END = re.compile(
    r"\s+[|/]\s+|\s+[-–—]\s+|\s+(?:on\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s+\d|\s*\d|\s+(?:updated|published|posted)\b",
    re.IGNORECASE,
)
_SPLIT_NAMES = re.compile(r"\s*(?:,\s*(?:and\s+)?|\band\b|&|;)\s*")
_SPLIT_ITEMS = re.compile(r"\s*[,|;•·]\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
# Every credit pattern (data/extract/textdump.yaml) contains one of these.
_CREDIT_KEYS = ("photo", "image", "picture", "credit", "/")
HEAD_WINDOW = 15  # lines before the body searched for title, dek and bylines


@dataclass
class DumpMeta:
    """What the rules read around the body, and the body lines that remain."""

    body: list[int]
    title: str | None = None
    dek: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    categories: list[str] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    title_index: int | None = None


def split_caption(line: str) -> Caption | None:
    """A photo caption with its credit split off, when ``line`` carries a credit."""
    lowered = line.lower()
    if not any(key in lowered for key in _CREDIT_KEYS):
        return None
    for pattern in lexicon().credit_patterns:
        match = pattern.search(line)
        if match:
            text = line[: match.start()].rstrip(" ([-–—|").strip()
            return Caption(text=text, credit=match.group("credit").strip(" .()"))
    return None


def _names(raw: str) -> list[str]:
    raw = _NAME_END.split(raw)[0]
    out = []
    for part in _SPLIT_NAMES.split(raw):
        part = part.strip(" .,")
        words = part.split()
        if 2 <= len(words) <= 5 and all(w[0].isupper() for w in words if w.isalpha() and len(w) > 3):
            out.append(part)
    return out


def _add(items: list[str], new: list[str]) -> None:
    for item in new:
        if item and item.lower() not in {x.lower() for x in items}:
            items.append(item)


def _masthead(lines: list[str], upto: int) -> str | None:
    """A site name shown as the same phrase twice on one line (logo text + link text)."""
    for line in lines[:upto]:
        words = line.split()
        half = len(words) // 2
        if 2 <= half <= 6 and len(words) % 2 == 0 and words[:half] == words[half:]:
            return " ".join(words[:half])
    return None


def _initials_match(abbr: str, lines: list[str], upto: int) -> str | None:
    """The capitalised phrase before the body whose initials spell a dateline's ``abbr``."""
    abbr = abbr.upper()
    for line in lines[:upto]:
        words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line)]
        for i in range(len(words)):
            for j in range(i + len(abbr), min(len(words), i + len(abbr) + 2) + 1):
                phrase = words[i:j]
                caps = [w for w in phrase if w[0].isupper()]
                if len(caps) == len(phrase) and "".join(w[0] for w in phrase[: len(abbr)]) == abbr:
                    return " ".join(phrase)
    return None


def _title_score(line: str, distance: int) -> float:
    words = line.split()
    if not 3 <= len(words) <= 30 or split_caption(line) or _BYLINE.match(line):
        return -1.0
    lex = lexicon()
    chrome = sum(1 for w in words if w.lower().strip(".,:|") in lex.chrome_words) / len(words)
    score = 1.0 + min(len(words), 12) / 12.0 - 0.08 * distance - 2 * chrome
    if _SENTENCE_END.search(line) and not line.endswith("?"):
        score -= 0.6
    if re.search(r"\d{4}|\d:\d\d|[|•»]", line):
        score -= 0.8
    return score


def _find_title(lines: list[str], start: int) -> int | None:
    best, best_score = None, 0.0
    for j in range(max(0, start - HEAD_WINDOW), start):
        score = _title_score(lines[j], start - 1 - j)
        if score > best_score:
            best, best_score = j, score
    return best


def _is_dek(line: str) -> bool:
    words = line.split()
    return 8 <= len(words) <= 60 and not _BYLINE.match(line) and split_caption(line) is None


def read_meta(lines: list[str], body: list[int]) -> DumpMeta:
    """Title, dek, authors, publisher, categories and captions; trims ``body``."""
    meta = DumpMeta(body=list(body))
    if not lines:
        return meta
    start = body[0] if body else 0
    end = body[-1] if body else len(lines) - 1
    _cut_to_dateline(lines, meta)
    start = meta.body[0] if meta.body else start
    meta.title_index = _find_title(lines, start)
    if meta.title_index is not None:
        meta.title = lines[meta.title_index]
        _find_dek(lines, meta, start)
    _read_lines(lines, meta, start, end)
    _find_publisher(lines, meta, start)
    return meta


def _cut_to_dateline(lines: list[str], meta: DumpMeta) -> None:
    """A dateline in the first body lines starts the story: what precedes is head matter."""
    for pos, i in enumerate(meta.body[:3]):
        if _DATELINE.match(lines[i]) and pos > 0:
            meta.body = meta.body[pos:]
            return


def _find_dek(lines: list[str], meta: DumpMeta, start: int) -> None:
    assert meta.title_index is not None
    for j in range(meta.title_index + 1, min(start, meta.title_index + 5)):
        if _is_dek(lines[j]):
            meta.dek = lines[j]
            return


def _read_lines(lines: list[str], meta: DumpMeta, start: int, end: int) -> None:
    """Bylines, bios, categories and captions from the head, body and tail; drop them from body."""
    lo = max(0, start - HEAD_WINDOW)
    hi = min(len(lines), end + HEAD_WINDOW)
    drop: set[int] = set()
    body = set(meta.body)
    for i in range(lo, hi):
        line = lines[i]
        if i == meta.title_index or (meta.dek is not None and line == meta.dek and i < start):
            drop.add(i)
            continue
        if _read_line(lines, i, meta, in_head=i < start) or (i in body and _is_chrome(line)):
            drop.add(i)
    names = {a.lower() for a in meta.authors}
    meta.body = [i for i in meta.body if i not in drop and lines[i].lower() not in names]


def _read_line(lines: list[str], i: int, meta: DumpMeta, *, in_head: bool) -> bool:
    """Read one line's metadata; True when the line is metadata (not body)."""
    line = lines[i]
    byline = _BYLINE.match(line)
    if byline and len(line.split()) <= 14:
        _add(meta.authors, _names(byline.group("names")))
        return True
    if line.lower() in {"by", "written by"} and i + 1 < len(lines):
        _add(meta.authors, _names(lines[i + 1]))
        return True
    bio = _BIO.match(line)
    if bio and len(line.split()) <= 25:
        _add(meta.authors, [bio.group("name")])
        outlet = bio.group("outlet").strip()
        if outlet and meta.publisher is None:
            meta.publisher = outlet
        return True
    reporting = _REPORTING.match(line)
    if reporting:
        _add(meta.authors, _names(reporting.group("names")))
        return True
    categories = _CATEGORIES.match(line)
    if categories and len(line) <= 300:
        items = [x.strip() for x in _SPLIT_ITEMS.split(categories.group("items")) if x.strip()]
        _add(meta.categories, [x for x in items if len(x.split()) <= 5])
        return True
    caption = split_caption(line)
    if caption is not None:
        if (caption.text or caption.credit) and caption not in meta.captions:
            meta.captions.append(caption)
        return True
    return False


def _is_chrome(line: str) -> bool:
    lowered = line.lower().strip(" .:!»›")
    return lowered in lexicon().chrome_lines or bool(_FOLLOW.match(line))


def _find_publisher(lines: list[str], meta: DumpMeta, start: int) -> None:
    """Publisher: a dateline abbreviation spelled by a masthead, a doubled masthead, ©."""
    first = lines[meta.body[0]] if meta.body else ""
    dateline = _DATELINE.match(first)
    head_end = meta.title_index if meta.title_index is not None else start
    masthead = _masthead(lines, head_end)
    if dateline and dateline.group("abbr"):
        named = _initials_match(dateline.group("abbr"), lines, head_end)
        if named:
            # The full site name when the masthead extends the abbreviated name.
            full = masthead is not None and masthead.startswith(named)
            meta.publisher = masthead if full else named
            return
    if meta.publisher:
        return
    meta.publisher = masthead
    if meta.publisher:
        return
    for line in lines[meta.body[-1] if meta.body else 0 :]:
        owner = _COPYRIGHT.search(line)
        if owner:
            name = owner.group("owner").split(".")[0]
            meta.publisher = re.sub(r"[\s\d,–-]+$", "", name) or None
            return
