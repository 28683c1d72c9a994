"""Shared fixtures: the seed page, the model, the path to ../shared gold data, and a
throwaway PostgreSQL cluster for the store's backend tests."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))
SEED = FIXTURES / "seed-courthouse-2022-01-28.txt"
FLOORS = Path(__file__).resolve().parent / "floors"


def read_floors(area: str) -> dict[str, float]:
    """The accuracy floors of one gold gate (tests/floors/<area>.json), notes left out."""
    data = json.loads((FLOORS / f"{area}.json").read_text(encoding="utf-8"))
    return {name: value for name, value in data.items() if not name.startswith("_")}


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test with a clear message where absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} is absent: gold-set gates need the project's shared/ folder beside "
            "the checkout (or DETENTE_SHARED); CI always has it"
        )
    return path


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "seed.expected.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def analyzer() -> Any:
    from detente.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def seed_result(analyzer: Any, seed_text: str) -> dict[str, Any]:
    """The seed page analysed once by the full pipeline, as contract JSON."""
    from detente.model import RawDocument

    result = analyzer.analyze(RawDocument(id=SEED.name, text=seed_text, source=str(SEED)))
    out: dict[str, Any] = result.to_dict()
    return out


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """One throwaway PostgreSQL cluster for the session (tests/postgres.py); skips the
    tests that use it where PostgreSQL is not installed."""
    from postgres import cluster_or_skip

    with cluster_or_skip() as cluster:
        yield cluster


@pytest.fixture()
def pg_url(pg_cluster: Any) -> str:
    """A new, empty database on the session's cluster: its postgresql:// URL."""
    url: str = pg_cluster.create_database(f"t_{uuid.uuid4().hex[:12]}")
    return url
