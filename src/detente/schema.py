"""The JSON Schema of one ``detente analyze`` result, shipped as a data file."""

from __future__ import annotations

import functools
import json
import logging
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def result_schema() -> dict[str, Any]:
    text = resources.files("detente.data").joinpath("result.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_result(obj: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``obj`` breaks the schema."""
    import jsonschema

    jsonschema.validate(obj, result_schema())
