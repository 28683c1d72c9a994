"""Gold gates: body extraction on the scrapinghub pages (HTML) and their text dumps.

Floors in tests/floors/extraction.json (set a little below the measured figures;
they only go up). The figure is the one ``benchmarks/extraction.py`` prints:
each page is extracted by a line model trained on other sites' pages only (5-fold
cross-validation grouped by site).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, shared_path

sys.path.insert(0, str(ROOT / "benchmarks"))

FLOORS = json.loads((Path(__file__).parent / "floors/extraction.json").read_text("utf-8"))


@pytest.mark.gold
@pytest.mark.slow
def test_textdump_body_cv_meets_floors() -> None:
    path = shared_path("gold", "extraction", "scrapinghub", "textdumps.jsonl")
    from extraction import score_textdumps_cv
    from train_lines import load_pages

    run = score_textdumps_cv(load_pages(path))
    floors = FLOORS["textdump_cv"]
    assert run.score.f1 >= floors["f1"], run
    assert run.score.precision >= floors["precision"], run
    assert run.score.recall >= floors["recall"], run


@pytest.mark.gold
@pytest.mark.slow
def test_html_body_meets_floors() -> None:
    gold = shared_path("gold", "extraction", "scrapinghub")
    from extraction import score_html

    ours = score_html(gold, anchor=False)[0]
    floors = FLOORS["html"]
    assert ours.score.f1 >= floors["f1"], ours
    assert ours.score.precision >= floors["precision"], ours
    assert ours.score.recall >= floors["recall"], ours


def test_metric_matches_upstream_definition() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from extraction_metric import score_corpus, score_document

    perfect = score_document("one two three four five", "one two three four five")
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    empty = score_document("", "one two three four five")
    assert (empty.tp, empty.fp, empty.fn) == (0.0, 0.0, 1.0)
    half = score_document("a b c d e f", "a b c d x y")
    assert half.tp == pytest.approx(1 / 5)
    corpus = score_corpus([perfect, empty])
    assert corpus.precision == 1.0
    assert corpus.recall == pytest.approx(0.5)
    assert corpus.f1_doc_mean == pytest.approx(0.5)
