"""Body-extraction benchmark on ../shared/gold/extraction/scrapinghub/.

    .venv/bin/python benchmarks/extraction.py [--html-only | --textdump-only] [--no-write]
        [--cv-cache FILE] [--cv-reshuffle SEED ...]

(``--textdump-only`` keeps the HTML section already in the results file;
``--cv-reshuffle`` adds CV rows with the sites dealt to the folds in seeded orders.)

HTML (``pages.jsonl``): ``detente.extract.extract_html`` beside plain
``trafilatura.extract`` on the same pages in the same run. Text dumps
(``textdumps.jsonl``): ``detente.extract.extract_textdump`` scored by 5-fold
cross-validation by site (each page's body comes from a line model trained on
the pages of other sites only, a site being the URL's host without ``www.``;
see ``train_lines.py``), plus the speed of the shipped model. No anchor exists
for text dumps (trafilatura and jusText need markup).

Weak page types: each CV page is put in the classes below (a page may be in
several, or in none), and each class's page count, mean per-page F1 and corpus
F1 are printed (with ``--cv-reshuffle``, the mean over all the deals of sites
to folds: one deal's class figures swing with a few pages). The rules read the gold body, split into paragraphs at line
breaks, and the dump's story span (its first to last line labelled body by
``train_lines``):

- one-sentence paragraphs: 5+ paragraphs, at least 3 in 4 of them with at most
  one sentence end (``.``, ``!``, ``?``, ``…`` or a CJK stop, a closing quote or
  bracket allowed after it, then a space or the end);
- lists or tables in the story: a run of 3+ paragraphs each under 8 words with
  no sentence end (list items, table cells), or 3+ paragraphs opening with a
  bullet or an item number (``1.``, ``2)``);
- bylines/datelines in the story: a line of the story span of at most 15 words
  that opens with a byline (by, written by, posted by, reported by, author) or
  holds a date or a clock time, or a gold paragraph that opens with a dateline
  (an upper-case place, an optional ``(Agency)``, then a dash);
- short story: a gold body under 150 words;
- non-Latin script: under half of the gold body's letters are ASCII;
- none of the above.

Metric: the scrapinghub benchmark's own (``extraction_metric.py``): 4-gram
shingles of ``\\w+`` tokens; per page tp/fp/fn normalised to sum 1; corpus
precision/recall/F1 from the summed normalised counts (an empty prediction costs
recall, not precision). The mean of per-page F1 is printed too, where an empty
prediction scores 0. Writes ``benchmarks/results/extraction.md``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from extraction_metric import CorpusScore, DocScore, score_corpus, score_document  # noqa: E402

if TYPE_CHECKING:
    from train_lines import Page

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared/gold/extraction/scrapinghub"
RESULTS = ROOT / "benchmarks/results/extraction.md"


@dataclass(frozen=True)
class RunScore:
    """A system's corpus score and its time per page in milliseconds."""

    name: str
    score: CorpusScore
    ms_mean: float
    ms_median: float
    cpu_ms_median: float = 0.0
    per_page: tuple[DocScore, ...] = field(default=(), repr=False)


def _timed(pairs: list[tuple[str, str]], extract: Callable[[str], str], name: str) -> RunScore:
    scores: list[DocScore] = []
    times: list[float] = []
    cpu: list[float] = []
    for source, gold in pairs:
        t0, c0 = time.perf_counter(), time.process_time()
        pred = extract(source)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        scores.append(score_document(pred, gold))
    return RunScore(
        name, score_corpus(scores), statistics.mean(times), statistics.median(times),
        statistics.median(cpu), tuple(scores),
    )


def load_html_pages(gold: Path = GOLD) -> list[tuple[str, str, str]]:
    """(html, url, gold body) of every page in pages.jsonl."""
    out = []
    with (gold / "pages.jsonl").open(encoding="utf-8") as handle:
        for raw in handle:
            row = json.loads(raw)
            html = gzip.decompress((gold / row["html_file"]).read_bytes()).decode("utf-8", "replace")
            out.append((html, row["url"], row["gold"]["body"]))
    return out


