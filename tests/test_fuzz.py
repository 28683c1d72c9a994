"""The atheris fuzz target of the text-dump and HTML extraction paths, run a bounded
number of inputs with a fixed seed (the same inputs each run: no flaky CI): it must
exit 0 (no crash, no hang, no runaway memory). Every input it ever crashed on is kept
under ``fuzz/regressions/`` and replayed here.

``fuzz/fuzz_extract.py`` starts from the synthetic seeds in ``fuzz/corpus/``; libFuzzer
writes what it finds into the first corpus folder, so the run gets a scratch copy.
``DETENTE_FUZZ_RUNS`` and ``DETENTE_FUZZ_SEED`` change the run (defaults 500 and 1).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "fuzz" / "fuzz_extract.py"
SEEDS = ROOT / "fuzz" / "corpus"
REGRESSIONS = ROOT / "fuzz" / "regressions"
# Crashes found and not fixed yet, in code this test does not own: name -> where.
KNOWN: dict[str, str] = {}  # crashes found and not yet fixed: name -> where


def _target() -> ModuleType:
    pytest.importorskip("atheris")
    spec = importlib.util.spec_from_file_location("fuzz_extract", TARGET)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(
    p.name for folder in (SEEDS, REGRESSIONS) for p in folder.iterdir()))
def test_each_seed_and_past_crash_runs_clean(name: str, request: pytest.FixtureRequest) -> None:
    if name in KNOWN:
        request.applymarker(pytest.mark.xfail(reason=KNOWN[name], strict=True))
    path = SEEDS / name if (SEEDS / name).exists() else REGRESSIONS / name
    _target().TestOneInput(path.read_bytes())


def test_the_seeds_are_synthetic_and_cover_both_paths() -> None:
    seeds = sorted(SEEDS.iterdir())
    assert {s.read_bytes()[:1] for s in seeds} == {b"T", b"H"}


@pytest.mark.slow
def test_the_extraction_fuzz_target_runs_a_bounded_time_without_a_crash(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    runs = int(os.environ.get("DETENTE_FUZZ_RUNS", "500"))
    seed = int(os.environ.get("DETENTE_FUZZ_SEED", "1"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, str(TARGET), f"-runs={runs}", f"-seed={seed}", "-max_total_time=300",
         "-timeout=30", "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/", str(corpus)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    tail = run.stderr[-3000:]
    if "Uncaught Python exception" in run.stderr:  # show the crash, not the progress lines
        tail = run.stderr[run.stderr.index("Uncaught Python exception"):][:3000]
    crashes = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-"))]
    assert run.returncode == 0 and not crashes, f"the fuzzer found {crashes}:\n{tail}"
    assert "Done" in run.stderr and "runs in" in run.stderr
