"""The analysis output of the 265 benchmark pages, for comparing two versions of detente.

    .venv/bin/python benchmarks/snapshot.py OUT.jsonl            # write a snapshot
    .venv/bin/python benchmarks/snapshot.py --compare A.jsonl B.jsonl

Corpus: the same pages as ``benchmarks/throughput.py`` (the 181 scrapinghub text dumps
and the 84 PolNeAR dev articles), each analysed by ``Analyzer.analyze_many`` with the
default settings. ``--compare`` prints, per result section (article, entities, timexes,
quotes, events, notes), how many documents differ and the first differences, so a
refactor can show that it changed nothing, or exactly what a documented fix changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.throughput import SOURCES  # noqa: E402

SECTIONS = ("article", "entities", "timexes", "quotes", "events", "notes", "error")


def corpus() -> list[dict[str, Any]]:
    records = []
    for source, tag in SOURCES:
        for line in source.read_text("utf-8").splitlines():
            obj = json.loads(line)
            records.append({"id": f"{tag}-{obj['id']}", "text": obj["text"]})
    return records


def write_snapshot(out: Path) -> int:
    from detente.model import RawDocument
    from detente.pipeline import Analyzer

    analyzer = Analyzer()
    raws = [RawDocument(id=r["id"], text=r["text"]) for r in corpus()]
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for item in analyzer.analyze_many(raws):
            fh.write(json.dumps(item.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def load(path: Path) -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text("utf-8").splitlines() if line)
    return {row["id"]: row for row in rows}


def compare(a: Path, b: Path, show: int) -> int:
    before, after = load(a), load(b)
    if set(before) != set(after):
        print(f"different documents: {len(set(before) ^ set(after))} ids differ")
    differing: Counter[str] = Counter()
    examples: list[str] = []
    for doc_id in sorted(set(before) & set(after)):
        for section in SECTIONS:
            x, y = before[doc_id].get(section), after[doc_id].get(section)
            if x == y:
                continue
            differing[section] += 1
            if len(examples) < show:
                examples.append(_describe(doc_id, section, x, y))
    total = len(set(before) & set(after))
    for section in SECTIONS:
        print(f"{section:9} {differing[section]:4} of {total} documents differ")
    for line in examples:
        print(line)
    return 1 if differing else 0


def _describe(doc_id: str, section: str, x: Any, y: Any) -> str:
    if isinstance(x, list) and isinstance(y, list):
        xs = [json.dumps(i, sort_keys=True) for i in x]
        ys = [json.dumps(i, sort_keys=True) for i in y]
        gone = [i for i in xs if i not in ys]
        new = [i for i in ys if i not in xs]
        return f"{doc_id} {section}:\n  - " + "\n  - ".join(gone[:3]) + "\n  + " + "\n  + ".join(new[:3])
    return f"{doc_id} {section}: {json.dumps(x)[:300]} -> {json.dumps(y)[:300]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--compare", action="store_true", help="compare two snapshots")
    parser.add_argument("--show", type=int, default=10, help="differences to print")
    args = parser.parse_args()
    if args.compare:
        return compare(args.paths[0], args.paths[1], args.show)
    print(f"wrote {write_snapshot(args.paths[0])} results to {args.paths[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
