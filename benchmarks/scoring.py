"""Precision, recall and F1 from counts, and the A/B document split, shared by the benchmarks."""

from __future__ import annotations

import hashlib


class PrecisionRecall:
    """Mixin: ``precision``, ``recall`` and ``f1`` from ``prf_counts()``."""

    def prf_counts(self) -> tuple[int, int, int]:
        """(matched, predicted, gold)."""
        raise NotImplementedError

    @property
    def precision(self) -> float:
        matched, predicted, _ = self.prf_counts()
        return matched / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        matched, _, gold = self.prf_counts()
        return matched / gold if gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def half_of(key: str) -> str:
    """The half, "A" (tune) or "B" (held out), a document falls in, by a stable hash of its id.

    "A" when the first byte of sha1(key as UTF-8) is even, else "B": the same rule in
    every script and run, independent of order, corpus size and Python's hash seed.
    """
    return "A" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "B"
