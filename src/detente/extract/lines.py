"""Line features and the learned body-line classifier for text dumps.

A text dump is a page's visible text, one block per line. Each line gets a
vector of surface features (its own shape, its neighbours' shape, its place in
the page), which a learned classifier turns into the probability that the line
is article body. Two gradient-boosting models are stacked (``data/extract/line_model.npz``,
trained by ``benchmarks/train_lines.py``): the first scores each line from its
own and its neighbours' surface features, the second rescores it from the
first-stage scores of the lines around it. A line's probability is the mean of
the two stages' (``STAGE_BLEND``): the second stage alone sometimes overrules
clear first-stage evidence on pages unlike any it was trained on (a long menu
scored 0.02 by the first stage and 0.94 by the second), and the mean of the two
held up better on every deal of sites to folds (issue 13).
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..data import file_path
from ..errors import ConfigError
from .lexicon import lexicon

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SENT_END = re.compile(r"[.!?…。！？][\"'”’)\]」』]*$")
# Scripts written without spaces: about two characters make a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_QUOTE = re.compile(r"[\"“”]")
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_LINKISH = re.compile(r"@\w|https?:|www\.|\.com\b|#\w", re.IGNORECASE)
_SEPARATORS = re.compile(r"[|•»›·]")
_BYLINE = re.compile(r"^(?:by|written by|posted by)\s", re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|all rights reserved", re.IGNORECASE)
# A headline run into its teaser ("...After CrashA man was..."): teaser lists, not stories.
_GLUED = re.compile(r"[a-z]{2}[.!?’”\"']?[A-Z](?:[a-z]|\s)")
# A story's dateline: "WASHINGTON (AP) — ", "NEW DELHI: ".
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .]*)?\s*(?:\([^)]{1,30}\))?\s*[—–:-]\s")
# A dateline inside a line: a headline and its story's start run together (teaser lists).
_INNER_DATELINE = re.compile(r"\S\s+[A-Z]{3,}(?:\s[A-Z]{2,})*:\s")
_LIST_ITEM = re.compile(r"^(?:[•·▪◦●■*–-]|\d{1,2}[.)])\s")
# An archive or category link with its count: "November (113)".
_COUNT_TAIL = re.compile(r"\(\d+\)$")
_FIRST_LETTER = re.compile(r"[^\W\d_]")

# Own-line features, in order; the context features are derived from some of them.
OWN_FEATURES: tuple[str, ...] = (
    "log_chars", "log_words", "words_ge_8", "words_ge_20", "sent_end", "stop_ratio",
    "cap_ratio", "digit_ratio", "punct_ratio", "comma_rate", "quote", "separators",
    "chrome_ratio", "chrome_line", "byline", "date_like", "linkish", "copyright",
    "duplicate", "upper", "mean_word_len", "says", "short_ratio",
    "glued", "dateline", "inner_dateline", "list_item", "ends_colon", "no_letters",
    "count_tail", "starts_lower",
)
# Own features whose neighbourhood averages are features too.
# "says" and "date_like" nearby mark reader comments ("X says:", then a date, then the comment).
CONTEXT_OF: tuple[str, ...] = (
    "log_words", "sent_end", "stop_ratio", "chrome_ratio", "prose", "says", "date_like",
)
WINDOWS: tuple[int, ...] = (1, 3, 8)
DOC_FEATURES: tuple[str, ...] = (
    "position", "char_position", "rel_words", "log_dist_prose", "in_prose_block",
    "prev_prose", "next_prose", "after_comments", "log_prose_before", "log_prose_after",
    "short_run", "long_run", "long_run_share", "glued_near",
)
# A heading that opens a reader-comment section: what follows is not the article.
_COMMENTS_HEAD = re.compile(
    r"^(?:\d+\s+(?:comments?|responses?|replies|reactions)\b|comments?\s*\(\d+\)|"
    r"(?:leave|post|add|write) a (?:comment|reply)|join the (?:discussion|conversation)|"
    r"(?:show|view|load|read) (?:all )?(?:\d+ )?comments|comments?$|discussion$|"
    r"what do you think\?$)",
    re.IGNORECASE,
)


def feature_names() -> list[str]:
    """Names of the feature vector, in order (stored with the model)."""
    names = list(OWN_FEATURES) + ["prose"]
    for key in CONTEXT_OF:
        for w in WINDOWS:
            names.append(f"ctx{w}_{key}")
    return names + list(DOC_FEATURES)


@dataclass(frozen=True)
class LineShape:
    """Surface facts about one line used by several features."""

    words: int
    sentence_like: bool
    prose: float


_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s]|_")


def word_count(line: str) -> int:
    """Words in ``line``; in scripts written without spaces, about two characters a word."""
    return _words(line)[1]


def _words(line: str) -> tuple[list[str], int]:
    """The spaced words of ``line``, and its word count (``word_count``)."""
    words = _WORD.findall(line)
    unspaced = len(_UNSPACED.findall(line)) if not line.isascii() else 0
    return words, len(words) + unspaced // 2


def _own_features(line: str, duplicate: bool) -> dict[str, float]:
    lex = lexicon()
    words, n_words = _words(line)
    n_chars = len(line)
    lower = line.lower()
    stops = chrome = short = caps = letters = 0
    stopwords, chrome_words = lex.stopwords, lex.chrome_words
    for word in words:
        low = word.lower()
        size = len(word)
        letters += size
        stops += low in stopwords
        chrome += low in chrome_words
        short += size <= 3
        caps += word[0].isupper()
    nw = max(1, n_words)
    nc = max(1, n_chars)
    digits = len(_DIGIT.findall(line))
    # Cheap necessary conditions first: every _DATE branch needs a digit, every _COPYRIGHT
    # and _LINKISH branch one of these substrings (the long regexes are the hot spot).
    date_like = digits > 0 and bool(_DATE.search(line))
    copyright_ = ("©" in line or "(c)" in lower or "all rights reserved" in lower) and bool(
        _COPYRIGHT.search(line))
    linkish = ("@" in line or "#" in line or "http" in lower or "www." in lower
               or ".com" in lower) and bool(_LINKISH.search(line))
    return {
        "log_chars": math.log1p(n_chars),
        "log_words": math.log1p(n_words),
        "words_ge_8": float(n_words >= 8),
        "words_ge_20": float(n_words >= 20),
        "sent_end": float(bool(_SENT_END.search(line))),
        "stop_ratio": stops / nw,
        "short_ratio": short / nw,
        "cap_ratio": caps / nw,
        "digit_ratio": digits / nc,
        "punct_ratio": len(_PUNCT.findall(line)) / nc,
        "comma_rate": line.count(",") / nw,
        "quote": float(bool(_QUOTE.search(line))),
        "separators": float(bool(_SEPARATORS.search(line))),
        "chrome_ratio": chrome / nw,
        "chrome_line": float(lower.strip(" .:!»›") in lex.chrome_lines),
        "byline": float(bool(_BYLINE.match(line))),
        "date_like": float(date_like),
        "linkish": float(linkish),
        "copyright": float(copyright_),
        "duplicate": float(duplicate),
        "upper": float(n_words >= 2 and line.upper() == line and any(c.isalpha() for c in line)),
        "mean_word_len": min(12.0, letters / nw) / 12.0,
        "says": float(lower.rstrip().endswith((" says:", " said:", " wrote:"))),
        **_shape_features(line, n_words),
    }


def _shape_features(line: str, n_words: int) -> dict[str, float]:
    """Shapes of story parts (datelines, list items) and of chrome (teasers, counts)."""
    # Cheap necessary conditions before each regex (this runs on every line).
    first = _FIRST_LETTER.search(line)
    head = line[:1]
    return {
        "glued": float(bool(_GLUED.search(line))),
        "dateline": float(head.isupper() and bool(_DATELINE.match(line))),
        "inner_dateline": float(n_words >= 8 and ": " in line and bool(_INNER_DATELINE.search(line))),
        "list_item": float(not head.isalpha() and bool(_LIST_ITEM.match(line))),
        "ends_colon": float(line.endswith(":")),
        "no_letters": float(first is None),
        "count_tail": float(line.endswith(")") and bool(_COUNT_TAIL.search(line))),
        "starts_lower": float(first is not None and first.group().islower()),
    }


def _prose_score(own: dict[str, float]) -> float:
    """A hand-made 0..1 'reads like a paragraph' score used for context features."""
    words = math.expm1(own["log_words"])
    function_words = max(own["stop_ratio"] * 3, own["short_ratio"] * 1.5)
    score = min(1.0, words / 25.0) * 0.5 + own["sent_end"] * 0.25 + min(1.0, function_words) * 0.25
    return score * (1.0 - min(1.0, own["chrome_ratio"] * 2))


def window_means(values: np.ndarray, w: int) -> np.ndarray:
    """Mean of each value's neighbours within ``w`` lines on either side (self excluded)."""
    n = len(values)
    csum = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(n)
    lo = np.maximum(0, idx - w)
    hi = np.minimum(n, idx + w + 1)
    count = hi - lo - 1
    total = csum[hi] - csum[lo] - values
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def _distance_to(mask: np.ndarray) -> np.ndarray:
    """Lines from each line to the nearest line where ``mask`` holds (n when none)."""
    n = len(mask)
    dist = np.full(n, float(n))
    last = -n
    for i in range(n):
        if mask[i]:
            last = i
        dist[i] = i - last
    last = 2 * n
    for i in range(n - 1, -1, -1):
        if mask[i]:
            last = i
        dist[i] = min(dist[i], last - i)
    return dist


