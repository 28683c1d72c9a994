"""The scrapinghub article-extraction-benchmark body metric, as upstream defines it.

Upstream: ``scrapinghub/article-extraction-benchmark`` ``evaluate.py``.

- Tokens are ``\\w+`` runs (Unicode, case kept: upstream does not lowercase).
- Shingles are 4-token n-grams counted as a multiset; a text with fewer than
  4 tokens gives one shorter shingle; an empty text gives none.
- Per document: tp = shared shingles (min of counts), fp = predicted-only,
  fn = gold-only; the three are divided by their sum so that long pages weigh
  no more than short ones.
- Over a corpus the normalised tp, fp and fn are summed and precision, recall
  and F1 are computed from the sums (upstream's figure). An empty prediction for
  a non-empty gold body thus adds 1 to fn and nothing to tp or fp: it costs
  recall, not precision.
- We also report the plain mean of per-document F1 (``f1_doc_mean``), where an
  empty prediction for a non-empty gold body scores precision 0, recall 0, F1 0.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)
NGRAM = 4


@dataclass(frozen=True)
class DocScore:
    """One document's normalised counts and its own precision/recall/F1."""

    tp: float
    fp: float
    fn: float
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class CorpusScore:
    """Upstream's corpus figures plus the mean of per-document F1."""

    precision: float
    recall: float
    f1: float
    f1_doc_mean: float
    n: int


def shingles(text: str, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles of ``text`` (upstream tokenisation)."""
    tokens = _TOKEN.findall(text)
    out: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    if fp == fn == 0:
        return 1.0, 1.0, 1.0
    precision = 0.0 if tp == fp == 0 else tp / (tp + fp)
    recall = 0.0 if tp == fn == 0 else tp / (tp + fn)
    f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def score_document(pred: str, gold: str) -> DocScore:
    """Shingle match of one predicted body against its gold body."""
    true_sh, pred_sh = shingles(gold), shingles(pred)
    tp = fp = fn = 0.0
    for key in true_sh.keys() | pred_sh.keys():
        t, p = true_sh.get(key, 0), pred_sh.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    precision, recall, f1 = _prf(tp, fp, fn)
    return DocScore(tp, fp, fn, precision, recall, f1)


def score_corpus(scores: Iterable[DocScore]) -> CorpusScore:
    """Upstream corpus precision/recall/F1 from summed normalised counts."""
    items = list(scores)
    tp = sum(s.tp for s in items)
    fp = sum(s.fp for s in items)
    fn = sum(s.fn for s in items)
    precision, recall, f1 = _prf(tp, fp, fn)
    mean_f1 = sum(s.f1 for s in items) / len(items) if items else 0.0
    return CorpusScore(precision, recall, f1, mean_f1, len(items))