def score_html(gold: Path = GOLD, anchor: bool = True) -> list[RunScore]:
    """detente's HTML extraction and (``anchor``) trafilatura alone on the same pages."""
    import trafilatura

    from detente.extract import extract_html

    pages = load_html_pages(gold)
    urls = {html: url for html, url, _ in pages}
    pairs = [(html, body) for html, _, body in pages]
    ours = _timed(pairs, lambda h: extract_html(h, urls[h]).body, "detente extract_html")
    if not anchor:
        return [ours]
    alone = _timed(pairs, lambda h: trafilatura.extract(h) or "", "trafilatura.extract alone")
    return [ours, alone]


@dataclass(frozen=True)
class FixedScores:
    """Line scores computed earlier by a fold model (replays a CV run's scores)."""

    scores: dict[str, list[float]]

    def probabilities(self, lines: list[str]) -> np.ndarray:
        return np.array(self.scores["\n".join(lines)])


def cv_line_scores(
    pages: list[Page], k: int = 5, cache: Path | None = None, shuffle_seed: int | None = None
) -> FixedScores:
    """Each page's line scores from the fold model that did not train on it.

    With ``cache``, scores saved by an earlier run with the same pages are reused
    (the fold models are deterministic, so the figures are the same). With
    ``shuffle_seed``, the sites are dealt to the folds in a seeded random order.
    """
    from train_lines import folds

    if cache is not None and cache.exists():
        saved: dict[str, list[float]] = json.loads(cache.read_text("utf-8"))
        return FixedScores(saved)
    scores: dict[str, list[float]] = {}
    for held_out, classifier in folds(pages, k, shuffle_seed):
        for i in held_out:
            scores["\n".join(pages[i].lines)] = classifier.probabilities(pages[i].lines).tolist()
    if cache is not None:
        cache.write_text(json.dumps(scores), "utf-8")
    return FixedScores(scores)


def score_textdumps_cv(
    pages: list[Page] | None = None, k: int = 5, cache: Path | None = None,
    shuffle_seed: int | None = None,
) -> RunScore:
    """Text-dump body scores, each page's lines scored by a model not trained on it
    (``shuffle_seed``: sites dealt to the folds in a seeded order, not GroupKFold's own)."""
    from detente.extract import extract_textdump
    from train_lines import load_pages

    pages = pages if pages is not None else load_pages()
    fixed = cv_line_scores(pages, k, cache, shuffle_seed)
    pairs = [(p.text, p.gold) for p in pages]
    run = _timed(pairs, lambda t: extract_textdump(t, classifier=fixed).body, "")
    deal = "" if shuffle_seed is None else f", sites shuffled, seed {shuffle_seed}"
    return RunScore(
        f"detente extract_textdump ({k}-fold CV by site{deal})", run.score, 0.0, 0.0,
        per_page=run.per_page,
    )


_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]」』]*(?=\s|$)")
_WORDS = re.compile(r"\w+")
_BULLET = re.compile(r"^(?:[•·▪◦●■*–-]|\d{1,2}[.)])\s")
_BYLINE = re.compile(r"^(?:by|written by|posted by|reported by|author:?)\s", re.IGNORECASE)
_DATE_OR_TIME = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .]*)?\s*(?:\([^)]{1,30}\))?\s*[—–-]\s")
ONE_SENTENCE = "one-sentence paragraphs"
LISTS = "lists or tables in the story"
BYLINES = "bylines/datelines in the story"
SHORT = "short story (< 150 words)"
NON_LATIN = "non-Latin script"
NO_CLASS = "none of the above"
PAGE_CLASSES = (ONE_SENTENCE, LISTS, BYLINES, SHORT, NON_LATIN, NO_CLASS)