def line_features(lines: list[str]) -> np.ndarray:
    """The feature matrix of a text dump's lines (columns in ``feature_names`` order)."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    owns = [_own_features(line, counts[line] > 1) for line in lines]
    for own in owns:
        own["prose"] = _prose_score(own)
    n = len(lines)
    if n == 0:
        return np.zeros((0, len(feature_names())))
    own_matrix = np.array([[o[k] for k in OWN_FEATURES] + [o["prose"]] for o in owns])
    cols = [own_matrix]
    for key in CONTEXT_OF:
        column = np.array([o[key] for o in owns])
        cols.extend(window_means(column, w)[:, None] for w in WINDOWS)
    prose = own_matrix[:, -1]
    log_words = own_matrix[:, OWN_FEATURES.index("log_words")]
    chars = np.array([len(line) for line in lines], dtype=float)
    block = _prose_block(prose, log_words)
    idx = np.arange(n)
    doc = np.column_stack([
        idx / max(1, n - 1),
        (np.cumsum(chars) - chars) / max(1.0, chars.sum()),
        log_words / max(1e-9, log_words.max()),
        np.log1p(_distance_to(prose >= 0.75)),
        ((idx >= block[0]) & (idx <= block[1])).astype(float),
        np.concatenate([[0.0], prose[:-1]]),
        np.concatenate([prose[1:], [0.0]]),
        _after_comments(lines, block[0]),
        np.log1p(_distance_before(prose >= 0.75)),
        np.log1p(_distance_after(prose >= 0.75)),
        *_run_structure(log_words),
        window_means(own_matrix[:, OWN_FEATURES.index("glued")], 3),
    ])
    cols.append(doc)
    return np.hstack(cols)


_LONG = math.log1p(8)  # a "long" line has 8+ words


def _run_structure(log_words: np.ndarray) -> list[np.ndarray]:
    """Per line: the length (log) of the run of short lines it sits in (0 for a long
    line), of the run of long lines it sits in (0 for a short line), and that long
    run's words over the page's largest long run's.

    A menu is a long run of short lines, a subhead or a one-line list between
    paragraphs a short one; a story is the page's largest run of long lines.
    """
    long = log_words >= _LONG
    run_id = np.concatenate([[0], np.cumsum(long[1:] != long[:-1])])
    sizes = np.bincount(run_id).astype(float)
    words = np.bincount(run_id, weights=np.expm1(log_words))
    size = sizes[run_id]
    long_words = np.where(long, words[run_id], 0.0)
    top = max(1.0, float(long_words.max(initial=0.0)))
    return [
        np.where(long, 0.0, np.log1p(size)),
        np.where(long, np.log1p(size), 0.0),
        long_words / top,
    ]


def _distance_before(mask: np.ndarray) -> np.ndarray:
    """Lines back from each line to the nearest earlier line where ``mask`` holds (n when none)."""
    n = len(mask)
    out = np.full(n, float(n))
    last = -1
    for i in range(n):
        if last >= 0:
            out[i] = i - last
        if mask[i]:
            last = i
    return out


def _distance_after(mask: np.ndarray) -> np.ndarray:
    """Lines on from each line to the nearest later line where ``mask`` holds (n when none)."""
    return _distance_before(mask[::-1])[::-1].copy()


def _after_comments(lines: list[str], start: int) -> np.ndarray:
    """1 from the first comment-section heading after ``start`` on (0 before), per line."""
    out = np.zeros(len(lines))
    for i in range(max(0, start + 1), len(lines)):
        line = lines[i]
        if len(line) < 60 and _COMMENTS_HEAD.match(line):
            out[i:] = 1.0
            break
    return out


def _prose_block(prose: np.ndarray, log_words: np.ndarray) -> tuple[int, int]:
    """The run of lines with the most prose (maximum-sum subarray of prose - 0.4)."""
    return best_window(((prose - 0.4) * (1.0 + log_words)).tolist())


def best_window(gains: list[float]) -> tuple[int, int]:
    """Maximum-sum contiguous run of ``gains`` as inclusive (start, end); (-1, -1) if none > 0."""
    best, best_span = 0.0, (-1, -1)
    run, start = 0.0, 0
    for i, gain in enumerate(gains):
        if run <= 0:
            run, start = gain, i
        else:
            run += gain
        if run > best:
            best, best_span = run, (start, i)
    return best_span


SEQUENCE_OWN: tuple[str, ...] = ("log_words", "sent_end", "prose", "chrome_line", "says", "date_like")


def sequence_features(p: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Second-stage features: each line's first-stage P(body) beside its neighbours'.

    The body is mostly one contiguous run of lines, so a line's neighbours' scores
    and its place relative to the best-scoring run say much about it; so does the
    run of likely lines it sits in (its mass against the largest run's, its order:
    reader comments and link lists often form runs of their own after the story).
    """
    n = len(p)
    if n == 0:
        return np.zeros((0, 22 + len(SEQUENCE_OWN)))
    names = feature_names()
    own = features[:, [names.index(k) for k in SEQUENCE_OWN]]
    log_words = features[:, names.index("log_words")]
    start, end = best_window(((p - 0.5) * (1.0 + log_words)).tolist())
    idx = np.arange(n)
    inside = (idx >= start) & (idx <= end) if start >= 0 else np.zeros(n, dtype=bool)
    mass = np.cumsum(p * log_words)
    total = max(1e-9, float(mass[-1]))
    padded = np.concatenate([np.zeros(3), p, np.zeros(3)])
    prev_max = np.max(np.stack([padded[i : i + n] for i in range(3)]), axis=0)
    next_max = np.max(np.stack([padded[i + 4 : i + 4 + n] for i in range(3)]), axis=0)
    span = max(1, end - start)
    cols = [
        p, window_means(p, 1), window_means(p, 2), window_means(p, 4), window_means(p, 8),
        np.concatenate([[0.0], p[:-1]]), np.concatenate([p[1:], [0.0]]), prev_max, next_max,
        inside.astype(float), np.log1p(_distance_to(inside)),
        np.where(inside, (idx - start) / span, -1.0), (mass - p * log_words) / total,
        np.full(n, float(p.max())), np.full(n, float(inside.sum()) / n),
        np.full(n, float(np.log1p(n))),
        window_means(p, 16),
        np.log1p(_distance_before(p >= 0.5)), np.log1p(_distance_after(p >= 0.5)),
        *_run_features(p, log_words),
    ]
    return np.column_stack([*cols, own])


