"""detente: news pages -> articles, actors, quotes and dated PLOVER events.

The public API::

    import detente
    result = detente.analyze_text(open("page.txt").read())
    analyzer = detente.Analyzer()          # loads the spaCy pipeline once
    for r in analyzer.analyze_many(docs): ...
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

logger = logging.getLogger(__name__)

__version__ = "0.1.0"

from .errors import ConfigError, DetenteError, InputError  # noqa: E402
from .model import (  # noqa: E402
    Actor,
    Article,
    Caption,
    Entity,
    Event,
    Quote,
    RawDocument,
    Result,
    Timex,
)
from .settings import Settings, load_settings  # noqa: E402
from .store import Database, open  # noqa: E402

if TYPE_CHECKING:
    from .pipeline import Analyzer, analyze_text

# The analyzer needs spaCy (seconds to import): it is imported when first asked for, so
# that `import detente` and the commands that only read a store start at once.
def __getattr__(name: str) -> Any:
    if name in ("Analyzer", "analyze_text"):
        from . import pipeline

        value = getattr(pipeline, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


__all__ = [
    "Actor", "Analyzer", "Article", "Caption", "ConfigError", "DetenteError", "Entity",
    "Event", "InputError", "Quote", "RawDocument", "Result", "Settings", "Timex",
    "analyze_text", "load_settings", "open", "Database",
]
