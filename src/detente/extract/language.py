"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

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

    from ..cache import ArraysCodec, cached

    # The shipped model is LZMA-compressed (~0.6 s to open); the opened one is cached,
    # as plain arrays (detente's cache never unpickles).
    version = getattr(py3langid, "__version__", "unknown")
    return cached(f"langid-py3langid{version}",
                  lambda: LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True),
                  ArraysCodec(_to_arrays, _from_arrays))


def _to_arrays(identifier: Any) -> dict[str, Any]:
    """The identifier's model as named numpy arrays (what its constructor takes)."""
    import numpy as np

    nextmove, row = identifier.tk_nextmove, identifier.tk_row
    return {"nb_ptc": identifier.nb_ptc, "nb_pc": identifier.nb_pc,
            "nb_classes": np.array(identifier.nb_classes),
            "tk_nextmove": np.frombuffer(nextmove, dtype=nextmove.typecode),
            "tk_row": np.frombuffer(row, dtype=row.typecode),
            "tk_output": np.array(identifier.tk_output, dtype=np.int64)}


def _from_arrays(arrays: Mapping[str, Any]) -> Any:
    from py3langid.langid import LanguageIdentifier

    # memoryviews index like the model's array.arrays, without copying 40 MB.
    return LanguageIdentifier(arrays["nb_ptc"], arrays["nb_pc"], arrays["nb_classes"].tolist(),
                              memoryview(arrays["tk_nextmove"]), arrays["tk_output"].tolist(),
                              norm_probs=True, tk_row=memoryview(arrays["tk_row"]))


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of ``text``'s language; ``default`` when too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return default
    lang, prob = _identifier().classify(sample)
    return str(lang) if prob >= 0.5 else default
