"""Surface features of text-dump lines (detente.extract.lines), on made-up lines."""

from __future__ import annotations

import numpy as np
import pytest

from detente.extract.lines import (
    STAGE_BLEND,
    LineClassifier,
    TreeEnsemble,
    feature_names,
    line_features,
    word_count,
)


def _column(lines: list[str], name: str) -> list[float]:
    column: list[float] = line_features(lines)[:, feature_names().index(name)].round(3).tolist()
    return column


@pytest.mark.parametrize(
    ("name", "line", "value"),
    [
        ("dateline", "WASHINGTON (AP) — The president said on Tuesday that he would go.", 1.0),
        ("dateline", "NEW DELHI: Home Minister Amit Shah said on Wednesday that it would.", 1.0),
        ("dateline", "Washington is a city where many people live and work every day.", 0.0),
        ("glued", "Two Held After Student's DeathA 24-year-old woman and a man were held.", 1.0),
        ("glued", "A plain sentence about a laptop and nothing else at all here.", 0.0),
        ("inner_dateline", "Schools open again in the valley: Govt NEW DELHI: All schools are open now.",
         1.0),
        ("list_item", "1) The first thing to do", 1.0),
        ("list_item", "• A bullet item", 1.0),
        ("list_item", "12 people were hurt in the crash on Friday.", 0.0),
        ("ends_colon", "In favour of giving now:", 1.0),
        ("no_letters", "5040", 1.0),
        ("no_letters", "Kyle Busch", 0.0),
        ("count_tail", "November (113)", 1.0),
        ("starts_lower", "adote um amigo agua alerta", 1.0),
    ],
)
def test_shape_features(name: str, line: str, value: float) -> None:
    assert _column([line], name) == [value]


def test_runs_of_short_and_long_lines() -> None:
    long_line = "This line has well over eight words in it, so it is long."
    lines = ["Home", "News", "Sport", long_line, long_line + " More.", "Subhead", long_line, "Share"]
    short_run = _column(lines, "short_run")
    long_run = _column(lines, "long_run")
    share = _column(lines, "long_run_share")
    log = np.log1p
    assert short_run == pytest.approx([log(3)] * 3 + [0, 0, log(1), 0, log(1)], abs=1e-3)
    assert long_run == pytest.approx([0, 0, 0, log(2), log(2), 0, log(1), 0], abs=1e-3)
    assert share[3] == share[4] == 1.0
    assert 0 < share[6] < 1.0
    assert share[0] == 0.0


def test_word_count_reads_scripts_without_spaces() -> None:
    assert word_count("Three plain words") == 3
    assert word_count("報道によると今回") == 1 + 8 // 2


def _constant_ensemble(value: float) -> TreeEnsemble:
    """One tree of one leaf: every row gets logistic(value)."""
    return TreeEnsemble(
        feature=np.array([0]), threshold=np.array([0.0]), left=np.array([0]),
        right=np.array([0]), value=np.array([value]), is_leaf=np.array([True]),
        roots=np.array([0]), baseline=0.0, depth=0,
    )


def test_a_lines_probability_is_the_mean_of_both_stages() -> None:
    classifier = LineClassifier(stage1=_constant_ensemble(2.0), stage2=_constant_ensemble(-1.0))
    p1, p2 = 1 / (1 + np.exp(-2.0)), 1 / (1 + np.exp(1.0))
    probs = classifier.probabilities(["Home", "A line of prose that goes on for a while."])
    assert probs == pytest.approx([STAGE_BLEND * p1 + (1 - STAGE_BLEND) * p2] * 2)
    assert STAGE_BLEND == 0.5
    assert classifier.probabilities([]).shape == (0,)
