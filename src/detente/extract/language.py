"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

import functools
import re

# Below this many letters the identifier guesses: keep the English default.
MIN_LETTERS = 40
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of ``text``'s language; ``default`` when too short to tell."""
    if len(_LETTER.findall(text[:2000])) < MIN_LETTERS:
        return default
    lang, prob = _identifier().classify(text[:5000])
    return str(lang) if prob >= 0.5 else default
