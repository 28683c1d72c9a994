"""Train the text-dump body-line classifier shipped in src/detente/data/extract/.

    .venv/bin/python benchmarks/train_lines.py          # train on all pages, write the model
    .venv/bin/python benchmarks/train_lines.py --cv     # also print the 5-fold CV figure

Training data: ``../shared/gold/extraction/scrapinghub/textdumps.jsonl``. A dump
line is labelled body when its whitespace-normalised text is a substring of the
page's normalised gold body and it is either at least five words long or lies
between the first and last long (8+ words) matched lines. Only these labels come
from the gold set: the model's inputs are surface features of the dump
(``detente.extract.lines``), never gold strings.

Cross-validation (``folds``) is by page: a page's lines are scored only by
models trained on other pages; the stacked second stage is trained on
out-of-fold first-stage scores of the training pages (inner folds), so no model
ever sees the page it scores.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from detente.extract.lines import (
    MODEL_FILE,
    LineClassifier,
    feature_names,
    line_features,
    sequence_features,
)
from detente.extract.textdump import split_lines

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEXTDUMPS = SHARED / "gold/extraction/scrapinghub/textdumps.jsonl"
MODEL_PATH = ROOT / "src/detente/data" / MODEL_FILE
_SPACE = re.compile(r"\s+")


@dataclass
class Page:
    """One gold page: its dump lines, their features and labels, and the gold body."""

    id: str
    text: str
    lines: list[str]
    features: np.ndarray
    labels: np.ndarray
    gold: str


def load_pages(path: Path = TEXTDUMPS) -> list[Page]:
    """The gold text dumps with line features and derived line labels."""
    pages = []
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            row = json.loads(raw)
            lines = split_lines(row["text"])
            gold = row["gold"]["body"]
            pages.append(
                Page(row["id"], row["text"], lines, line_features(lines), _labels(lines, gold), gold)
            )
    return pages


def _labels(lines: list[str], gold: str) -> np.ndarray:
    norm_gold = _SPACE.sub(" ", gold).strip()
    inside = [bool(line) and line in norm_gold for line in lines]
    long_hits = [i for i, line in enumerate(lines) if inside[i] and len(line.split()) >= 8]
    first, last = (long_hits[0], long_hits[-1]) if long_hits else (0, -1)
    return np.array(
        [
            int(inside[i] and (len(line.split()) >= 5 or first <= i <= last))
            for i, line in enumerate(lines)
        ]
    )


def _booster(seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.1, max_leaf_nodes=31, l2_regularization=1.0,
        early_stopping=False, random_state=seed,
    )


def _stack(pages: list[Page]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.vstack([p.features for p in pages])
    y = np.concatenate([p.labels for p in pages])
    groups = np.concatenate([[k] * len(p.lines) for k, p in enumerate(pages)])
    return x, y, groups


def fit_classifier(pages: list[Page], inner_folds: int = 4) -> LineClassifier:
    """Train both stages on ``pages``; stage 2 learns from out-of-fold stage-1 scores."""
    x, y, groups = _stack(pages)
    oof = np.zeros(len(y))
    for train, test in GroupKFold(inner_folds).split(x, y, groups):
        oof[test] = _booster().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    stage1 = _booster().fit(x, y)
    seq = np.vstack(
        [sequence_features(oof[groups == k], p.features) for k, p in enumerate(pages)]
    )
    stage2 = _booster(1).fit(seq, y)
    return LineClassifier(stage1=stage1, stage2=stage2)


def folds(pages: list[Page], k: int = 5) -> Iterator[tuple[list[int], LineClassifier]]:
    """(held-out page indices, classifier trained on the other pages) for each fold."""
    index = np.arange(len(pages))
    for train, test in GroupKFold(k).split(index, index, index):
        yield test.tolist(), fit_classifier([pages[i] for i in train])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="print the 5-fold CV body scores")
    args = parser.parse_args(argv)
    if not TEXTDUMPS.exists():
        print(f"{TEXTDUMPS} is absent: training needs ../shared", file=sys.stderr)
        return 2
    pages = load_pages()
    if args.cv:
        from extraction import score_textdumps_cv  # benchmarks/ is on sys.path when run

        print(score_textdumps_cv(pages))
    classifier = fit_classifier(pages)
    payload = {
        "feature_names": feature_names(),
        "stage1": classifier.stage1,
        "stage2": classifier.stage2,
    }
    joblib.dump(payload, MODEL_PATH, compress=3)
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
