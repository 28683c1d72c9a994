"""The escalation index of a dyad, its robust baseline and the score against it.

For a dyad and a period *p*::

    C_p = sum over the independent stories s reporting the dyad's conflict events in p
          (quads 3 and 4) of max |intensity| of those events in s
    K_p = the same over its cooperation events (quads 1 and 2)
    T_p = the distinct stories of the whole corpus published in p
    index_p = 100 * (C_p - K_p) / T_p

A story is a cluster of near-duplicate articles, so fifty outlets copying one wire story
add one story, not fifty (echo). Dividing by the corpus's stories in the period corrects
for volume: a news day twice as big doubles C, K and T alike. Positive is conflict, negative
is cooperation; the unit is "intensity points per hundred stories of the corpus".

The baseline is the dyad's own recent past: over the ``window`` periods before p (12 by
default), ``baseline_p`` = their median (robust: a past burst does not drag it), and::

    floor_p = 100 * floor_weight / median(T over the same window)
    scale_p = max(1.4826 * median(|index - baseline_p|), floor_p)
    z_p = (index_p - baseline_p) / scale_p

The floor (``floor_weight`` = 12 intensity points, about two strong stories, at the
corpus's usual volume) keeps a dyad with a flat or empty past from alerting on one or two
stories; it is taken at the usual volume, not this period's, so that a big news week does
not lower the bar. ``z`` is undefined (NaN) until the dyad has ``min_history`` periods
the corpus covers behind it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its standard deviation


@dataclass(frozen=True)
class IndexSettings:
    """How the index is scaled and its baseline taken."""

    window: int = 12  # past periods in the baseline
    min_history: int = 6  # periods needed before a score is given
    floor_weight: float = 12.0  # the smallest scale, in intensity points (see module doc)
    per: float = 100.0  # the index is per this many corpus stories


DEFAULT = IndexSettings()


def escalation_index(
    conflict: pd.Series, cooperation: pd.Series, total_stories: pd.Series,
    settings: IndexSettings = DEFAULT,
) -> pd.Series:
    """``per * (conflict - cooperation) / total_stories``; 0 where the corpus has no story."""
    total = total_stories.astype(float)
    raw = settings.per * (conflict.astype(float) - cooperation.astype(float))
    return (raw / total.where(total > 0)).fillna(0.0)


@dataclass(frozen=True)
class Scores:
    """The baseline, scale and score of each period of one series (numpy arrays).

    ``scale`` is the one ``z`` divides by: ``max(1.4826 * MAD, floor)``.
    """

    baseline: np.ndarray
    scale: np.ndarray
    z: np.ndarray


def score(
    index: np.ndarray, total_stories: np.ndarray, settings: IndexSettings = DEFAULT
) -> Scores:
    """The robust baseline of each period from the ``window`` periods before it, and z.

    ``index`` and ``total_stories`` are one series (1-D), or several of equal length
    (2-D, one a row: each scored on its own past, all at once).
    """
    total = np.asarray(total_stories, dtype=float)
    # A period the corpus does not cover is no observation of the dyad's past.
    values = np.where(total > 0, np.asarray(index, dtype=float), np.nan)
    past = _past(values, settings.window)
    history = np.sum(~np.isnan(past), axis=-1)
    enough = history >= settings.min_history
    baseline = np.full(values.shape, np.nan)
    scale = np.full(values.shape, np.nan)
    usual = np.full(values.shape, np.nan)
    if enough.any():
        rows = past[enough]
        med = np.nanmedian(rows, axis=1)
        baseline[enough] = med
        scale[enough] = MAD_TO_SD * np.nanmedian(np.abs(rows - med[:, None]), axis=1)
        usual[enough] = np.nanmedian(_past(np.where(total > 0, total, np.nan), settings.window)[enough],
                                     axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = settings.per * settings.floor_weight / usual
        scale = np.where(enough, np.maximum(np.nan_to_num(scale, nan=0.0), floor), np.nan)
        z = (values - baseline) / scale
    return Scores(baseline, scale, z)


def _past(values: np.ndarray, window: int) -> np.ndarray:
    """At position i (of the last axis): the ``window`` values before it (NaN before the
    start), as a new last axis."""
    padded = np.concatenate([np.full((*values.shape[:-1], window), np.nan), values], axis=-1)
    view = np.lib.stride_tricks.sliding_window_view(padded, window, axis=-1)
    return view[..., : values.shape[-1], :]
