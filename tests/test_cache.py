"""The on-disk cache of derived indexes: built once, reused, never required."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.cache import cache_dir, cached


def test_builds_once_then_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path))
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"kyiv": 1}

    assert cached("index", build) == {"kyiv": 1}
    assert cached("index", build) == {"kyiv": 1}
    assert len(calls) == 1
    assert [p.suffix for p in tmp_path.iterdir()] == [".pickle"]  # no temp file left


def test_off_builds_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_CACHE_DIR", "off")
    assert cache_dir() is None
    calls: list[int] = []
    for _ in range(2):
        cached("index", lambda: calls.append(1) or 7)
    assert len(calls) == 2


def test_a_damaged_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path))
    cached("index", lambda: [1, 2])
    (only,) = list(tmp_path.iterdir())
    only.write_bytes(b"not a pickle")
    assert cached("index", lambda: [3]) == [3]


def test_an_unwritable_folder_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(blocker / "cache"))
    assert cached("index", lambda: "built") == "built"