def _run_features(p: np.ndarray, log_words: np.ndarray, gap: int = 2) -> list[np.ndarray]:
    """Per line: its run's mass over the largest run's, the run's order (log), first run or not.

    A run is a stretch of lines with P >= 0.5, gaps of up to ``gap`` lines bridged; a line
    outside every run gets 0, -1 and 0.
    """
    n = len(p)
    run_of = np.full(n, -1)
    masses: list[float] = []
    last = -1
    for i in np.flatnonzero(p >= 0.5).tolist():
        if masses and i - last <= gap + 1:
            run_of[last + 1 : i] = len(masses) - 1  # the bridged gap
        else:
            masses.append(0.0)
        run_of[i] = len(masses) - 1
        masses[-1] += float(p[i] * (1.0 + log_words[i]))
        last = i
    if not masses:
        return [np.zeros(n), np.full(n, -1.0), np.zeros(n)]
    mass = np.array(masses)
    inside = run_of >= 0
    share = np.where(inside, mass[np.maximum(run_of, 0)] / max(1e-9, float(mass.max())), 0.0)
    order = np.where(inside, np.log1p(np.maximum(run_of, 0)), -1.0)
    return [share, order, (run_of == 0).astype(float)]


class LineScorer(Protocol):
    """Anything that gives each line of a dump its probability of being body."""

    def probabilities(self, lines: list[str]) -> np.ndarray:
        """P(body) of each line."""
        ...


