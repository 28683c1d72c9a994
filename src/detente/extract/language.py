"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

import functools
import logging
import re

logger = logging.getLogger(__name__)

# Below this many letters the identifier guesses: keep the English default.
MIN_LETTERS = 40
# The identifier reads this many characters: its cost grows with the length, and a
# thousand characters of prose (150+ words) name the language as surely as the whole page.
SAMPLE_CHARS = 1000
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    import py3langid
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from ..cache import cached

    # The shipped model is LZMA-compressed (~0.6 s to open); the opened one is cached.
    version = getattr(py3langid, "__version__", "unknown")
    return cached(f"langid-py3langid{version}",
                  lambda: LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of ``text``'s language; ``default`` when too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return default
    lang, prob = _identifier().classify(sample)
    return str(lang) if prob >= 0.5 else default
