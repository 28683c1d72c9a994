"""Rebuild src/detente/data/sample/ (the demo corpus) from ../shared/gold/entities/re3d.

Only the openly licensed re3d subsets are taken (public domain, OGL v3, CC BY,
CC BY-SA); their LICENSE and ATTRIBUTION files are copied beside the corpus.
Only document texts, titles and URLs are used, never the entity or relation labels.
Run: .venv/bin/python scripts/build_sample.py
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RE3D = ROOT.parent / "shared" / "gold" / "entities" / "re3d"
OUT = ROOT / "src" / "detente" / "data" / "sample"
SUBSETS = ("US State Department", "CENTCOM", "UK Government",
           "Australian Department of Foreign Affairs", "Wikipedia")
SEED = ROOT / "tests" / "fixtures" / "seed-courthouse-2022-01-28.txt"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def main() -> None:
    (OUT / "licenses").mkdir(parents=True, exist_ok=True)
    records = []
    for subset in SUBSETS:
        folder = RE3D / subset
        for line in (folder / "documents.json").read_text("utf-8").splitlines():
            if not line.strip():
                continue
            doc = json.loads(line)
            records.append({
                "id": f"re3d-{slug(subset)}-{doc['_id'][:10].lower()}",
                "text": f"{doc['title'].strip()}\n\n{doc['text'].strip()}\n",
                "url": doc.get("sourceUrl"),
            })
        for name in ("LICENSE", "ATTRIBUTION"):
            shutil.copy(folder / name, OUT / "licenses" / f"{slug(subset)}.{name}.txt")
    with (OUT / "re3d.jsonl").open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    shutil.copy(SEED, OUT / SEED.name)
    print(f"{len(records)} re3d documents + the seed page -> {OUT}")


if __name__ == "__main__":
    main()