def page_classes(page: Page) -> list[str]:
    """The weak page types ``page`` belongs to (rules in the module docstring)."""
    paragraphs = [p.strip() for p in page.gold.split("\n") if p.strip()]
    out = []
    one = sum(len(_SENTENCE_END.findall(p)) <= 1 for p in paragraphs)
    if len(paragraphs) >= 5 and one >= 0.75 * len(paragraphs):
        out.append(ONE_SENTENCE)
    run = longest = 0
    for p in paragraphs:
        run = run + 1 if len(_WORDS.findall(p)) < 8 and not _SENTENCE_END.search(p) else 0
        longest = max(longest, run)
    if longest >= 3 or sum(bool(_BULLET.match(p)) for p in paragraphs) >= 3:
        out.append(LISTS)
    body = np.flatnonzero(page.labels)
    story = page.lines[body[0] : body[-1] + 1] if len(body) else []
    if any(
        len(_WORDS.findall(line)) <= 15 and (_BYLINE.match(line) or _DATE_OR_TIME.search(line))
        for line in story
    ) or any(_DATELINE.match(p) for p in paragraphs):
        out.append(BYLINES)
    if len(_WORDS.findall(page.gold)) < 150:
        out.append(SHORT)
    letters = [c for c in page.gold if c.isalpha()]
    if sum(c.isascii() for c in letters) < 0.5 * len(letters):
        out.append(NON_LATIN)
    return out or [NO_CLASS]


def weak_classes(pages: list[Page], run: RunScore) -> list[tuple[str, CorpusScore]]:
    """Each page class with the CV scores of its pages (``run`` from ``score_textdumps_cv``)."""
    members: dict[str, list[DocScore]] = {name: [] for name in PAGE_CLASSES}
    for page, doc in zip(pages, run.per_page, strict=True):
        for name in page_classes(page):
            members[name].append(doc)
    return [(name, score_corpus(docs)) for name, docs in members.items()]


def score_textdumps_shipped(gold: Path = GOLD) -> RunScore:
    """The shipped model on all dumps: its speed (its accuracy is in-sample, not a claim)."""
    from detente.extract import extract_textdump

    pairs = []
    with (gold / "textdumps.jsonl").open(encoding="utf-8") as handle:
        for raw in handle:
            row = json.loads(raw)
            pairs.append((row["text"], row["gold"]["body"]))
    extract_textdump(pairs[0][0])  # load the model outside the timing
    return _timed(pairs, lambda t: extract_textdump(t).body, "shipped model (in-sample: speed only)")


def seed_timing(repeat: int = 30) -> str:
    """Median wall and CPU ms to extract the seed article (a typical news page dump)."""
    from detente.extract import extract_textdump

    text = (ROOT / "tests/fixtures/seed-courthouse-2022-01-28.txt").read_text("utf-8")
    extract_textdump(text)
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        extract_textdump(text)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return (
        f"Seed article (tests/fixtures/seed-courthouse-2022-01-28.txt, {repeat} runs): "
        f"median {statistics.median(wall):.1f} ms wall, {statistics.median(cpu):.1f} ms CPU."
    )


def _row(run: RunScore) -> str:
    s = run.score
    ms = (
        f"{run.ms_mean:.1f} | {run.ms_median:.1f} | {run.cpu_ms_median:.1f}"
        if run.ms_mean else "- | - | -"
    )
    return (
        f"| {run.name} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} | "
        f"{s.f1_doc_mean:.3f} | {ms} | {s.n} |"
    )


def mean_classes(pages: list[Page], runs: list[RunScore]) -> list[tuple[str, CorpusScore]]:
    """``weak_classes`` of each run (each deal of sites to folds), averaged field by field:
    one deal's class figures swing with a few pages, the mean over deals less."""
    per_run = [weak_classes(pages, run) for run in runs]
    out = []
    for k, (name, first) in enumerate(per_run[0]):
        scores = [classes[k][1] for classes in per_run]
        out.append((name, CorpusScore(
            precision=statistics.mean(s.precision for s in scores),
            recall=statistics.mean(s.recall for s in scores),
            f1=statistics.mean(s.f1 for s in scores),
            f1_doc_mean=statistics.mean(s.f1_doc_mean for s in scores),
            n=first.n,
        )))
    return out


