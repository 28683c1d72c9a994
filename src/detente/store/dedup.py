"""Near-duplicate detection: MinHash over word shingles, banded for LSH look-up.

Two articles whose bodies share most of their 5-word shingles (estimated
Jaccard similarity >= ``SIMILAR``) belong to one story cluster: syndicated
copies, copies under another URL or headline, light rewrites.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 4 rows a band: a pair at 0.7 is a candidate 99% of the time
SHINGLE_WORDS = 5
# Estimated Jaccard at or above which two articles are one story: syndicated copies and
# light rewrites score 0.8-1.0; templated but distinct reports (daily strike
# summaries) score about 0.5.
SIMILAR = 0.7

_WORD = re.compile(r"\w+", re.UNICODE)
_RNG = np.random.default_rng(20220128)  # fixed: signatures must agree across processes and runs
_A = (_RNG.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)).reshape(-1, 1)
_B = _RNG.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64).reshape(-1, 1)

Signature = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class ClusterMatch:
    """The stored article most similar to a new one."""

    article_id: int
    cluster_id: int
    similarity: float


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word n-grams of ``text`` (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def signature(text: str) -> Signature:
    """The MinHash signature of ``text``: ``NUM_PERM`` uint32 minima."""
    grams = shingles(text)
    if not grams:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    hashed = np.fromiter((zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64)
    # Multiply-shift hashing: (a*x + b) mod 2^64, top 32 bits; uint64 wraps on purpose.
    with np.errstate(over="ignore"):
        mixed = (_A * hashed.reshape(1, -1) + _B) >> np.uint64(32)
    minima: Signature = mixed.min(axis=1).astype(np.uint32)
    return minima


def to_blob(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def band_keys(sig: Signature) -> list[int]:
    """One signed 63-bit key per LSH band (band number included)."""
    raw = sig.astype("<u4").tobytes()
    width = ROWS * 4
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(bytes([band]) + raw[band * width : (band + 1) * width], digest_size=8)
        keys.append(int.from_bytes(digest.digest(), "little", signed=True) >> 1)
    return keys


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.mean(a == b))
