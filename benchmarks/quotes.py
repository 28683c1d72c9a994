"""Quote attribution on PolNeAR dev: detente's quotes stage beside textacy's direct_quotations.

Run: ``.venv/bin/python benchmarks/quotes.py [--limit N] [--no-write] [--half A|B] [--errors]``.
``--half`` scores one half only (nothing written); ``--errors`` prints half A's missed
speakers and is refused for half B, whose sentences are never to be read while tuning.

Scoring (both systems, same parses, same run):

- A predicted quote matches a gold attribution when their content spans overlap
  with intersection/union >= 0.5; pairs are matched one-to-one, greedily by IoU.
- Speaker accuracy: over matched pairs whose gold attribution has a Source span,
  the share whose predicted speaker span overlaps it (no speaker = wrong).
- "direct": gold entries flagged ``direct`` (content holds a quotation mark) against
  predictions whose text holds a quotation mark. For detente that is every
  ``direct`` quote and every ``partial``/``mixed`` one (they hold a quoted
  fragment by definition); ``indirect`` quotes never do. For textacy, every triple.
- "all": every gold entry against every prediction.
- Fragments of one interrupted quotation that share a cue and speaker within a
  paragraph ("X," he said, "Y") are scored as one span from the first to the
  last mark, as the gold stores discontinuous spans as [min start, max end].
- textacy raises on a document with an odd number of quotation marks; such a
  document counts as textacy predicting nothing there.

Halves: the same rows are printed for two halves of the dev documents, split by
document with ``benchmarks.scoring.half_of(id)``: half "A" (tune) when the first
byte of sha1(the record's ``id``, UTF-8) is even, else half "B" (held out). The
rule is fixed and order-free, so any script can reuse it; on PolNeAR dev it puts
48 articles in A and 36 in B. Tune on A only; B is the figure to quote.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scoring import PrecisionRecall, half_of  # noqa: E402

GOLD = ROOT.parent / "shared" / "gold" / "quotes" / "polnear_dev.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "quotes.md"
QUOTE_MARKS = ("“", "”", '"', "‘", "«", "»", "„", "''")
_OPENING_SINGLE = re.compile(r"(?:^|[\s(\[—–-])'\w")
MIN_IOU = 0.5
HALVES = ("A", "B")
MERGE_FRAGMENTS = True


@dataclass(frozen=True)
class Item:
    """A content span with its source span (None when it has none) and direct flag."""

    start: int
    end: int
    source: tuple[int, int] | None
    direct: bool


@dataclass(frozen=True)
class Scores(PrecisionRecall):
    """Precision, recall, F1 and speaker accuracy with their counts."""

    predicted: int
    gold: int
    matched: int
    speaker_pairs: int
    speaker_right: int

    def prf_counts(self) -> tuple[int, int, int]:
        return self.matched, self.predicted, self.gold

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.speaker_pairs if self.speaker_pairs else 0.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.predicted + other.predicted,
            self.gold + other.gold,
            self.matched + other.matched,
            self.speaker_pairs + other.speaker_pairs,
            self.speaker_right + other.speaker_right,
        )


ZERO = Scores(0, 0, 0, 0, 0)


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two character spans."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def matches(gold: Sequence[Item], predicted: Sequence[Item]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by IoU >= 0.5: (predicted index, gold index) pairs."""
    pairs = [
        (iou((p.start, p.end), (g.start, g.end)), pi, gi)
        for pi, p in enumerate(predicted)
        for gi, g in enumerate(gold)
    ]
    pairs = sorted((x for x in pairs if x[0] >= MIN_IOU), reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, pi, gi in pairs:
        if pi in used_p or gi in used_g:
            continue
        used_p.add(pi)
        used_g.add(gi)
        out.append((pi, gi))
    return out


def score(gold: Sequence[Item], predicted: Sequence[Item]) -> Scores:
    """One document: greedy one-to-one matching by IoU >= 0.5, then speaker accuracy."""
    pairs = matches(gold, predicted)
    speaker_pairs = speaker_right = 0
    for pi, gi in pairs:
        source = gold[gi].source
        if source is not None:
            speaker_pairs += 1
            said = predicted[pi].source
            speaker_right += int(said is not None and _overlaps(said, source))
    return Scores(len(predicted), len(gold), len(pairs), speaker_pairs, speaker_right)


def gold_items(record: dict[str, Any]) -> list[Item]:
    """The gold attributions of one PolNeAR record."""
    return [
        Item(g["content"][0], g["content"][1], tuple(g["source"]) if g["source"] else None,
             bool(g["direct"]))
        for g in record["gold"]
    ]


def has_mark(text: str) -> bool:
    """Does ``text`` hold a quotation mark: a double one, '' (NYT style), or a single one
    that opens a quotation (not an apostrophe as in Clinton's or voters')?"""
    return any(m in text for m in QUOTE_MARKS) or bool(_OPENING_SINGLE.search(text))


def detente_items(text: str, quotes: Iterable[Any]) -> list[Item]:
    """detente's quotes as items, fragments of one interrupted quotation merged."""
    items: list[Item] = []
    last_key: tuple[Any, ...] | None = None
    for q in sorted(quotes, key=lambda q: q.start):
        source = (q.speaker.start, q.speaker.end) if q.speaker else None
        key = (source, q.cue, q.kind)
        direct = has_mark(q.text)
        if (
            MERGE_FRAGMENTS and items and q.kind == "direct" and key == last_key and source is not None
            and "\n" not in text[items[-1].end : q.start]
        ):
            prev = items.pop()
            items.append(Item(prev.start, q.end, source, True))
        else:
            items.append(Item(q.start, q.end, source, direct))
        last_key = key
    return items


def textacy_items(doc: Any) -> list[Item]:
    """textacy's direct_quotations as items (all direct); none when textacy refuses."""
    from textacy.extract.triples import direct_quotations

    try:
        triples = list(direct_quotations(doc))
    except ValueError:
        return []
    items = []
    for triple in triples:
        speaker = (
            (min(t.idx for t in triple.speaker), max(t.idx + len(t) for t in triple.speaker))
            if triple.speaker else None
        )
        items.append(Item(triple.content.start_char, triple.content.end_char, speaker, True))
    return items


@dataclass
class Report:
    """Corpus totals for one system: direct subset and all attributions."""

    direct: Scores = ZERO
    all: Scores = ZERO

    def add(self, gold: list[Item], predicted: list[Item]) -> None:
        self.direct = self.direct + score(
            [g for g in gold if g.direct], [p for p in predicted if p.direct]
        )
        self.all = self.all + score(gold, predicted)


@dataclass
class Half:
    """One half of the documents (see ``half_of``): both systems' totals there."""

    detente: Report = field(default_factory=Report)
    textacy: Report = field(default_factory=Report)
    docs: int = 0


def load_gold(path: Path = GOLD, limit: int | None = None) -> list[dict[str, Any]]:
    """The PolNeAR dev records (optionally the first ``limit``)."""
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return records[:limit] if limit else records


def run_detente(
    records: list[dict[str, Any]], with_textacy: bool = True,
    kept: list[tuple[dict[str, Any], list[Item]]] | None = None,
) -> dict[str, Any]:
    """Parse each text once; score detente's stages and textacy on the same Doc (each
    record with detente's items appended to ``kept`` when given)."""
    from detente.nlp.context import DocContext
    from detente.nlp.pipeline import load_pipeline
    from detente.settings import load_settings

    settings = load_settings()
    nlp = load_pipeline(settings.model, with_stages=False)
    from detente.nlp.quotes.finder import quotes_stage

    stages = _stages_through_quotes()
    ours, theirs = Report(), Report()
    halves = {h: Half() for h in HALVES}
    spent = parsing = 0.0
    began = time.perf_counter()
    docs = list(nlp.pipe(r["text"] for r in records))
    parsing = time.perf_counter() - began
    for record, doc in zip(records, docs, strict=True):
        ctx = DocContext()
        for stage in stages:
            began = time.perf_counter()
            stage(doc, ctx)
            if stage is quotes_stage:
                spent += time.perf_counter() - began
        gold = gold_items(record)
        half = halves[half_of(record["id"])]
        half.docs += 1
        predicted = detente_items(record["text"], ctx.quotes)
        if kept is not None:
            kept.append((record, predicted))
        ours.add(gold, predicted)
        half.detente.add(gold, predicted)
        if with_textacy:
            predicted = textacy_items(doc)
            theirs.add(gold, predicted)
            half.textacy.add(gold, predicted)
    return {"detente": ours, "textacy": theirs, "seconds": spent, "parse_seconds": parsing,
            "docs": len(records), "halves": halves}


def _stages_through_quotes() -> list[Any]:
    """The stages in pipeline order, through the quotes stage."""
    from detente.nlp.components import QUOTES, STAGE_FUNCTIONS, STAGE_NAMES

    return [STAGE_FUNCTIONS[name] for name in STAGE_NAMES[: STAGE_NAMES.index(QUOTES) + 1]]


def _row(name: str, s: Scores) -> str:
    return (
        f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
        f"{s.speaker_accuracy:.3f} | {s.matched}/{s.predicted} pred, {s.matched}/{s.gold} gold, "
        f"{s.speaker_right}/{s.speaker_pairs} speakers |"
    )


def _table(ours: Report, theirs: Report, label: str = "") -> list[str]:
    return [
        "| subset / system | precision | recall | F1 | speaker acc. | counts |",
        "| --- | --- | --- | --- | --- | --- |",
        _row(f"{label}direct: detente", ours.direct),
        _row(f"{label}direct: textacy 0.13.0 direct_quotations", theirs.direct),
        _row(f"{label}all attributions: detente", ours.all),
        _row(f"{label}all attributions: textacy 0.13.0 direct_quotations", theirs.all),
    ]


def markdown(out: dict[str, Any]) -> str:
    """The results section for benchmarks/results/quotes.md."""
    ours, theirs = out["detente"], out["textacy"]
    lines = [
        "## Quotes (PolNeAR dev, 84 articles)",
        "",
        "`.venv/bin/python benchmarks/quotes.py`: content match at IoU >= 0.5 (greedy one-to-one);",
        "speaker right when the predicted speaker span overlaps the gold Source span.",
        "Direct = gold content holding a quotation mark vs predictions holding one (detente: every",
        "`direct` quote and the `partial`/`mixed` ones, which hold a quoted fragment; textacy: every",
        "triple). Fragments of one interrupted quotation (same cue and speaker, one paragraph) are",
        "scored as one span, as the gold stores discontinuous spans as [first start, last end].",
        "textacy raises on documents with an odd number of quotation marks: nothing predicted there.",
        "",
        *_table(ours, theirs),
        "",
        f"Quotes stage time: {out['seconds']:.2f} s for {out['docs']} documents "
        f"({1000 * out['seconds'] / max(out['docs'], 1):.1f} ms a document; the spaCy parse of the "
        f"same documents took {out['parse_seconds']:.2f} s, so the stage adds "
        f"{100 * out['seconds'] / max(out['parse_seconds'], 1e-9):.1f}% to it).",
        "",
    ]
    halves = out["halves"]
    lines += [
        "### Halves: A (tune) and B (held out)",
        "",
        "The same scoring on two halves of the dev articles, split by document: half A when the",
        "first byte of sha1(article id) is even, else B (`benchmarks.scoring.half_of`). Tune on A;",
        f"B is the held-out figure. A: {halves['A'].docs} articles, "
        f"B: {halves['B'].docs} articles.",
        "",
    ]
    for half in HALVES:
        lines += [f"Half {half}:", "",
                  *_table(halves[half].detente, halves[half].textacy, f"{half}: "), ""]
    return "\n".join(lines)


def _clip(text: str, span: tuple[int, int] | None, width: int = 90) -> str:
    if span is None:
        return "-"
    piece = text[span[0] : span[1]].replace("\n", " / ")
    return piece if len(piece) <= width else piece[: width // 2] + " ... " + piece[-width // 2 :]


def speaker_errors(kept: list[tuple[dict[str, Any], list[Item]]], subset: str) -> list[str]:
    """Half A's matched quotes whose speaker is wrong, one block each (never run on B)."""
    lines = []
    for record, predicted in kept:
        if half_of(record["id"]) != "A":
            raise SystemExit("speaker errors are for half A only")
        text, gold = record["text"], gold_items(record)
        if subset == "direct":
            gold = [g for g in gold if g.direct]
            predicted = [p for p in predicted if p.direct]
        for pi, gi in matches(gold, predicted):
            g, p = gold[gi], predicted[pi]
            if g.source is None or (p.source is not None and _overlaps(p.source, g.source)):
                continue
            para_lo = text.rfind("\n\n", 0, g.start) + 1
            lines += [
                f"== {record['id']} @{g.start}{' (direct)' if g.direct else ''}",
                f"   content: {_clip(text, (g.start, g.end))}",
                f"   gold source: {_clip(text, g.source)} @{g.source[0]}   ours: {_clip(text, p.source)}"
                f" @{p.source[0] if p.source else '-'}",
                f"   before: {_clip(text, (max(para_lo - 300, 0), g.start), 300)}",
            ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--half", choices=HALVES, default=None, help="score one half only")
    parser.add_argument("--errors", choices=("direct", "all"), default=None,
                        help="print half A's wrong speakers (needs --half A)")
    args = parser.parse_args(argv)
    if not GOLD.exists():
        print(f"{GOLD} is absent: the gold set lives in ../shared", file=sys.stderr)
        return 2
    if args.errors and args.half != "A":
        print("--errors prints half A only: add --half A", file=sys.stderr)
        return 2
    records = load_gold(GOLD, args.limit)
    if args.half:
        records = [r for r in records if half_of(r["id"]) == args.half]
    kept: list[tuple[dict[str, Any], list[Item]]] = []
    out = run_detente(records, with_textacy=not args.half, kept=kept)
    if args.errors:
        print("\n".join(speaker_errors(kept, args.errors)))
    text = markdown(out)
    print(text)
    if not args.no_write and args.limit is None and args.half is None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
