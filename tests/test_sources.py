"""Reading inputs: bad input gives a clear error naming it, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.errors import InputError
from detente.ingest.sources import ErrorRecord, read_jsonl, read_path, validate
from detente.model import RawDocument
from detente.settings import Settings, load_settings


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_bad_lines_become_error_records(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [
        json.dumps({"id": "a", "text": "Hello world.", "published": "2022-01-28"}),
        "{not json",
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": "x", "published": "someday"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "f", "html": "<html><body><p>Hi</p></body></html>", "url": "u"}),
    ])
    items = list(read_jsonl(path))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["RawDocument", "ErrorRecord", "ErrorRecord", "ErrorRecord",
                     "ErrorRecord", "RawDocument"]
    first = items[0]
    assert isinstance(first, RawDocument) and first.published is not None
    errors = [i for i in items if isinstance(i, ErrorRecord)]
    assert errors[0].id == "line-2" and "not valid JSON" in errors[0].error
    assert errors[1].id == "c" and "neither" in errors[1].error
    assert errors[2].id == "d" and "YYYY-MM-DD" in errors[2].error


@pytest.mark.parametrize(
    ("text", "needle"),
    [("", "empty"), ("   \n ", "empty"), ("abc\x00\x01\x02def" * 10, "binary"),
     ("x" * 101, "over the limit")],
)
def test_validate_refuses_bad_documents(text: str, needle: str) -> None:
    settings = Settings(max_input_chars=100)
    with pytest.raises(InputError, match=needle) as info:
        validate(RawDocument(id="bad", text=text, source="bad.txt"), settings)
    assert "bad.txt" in str(info.value)


def test_read_path_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.txt"):
        read_path(tmp_path / "nope.txt")


def test_read_path_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "img.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        read_path(path)


def test_settings_from_toml_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "detente.toml"
    config.write_text('[detente]\nmodel = "en_core_web_md"\nbatch_size = 8\n')
    monkeypatch.setenv("DETENTE_BATCH_SIZE", "4")
    settings = load_settings(config)
    assert settings.model == "en_core_web_md" and settings.batch_size == 4
