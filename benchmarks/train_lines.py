"""Train the text-dump body-line classifier shipped in src/detente/data/extract/.

    .venv/bin/python benchmarks/train_lines.py          # train on all pages, write the model
    .venv/bin/python benchmarks/train_lines.py --cv     # also print the 5-fold CV-by-site figure

Training data: ``../shared/gold/extraction/scrapinghub/textdumps.jsonl``. A dump
line is labelled body when its ``\\w+`` tokens (as the benchmark's metric reads
text) run in the page's gold body, and it is either at least five words long and
not a second copy of text an earlier line matched, or lies between the first and
last long (8+ words) matched lines (``line_labels``; words in scripts without
spaces are about two characters). Only these labels come from the gold set: the
model's inputs are surface features of the dump (``detente.extract.lines``),
never gold strings.

Cross-validation (``folds``) is by site: a page's lines are scored only by
models trained on pages of other sites, so a site's page template never helps
score its own pages. A page's site is its URL's host, lower-cased, a leading
``www.`` dropped (``site_of``); a page with no URL is a site of its own. The
stacked second stage is trained on out-of-fold first-stage scores of the
training pages, the inner folds grouped by site too, so no model ever sees the
page it scores or another page of its site.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from detente.extract.lines import (
    MODEL_FILE,
    LineClassifier,
    TreeEnsemble,
    feature_names,
    line_features,
    sequence_features,
    word_count,
)
from detente.extract.textdump import split_lines

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEXTDUMPS = SHARED / "gold/extraction/scrapinghub/textdumps.jsonl"
MODEL_PATH = ROOT / "src/detente/data" / MODEL_FILE
_TOKEN = re.compile(r"\w+")


@dataclass
class Page:
    """One gold page: its dump lines, their features and labels, and the gold body."""

    id: str
    text: str
    lines: list[str]
    features: np.ndarray
    labels: np.ndarray
    gold: str
    site: str = ""


def site_of(url: str | None, page_id: str) -> str:
    """The site a page belongs to: its URL's host, lower-cased, without a leading ``www.``;
    a page with no URL (or no host in it) is a site of its own, ``page:<id>``."""
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.lower().removeprefix("www.")
    return host or f"page:{page_id}"


def load_pages(path: Path = TEXTDUMPS) -> list[Page]:
    """The gold text dumps with line features and derived line labels."""
    pages = []
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            row = json.loads(raw)
            lines = split_lines(row["text"])
            gold = row["gold"]["body"]
            pages.append(
                Page(row["id"], row["text"], lines, line_features(lines), line_labels(lines, gold), gold,
                     site_of(row.get("url"), row["id"]))
            )
    return pages


def line_labels(lines: list[str], gold: str) -> np.ndarray:
    """1 for a dump line that is part of the gold body, else 0.

    Texts are compared as the benchmark's metric reads them, as runs of ``\\w+``
    tokens (a link's text set off by spaces in the gold body still matches). A line
    of 5+ words (``word_count``: scripts without spaces count about two characters
    a word) is body where its tokens are in the gold body at a place no earlier line
    took: a second copy of the story (a summary, a meta description that repeats it)
    is not body. A shorter line is body where its tokens are in the gold body and it
    lies between the first and last long (8+ words) body lines.
    """
    norm_gold = f" {_tokens(gold)} "
    taken = np.zeros(len(norm_gold) + 1, dtype=bool)
    words = [word_count(line) for line in lines]
    norm = [f" {_tokens(line)} " for line in lines]
    inside = [len(n) > 2 and n in norm_gold for n in norm]
    fresh = [inside[i] and words[i] >= 5 and _take(norm_gold, norm[i], taken)
             for i in range(len(lines))]
    long_hits = [i for i in range(len(lines)) if fresh[i] and words[i] >= 8]
    first, last = (long_hits[0], long_hits[-1]) if long_hits else (0, -1)
    return np.array(
        [int(fresh[i] or (inside[i] and words[i] < 5 and first <= i <= last))
         for i in range(len(lines))]
    )


def _tokens(text: str) -> str:
    """``text`` as its ``\\w+`` tokens joined by single spaces."""
    return " ".join(_TOKEN.findall(text))


def _take(gold: str, line: str, taken: np.ndarray) -> bool:
    """Mark the first place of ``line`` in ``gold`` mostly untaken by earlier lines as taken;
    False where every place of it is already mostly taken."""
    start = gold.find(line)
    while start >= 0:
        end = start + len(line)
        if taken[start:end].mean() < 0.5:
            taken[start:end] = True
            return True
        start = gold.find(line, start + 1)
    return False


# Small ensembles keep extraction fast (trees are walked with numpy at run time).
STAGE1 = {"max_iter": 100, "max_leaf_nodes": 24, "learning_rate": 0.12}
STAGE2 = {"max_iter": 60, "max_leaf_nodes": 15, "learning_rate": 0.15}


def _booster(params: dict[str, float], seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        **params, l2_regularization=1.0, early_stopping=False, random_state=seed
    )


def site_groups(pages: list[Page]) -> np.ndarray:
    """Each page's site as a group number (first-seen order)."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(p.site or f"page:{p.id}", len(numbers)) for p in pages])


def _stack(pages: list[Page]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lines of all pages: features, labels, page number and site group of each line."""
    x = np.vstack([p.features for p in pages])
    y = np.concatenate([p.labels for p in pages])
    page = np.concatenate([[k] * len(p.lines) for k, p in enumerate(pages)])
    return x, y, page, site_groups(pages)[page]


def fit_classifier(pages: list[Page], inner_folds: int = 4) -> LineClassifier:
    """Train both stages on ``pages``; stage 2 learns from out-of-fold stage-1 scores."""
    x, y, page, site = _stack(pages)
    oof = np.zeros(len(y))
    # One thread: OpenMP spinning on a shared machine makes more threads far slower.
    with threadpool_limits(limits=1):
        for train, test in GroupKFold(inner_folds).split(x, y, site):
            oof[test] = _booster(STAGE1).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        stage1 = _booster(STAGE1).fit(x, y)
        seq = np.vstack(
            [sequence_features(oof[page == k], p.features) for k, p in enumerate(pages)]
        )
        stage2 = _booster(STAGE2, seed=1).fit(seq, y)
    return LineClassifier(stage1=to_ensemble(stage1), stage2=to_ensemble(stage2))


def to_ensemble(model: HistGradientBoostingClassifier) -> TreeEnsemble:
    """A fitted binary HistGradientBoostingClassifier as flat node arrays."""
    trees = [predictors[0].nodes for predictors in model._predictors]
    offsets = np.cumsum([0] + [len(t) for t in trees[:-1]])
    nodes = np.concatenate(trees)
    shift = np.concatenate([np.full(len(t), off) for t, off in zip(trees, offsets, strict=True)])
    return TreeEnsemble(
        feature=nodes["feature_idx"].astype(np.int32),
        threshold=nodes["num_threshold"].astype(np.float64),
        left=(nodes["left"] + shift).astype(np.int32),
        right=(nodes["right"] + shift).astype(np.int32),
        value=nodes["value"].astype(np.float64),
        is_leaf=nodes["is_leaf"].astype(bool),
        roots=offsets.astype(np.int32),
        baseline=float(np.ravel(model._baseline_prediction)[0]),
        depth=int(nodes["depth"].max()),
    )


def folds(
    pages: list[Page], k: int = 5, shuffle_seed: int | None = None
) -> Iterator[tuple[list[int], LineClassifier]]:
    """(held-out page indices, classifier trained on the pages of the other sites) per fold.

    ``GroupKFold`` by site: no site has pages on both sides of a fold. With
    ``shuffle_seed`` the sites are dealt to the folds in another (seeded) order: the
    spread of the figure over such deals shows how much of it is the deal's luck.
    """
    index = np.arange(len(pages))
    splitter = GroupKFold(k, shuffle=shuffle_seed is not None, random_state=shuffle_seed)
    for train, test in splitter.split(index, index, site_groups(pages)):
        yield test.tolist(), fit_classifier([pages[i] for i in train])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="print the 5-fold CV-by-site body scores")
    args = parser.parse_args(argv)
    if not TEXTDUMPS.exists():
        print(f"{TEXTDUMPS} is absent: training needs ../shared", file=sys.stderr)
        return 2
    pages = load_pages()
    if args.cv:
        from extraction import score_textdumps_cv  # benchmarks/ is on sys.path when run

        print(score_textdumps_cv(pages))
    classifier = fit_classifier(pages)
    arrays: dict[str, Any] = classifier.stage1.arrays("stage1") | classifier.stage2.arrays("stage2")
    np.savez_compressed(MODEL_PATH, feature_names=np.array(feature_names()), **arrays)
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