@dataclass(frozen=True)
class _Walk:
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    order: np.ndarray  # tree indices, deepest first
    active: list[int]  # per step: how many trees (in ``order``) are still walking


@dataclass(frozen=True)
class TreeEnsemble:
    """A binary gradient-boosted tree ensemble as flat node arrays (evaluated with numpy).

    Node ``k`` of any tree sends a row left when ``x[feature[k]] <= threshold[k]``;
    the raw score is ``baseline`` plus the leaf values, P = logistic(raw score).
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    is_leaf: np.ndarray
    roots: np.ndarray
    baseline: float
    depth: int

    def predict(self, x: np.ndarray) -> np.ndarray:
        """P(class 1) of each row of ``x``."""
        n, width = x.shape
        walk = self._walk
        flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
        offset = (np.arange(n) * width)[None, :]
        node = np.repeat(self.roots[walk.order, None], n, axis=1)  # deepest trees first
        for active in walk.active:  # step k moves only the trees deeper than k
            at = node[:active]
            go_left = flat[offset + walk.feature[at]] <= walk.threshold[at]
            node[:active] = np.where(go_left, walk.left[at], walk.right[at])
        leaves = np.empty_like(node)
        leaves[walk.order] = node  # the trees' own order: the sum below is bit for bit the same
        raw = self.baseline + self.value[leaves].sum(axis=0)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(raw, -30.0, 30.0))))

    @functools.cached_property
    def _walk(self) -> _Walk:
        """The arrays ``predict`` walks, made once: leaves loop to themselves (+inf threshold),
        and the trees are ordered by depth so that each step skips the trees done."""
        nodes = np.arange(len(self.feature))
        depths = np.array([self._tree_depth(int(root)) for root in self.roots])
        order = np.argsort(-depths, kind="stable")
        return _Walk(
            feature=np.where(self.is_leaf, 0, self.feature),
            threshold=np.where(self.is_leaf, np.inf, self.threshold),
            left=np.where(self.is_leaf, nodes, self.left),
            right=np.where(self.is_leaf, nodes, self.right),
            order=order,
            active=[int((depths > step).sum()) for step in range(int(depths.max(initial=0)))],
        )

    def _tree_depth(self, root: int) -> int:
        deepest, stack = 0, [(root, 0)]
        while stack:
            node, depth = stack.pop()
            deepest = max(deepest, depth)
            if not self.is_leaf[node]:
                stack += [(int(self.left[node]), depth + 1), (int(self.right[node]), depth + 1)]
        return deepest

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The ensemble as named arrays (for ``numpy.savez``)."""
        return {
            f"{prefix}_{name}": np.asarray(getattr(self, name))
            for name in ("feature", "threshold", "left", "right", "value", "is_leaf", "roots")
        } | {f"{prefix}_meta": np.array([self.baseline, float(self.depth)])}

    @classmethod
    def from_arrays(cls, data: Any, prefix: str) -> TreeEnsemble:
        """The ensemble stored by ``arrays``."""
        meta = data[f"{prefix}_meta"]
        return cls(
            feature=data[f"{prefix}_feature"], threshold=data[f"{prefix}_threshold"],
            left=data[f"{prefix}_left"], right=data[f"{prefix}_right"],
            value=data[f"{prefix}_value"], is_leaf=data[f"{prefix}_is_leaf"].astype(bool),
            roots=data[f"{prefix}_roots"], baseline=float(meta[0]), depth=int(meta[1]),
        )


