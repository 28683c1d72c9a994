"""The atheris fuzz target of the text-dump and HTML extraction paths, run for a
bounded time: it must exit 0 (no crash, no hang, no runaway memory).

``fuzz/fuzz_extract.py`` starts from the synthetic seeds in ``fuzz/corpus/``; libFuzzer
writes what it finds into the first corpus folder, so the run gets a scratch copy.
``DETENTE_FUZZ_SECONDS`` sets the time (default 30).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "fuzz" / "fuzz_extract.py"
SEEDS = ROOT / "fuzz" / "corpus"


def test_the_seeds_are_synthetic_and_cover_both_paths() -> None:
    seeds = sorted(SEEDS.iterdir())
    assert {s.read_bytes()[:1] for s in seeds} == {b"T", b"H"}


@pytest.mark.slow
def test_the_extraction_fuzz_target_runs_a_bounded_time_without_a_crash(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    seconds = int(os.environ.get("DETENTE_FUZZ_SECONDS", "30"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(TARGET), f"-max_total_time={seconds}", "-timeout=30",
         "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/", str(corpus)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=seconds + 240,
    )
    tail = run.stderr[-3000:]
    crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-"))]
    assert run.returncode == 0 and not crashes, f"the fuzzer found {crashes}:\n{tail}"
    assert "Done" in tail and "runs in" in tail