def _classes_table(classes: list[tuple[str, CorpusScore]]) -> list[str]:
    rows = [
        "| page class | pages | mean per-page F1 | F1 | precision | recall |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, s in classes:
        rows.append(
            f"| {name} | {s.n} | {s.f1_doc_mean:.3f} | {s.f1:.3f} | {s.precision:.3f} | "
            f"{s.recall:.3f} |" if s.n else f"| {name} | 0 | - | - | - | - |"
        )
    return rows


def _deals_line(dumps: list[RunScore]) -> list[str]:
    """One line with the mean and lowest F1 of the CV rows, where there are several deals."""
    f1s = [run.score.f1 for run in dumps if "CV by site" in run.name]
    if len(f1s) < 2:
        return []
    return [f"CV F1 over the {len(f1s)} deals of sites to folds: mean {statistics.mean(f1s):.3f}, "
            f"lowest {min(f1s):.3f}.", ""]


def report(
    html: list[RunScore], dumps: list[RunScore], seed: str = "",
    classes: list[tuple[str, CorpusScore]] | None = None, deals: int = 1,
) -> str:
    """The Markdown section for benchmarks/results/extraction.md."""
    head = (
        "| system | F1 | precision | recall | mean per-page F1 | ms/page mean | ms/page median "
        "| CPU ms/page median | pages |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    parts = ["## Article extraction (scrapinghub article-extraction-benchmark, 181 pages)", ""]
    parts.append("Metric: upstream's 4-gram shingle precision/recall/F1 (per-page normalised "
                 "counts, summed); `benchmarks/extraction.py`.")
    if html:
        parts += ["", "### HTML (`pages.jsonl`)", "", head, *(_row(r) for r in html)]
    if dumps:
        parts += ["", "### Text dumps (`textdumps.jsonl`, chrome kept)", "", head,
                  *(_row(r) for r in dumps), "",
                  "No anchor: trafilatura and jusText return nothing useful on plain text. "
                  "The CV row is the accuracy claim (5 folds grouped by site: no site has "
                  "pages on both sides; a site is the URL's host without `www.`); rows "
                  "with sites shuffled deal the same sites to the folds in other orders "
                  "(same method, other luck of the deal: their spread is the figure's "
                  "noise); the shipped-model row gives speed "
                  "(wall time depends on the machine's load; CPU time less so).", "",
                  *_deals_line(dumps), seed]
    if classes:
        parts += ["", "### Text dumps: weak page types (CV by site)", "",
                  "Pages by simple rules on the gold body and the dump (rules in the docstring "
                  "of `benchmarks/extraction.py`); a page may be in several classes. "
                  + (f"Figures are the mean over the {deals} deals of sites to folds above."
                     if deals > 1 else "Figures are from the CV row above."), "",
                  *_classes_table(classes)]
    return "\n".join(parts) + "\n"


def keep_html_section(old: str, new: str) -> str:
    """``new`` with the HTML section of ``old`` put back (a ``--textdump-only`` run keeps
    the HTML figures it did not measure)."""
    start = old.find("\n### HTML")
    if start < 0 or "\n### HTML" in new:
        return new
    end = old.find("\n### ", start + 1)
    section = old[start : end if end >= 0 else len(old)].rstrip("\n") + "\n"
    cut = new.find("\n### ")
    return new[:cut] + section + new[cut:] if cut >= 0 else new.rstrip("\n") + "\n" + section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="article extraction benchmark")
    parser.add_argument("--html-only", action="store_true")
    parser.add_argument("--textdump-only", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not write results/")
    parser.add_argument("--cv-cache", type=Path, help="save/reuse the CV line scores here")
    parser.add_argument(
        "--cv-reshuffle", type=int, nargs="*", default=[], metavar="SEED",
        help="also score CV with the sites dealt to the folds in these seeded orders",
    )
    args = parser.parse_args(argv)
    if not GOLD.exists():
        print(f"{GOLD} is absent: the benchmark needs ../shared", file=sys.stderr)
        return 2
    html = [] if args.textdump_only else score_html()
    dumps: list[RunScore] = []
    classes: list[tuple[str, CorpusScore]] = []
    if not args.html_only:
        from train_lines import load_pages

        pages = load_pages()
        cv = score_textdumps_cv(pages, cache=args.cv_cache)
        reshuffled = [score_textdumps_cv(pages, shuffle_seed=seed) for seed in args.cv_reshuffle]
        dumps = [cv, *reshuffled, score_textdumps_shipped()]
        classes = mean_classes(pages, [cv, *reshuffled])
    deals = 1 + len(args.cv_reshuffle)
    text = report(html, dumps, "" if args.html_only else seed_timing(), classes, deals)
    if args.textdump_only and RESULTS.exists():
        text = keep_html_section(RESULTS.read_text("utf-8"), text)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
