"""detente's data files (lexicons, codebook, schema, sample corpus) and how to read them."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's C parser reads the lexicons ~10x faster than the pure-Python one; every
# worker process loads them once, so this is start-up time on every ingest.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML ``text`` safely (plain data only), with the C parser where installed."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
