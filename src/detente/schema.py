"""The JSON Schema of one ``detente analyze`` result, shipped as a data file."""

from __future__ import annotations

import functools
import logging
from typing import Any

from .data import read_json

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def result_schema() -> dict[str, Any]:
    schema: dict[str, Any] = read_json("result.schema.json")
    return schema


def validate_result(obj: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``obj`` breaks the schema."""
    import jsonschema

    jsonschema.validate(obj, result_schema())
