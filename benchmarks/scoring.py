"""Precision, recall and F1 from counts, shared by the benchmarks."""

from __future__ import annotations


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
