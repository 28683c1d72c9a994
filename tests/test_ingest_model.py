"""`detente ingest` end to end with the real pipeline, on a few sample documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import detente
from detente.cli import main
from detente.demo import sample_files
from detente.schema import validate_result


@pytest.mark.model
def test_ingest_with_the_model_stores_contract_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample, seed = sample_files()
    few = tmp_path / "few.jsonl"
    few.write_text("".join(sample.read_text("utf-8").splitlines(keepends=True)[:6]), "utf-8")
    db_path = tmp_path / "m.db"
    assert main(["ingest", str(seed), "--jsonl", str(few), "--db", str(db_path), "-j", "1", "-q"]) == 0
    assert "7 articles added" in capsys.readouterr().err
    with detente.open(db_path) as db:
        counts = db.counts()
        assert counts["articles"] == 7 and db.integrity() == "ok"
        for line in db.results():
            validate_result(json.loads(line))
        events = db.events(factual=False)  # every stored event, negated ones too
        assert len(events) == counts["events"]
    assert main(["ingest", str(seed), "--jsonl", str(few), "--db", str(db_path), "-j", "1", "-q"]) == 0
    assert "0 articles added, 7 already stored" in capsys.readouterr().err
