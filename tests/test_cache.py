"""The on-disk cache of derived indexes: built once, reused, never required, never runs code."""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from detente.cache import ArraysCodec, JsonCodec, cache_dir, cached
from detente.nlp.places import Place, _index_from_json, _index_to_json


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_builds_once_then_loads(folder: Path) -> None:
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"kyiv": 1}

    assert cached("index", build) == {"kyiv": 1}
    assert cached("index", build) == {"kyiv": 1}
    assert len(calls) == 1
    (only,) = folder.iterdir()  # no temp file left
    assert only.suffix == ".json" and only.read_bytes().startswith(b"detente-cache/1 json ")


def test_off_builds_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETENTE_CACHE_DIR", "off")
    assert cache_dir() is None
    calls: list[int] = []
    for _ in range(2):
        cached("index", lambda: calls.append(1) or 7)
    assert len(calls) == 2


@pytest.mark.parametrize("damage", [b"not a cache file", b"", None])
def test_a_damaged_file_is_rebuilt(folder: Path, damage: bytes | None) -> None:
    cached("index", lambda: [1, 2])
    (only,) = list(folder.iterdir())
    # None: cut short, as a full disk would leave it without the atomic rename.
    only.write_bytes(only.read_bytes()[:-2] if damage is None else damage)
    assert cached("index", lambda: [3]) == [3]
    assert cached("index", lambda: [4]) == [3]  # and the rebuilt copy is kept


class _Plant:
    """A pickle that would create ``marker`` when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def test_a_planted_pickle_is_never_loaded(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    marker = tmp_path_factory.mktemp("m") / "pwned"
    cached("index", lambda: [1])
    (only,) = list(folder.iterdir())
    payload = pickle.dumps(_Plant(marker))
    # Under the cache's own name, with and without a forged header, and under the old name.
    for data in (payload, f"detente-cache/1 json {len(payload)}\n".encode() + payload):
        only.write_bytes(data)
        assert cached("index", lambda: [2]) == [2]
    (folder / only.name.replace(".json", ".pickle")).write_bytes(payload)
    assert cached("index", lambda: [3]) == [2]
    assert not marker.exists()


def _to_arrays(value: dict[str, Any]) -> Mapping[str, np.ndarray[Any, Any]]:
    return {"weights": value["weights"], "labels": np.array(value["labels"])}


def _from_arrays(arrays: Mapping[str, np.ndarray[Any, Any]]) -> dict[str, Any]:
    return {"weights": arrays["weights"], "labels": arrays["labels"].tolist()}


ARRAYS = ArraysCodec(_to_arrays, _from_arrays)


def test_a_fifo_or_device_in_the_cache_is_not_read(folder: Path) -> None:
    cached("index", lambda: [1])
    (only,) = list(folder.iterdir())
    only.unlink()
    os.mkfifo(only)
    assert cached("index", lambda: [2]) == [2]  # would block forever if opened blindly
    only.unlink()
    only.symlink_to("/dev/zero")
    assert cached("index", lambda: [3]) == [3]


def test_arrays_round_trip_without_pickle(folder: Path) -> None:
    value = {"weights": np.arange(12, dtype=np.float16).reshape(3, 4), "labels": ["en", "fr", "de"]}
    cached("model", lambda: value, ARRAYS)
    loaded = cached("model", lambda: pytest.fail("rebuilt"), ARRAYS)
    assert loaded["labels"] == ["en", "fr", "de"]
    assert loaded["weights"].dtype == np.float16 and (loaded["weights"] == value["weights"]).all()
    (only,) = folder.iterdir()
    assert only.suffix == ".npy"


def test_an_object_array_is_neither_written_nor_read(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    marker = tmp_path_factory.mktemp("m") / "pwned"
    objects = {"weights": np.array([_Plant(marker)], dtype=object), "labels": ["x"]}
    assert cached("model", lambda: objects, ARRAYS) is objects  # kept in memory only
    assert list(folder.iterdir()) == []
    # A file forged by hand with an object array (a pickle inside .npy) is refused.
    good = {"weights": np.zeros(2), "labels": ["en"]}
    cached("model", lambda: good, ARRAYS)
    (only,) = folder.iterdir()
    names = b'["weights", "labels"]\n'
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, objects["weights"], allow_pickle=True)
    np.lib.format.write_array(buffer, np.array(["en"]))
    body = names + buffer.getvalue()
    only.write_bytes(f"detente-cache/1 npy {len(body)}\n".encode() + body)
    assert cached("model", lambda: good, ARRAYS)["labels"] == ["en"]
    assert not marker.exists()


def test_a_value_json_cannot_hold_is_returned_uncached(folder: Path) -> None:
    value = {1, 2}
    assert cached("set", lambda: value) is value
    assert list(folder.iterdir()) == []


def test_an_unwritable_folder_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(blocker / "cache"))
    assert cached("index", lambda: "built") == "built"


def test_the_place_index_round_trips_through_json(folder: Path) -> None:
    paris = Place("Paris", "FRA", 48.85, 2.35, 2_138_551, "city")
    index = {"paris": paris, "paname": paris, "france": Place("France", "FRA", None, None, 1, "country")}
    codec = JsonCodec(_index_to_json, _index_from_json)
    cached("places", lambda: index, codec)
    loaded = cached("places", lambda: pytest.fail("rebuilt"), codec)
    assert loaded == index and loaded["paris"] is loaded["paname"]  # each place stored once


UNSAFE_LOADS = ("pickle.load", "allow_pickle=True", "import shelve", "marshal.load", "joblib.load",
                "import dill", "yaml.load(", "unsafe_load")


def test_nothing_in_the_package_deserialises_code() -> None:
    # (Multiprocessing still pickles between detente's own processes: nothing read from disk.)
    src = Path(__file__).resolve().parent.parent / "src" / "detente"
    for path in src.rglob("*.py"):
        code = [line.split("#")[0] for line in path.read_text("utf-8").splitlines()]
        found = [needle for needle in UNSAFE_LOADS for line in code if needle in line]
        assert not found, (path, found)