# The weight of the first stage's score in a line's probability (the second's is the rest).
STAGE_BLEND = 0.5


@dataclass(frozen=True)
class LineClassifier:
    """Two stacked tree ensembles: line features, then sequence features; a line's
    probability is the mean of the two stages' (``STAGE_BLEND``)."""

    stage1: TreeEnsemble
    stage2: TreeEnsemble

    def probabilities(self, lines: list[str]) -> np.ndarray:
        """P(body) of each line of a text dump."""
        if not lines:
            return np.zeros(0)
        features = line_features(lines)
        p1 = self.stage1.predict(features)
        p2 = self.stage2.predict(sequence_features(p1, features))
        return np.asarray(STAGE_BLEND * p1 + (1.0 - STAGE_BLEND) * p2)


MODEL_FILE = "extract/line_model.npz"


@functools.lru_cache(maxsize=1)
def default_classifier() -> LineClassifier:
    """The shipped classifier (``data/extract/line_model.npz``, from train_lines.py)."""
    with file_path(MODEL_FILE) as path:
        data = dict(np.load(path, allow_pickle=False))
    if data["feature_names"].tolist() != feature_names():
        raise ConfigError(
            f"{MODEL_FILE} was trained on other line features: "
            "rerun benchmarks/train_lines.py"
        )
    return LineClassifier(
        stage1=TreeEnsemble.from_arrays(data, "stage1"),
        stage2=TreeEnsemble.from_arrays(data, "stage2"),
    )
