"""Word lists and patterns for text-dump extraction, loaded once from data/extract/."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from ..data import read_yaml

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextdumpLexicon:
    """The lexicons of ``data/extract/textdump.yaml``, compiled."""

    stopwords: frozenset[str]
    chrome_words: frozenset[str]
    chrome_lines: frozenset[str]
    credit_patterns: tuple[re.Pattern[str], ...]


@functools.lru_cache(maxsize=1)
def lexicon() -> TextdumpLexicon:
    """The text-dump lexicon (cached)."""
    raw: dict[str, Any] = read_yaml("extract/textdump.yaml")
    return TextdumpLexicon(
        stopwords=frozenset(w.lower() for w in raw["stopwords"]),
        chrome_words=frozenset(w.lower() for w in raw["chrome_words"]),
        chrome_lines=frozenset(w.lower() for w in raw["chrome_lines"]),
        credit_patterns=tuple(re.compile(p, re.IGNORECASE) for p in raw["credit_patterns"]),
    )
