"""`detente analyze` and `detente schema` as a user runs them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import SEED
from detente.cli import main
from detente.cliargs import EXIT_PARTIAL
from detente.schema import result_schema, validate_result


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["schema"], capsys)
    assert code == 0 and json.loads(out) == result_schema()


def test_analyze_without_input_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["analyze"], capsys)
    assert code == 1 and "PATH" in err


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["analyze", "--help"], ["ingest", "--help"], ["export", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        text = " ".join(capsys.readouterr().out.split())
        assert "exit codes: 0 all done; 1 error" in text and "141 stdout was closed" in text


@pytest.mark.model
def test_analyze_seed_validates_against_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["analyze", str(SEED)], capsys)
    assert code == 0
    result = json.loads(out)
    validate_result(result)
    article = result["article"]
    for key in ("entities", "quotes", "events", "timexes"):
        for item in result[key]:
            # Offsets are into the body, or into a caption when one is named.
            frame = article["body"]
            if item.get("caption") is not None:
                frame = article["captions"][item["caption"]]["text"]
            # Events point at their evidence sentence; the rest at their own text.
            text = item["sentence"] if key == "events" else item["text"]
            assert frame[item["start"]:item["end"]] == text, (key, item)


@pytest.mark.model
def test_analyze_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Officials met in Paris on Friday to discuss the crisis, the ministry said."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, _ = _run(["analyze", "-"], capsys)
    assert code == 0 and json.loads(out)["id"] == "stdin"


@pytest.mark.model
def test_analyze_jsonl_keeps_order_and_reports_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records: list[dict[str, Any]] = [
        {"id": "good", "text": SEED.read_text("utf-8"), "published": "2022-01-28"},
        {"id": "empty", "text": ""},
        {"id": "binary", "text": "\x00\x01\x02\x03" * 50},
        {"id": "huge", "text": "war " * 13_000_000},
        {"id": "french", "text": "Le président français a parlé au téléphone avec son "
                                 "homologue russe vendredi pour évoquer la crise en Ukraine."},
    ]
    infile, outfile = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    infile.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    code, _, err = _run(["analyze", "--jsonl", str(infile), "-o", str(outfile)], capsys)
    assert code == EXIT_PARTIAL  # the batch went on; its exit code says some lines failed
    lines = [json.loads(line) for line in outfile.read_text("utf-8").splitlines()]
    # A line over the size limit is refused unread: its id is its line number.
    assert [line["id"] for line in lines] == ["good", "empty", "binary", "line-4", "french"]
    for line in lines:
        validate_result(line)
    assert "error" not in lines[0] and lines[0]["article"]["published"] == "2022-01-28"
    assert "empty" in lines[1]["error"] and "binary" in lines[2]["error"]
    assert "max_line_bytes" in lines[3]["error"]
    french = lines[4]
    assert french["article"]["language"] == "fr" and french["events"] == []
    assert any("skipped" in note for note in french["notes"])
    assert "empty" in err
