"""Assemble BENCHMARKS.md from the sections each benchmark writes to benchmarks/results/.

    .venv/bin/python benchmarks/report.py
"""

from __future__ import annotations

import platform
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
ORDER = ("extraction", "actors", "time", "quotes", "events", "throughput")

HEADER = """# Benchmarks

The latest measured figures, ours beside the anchor's from the same run. Each section is
written by its script under `benchmarks/` (`.venv/bin/python benchmarks/<name>.py --write`)
and assembled here by `benchmarks/report.py`. Accuracy floors that CI enforces are in
`tests/floors/`; they only go up.

Machine: {machine}. Assembled {today}.
"""


def main() -> None:
    sections = [RESULTS / f"{name}.md" for name in ORDER]
    sections += sorted(p for p in RESULTS.glob("*.md") if p.stem not in ORDER)
    machine = f"{platform.machine()}, Python {platform.python_version()}, 2 cores, 24 GiB"
    parts = [HEADER.format(machine=machine, today=date.today().isoformat())]
    parts += [p.read_text("utf-8").strip() + "\n" for p in sections if p.exists()]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote BENCHMARKS.md from {sum(p.exists() for p in sections)} sections")


if __name__ == "__main__":
    main()
