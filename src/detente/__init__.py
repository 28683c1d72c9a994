"""detente: news pages -> articles, actors, quotes and dated PLOVER events.

The public API::

    import detente
    result = detente.analyze_text(open("page.txt").read())
    analyzer = detente.Analyzer()          # loads the spaCy pipeline once
    for r in analyzer.analyze_many(docs): ...
"""

from __future__ import annotations

import logging

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
from .pipeline import Analyzer, analyze_text  # noqa: E402
from .settings import Settings, load_settings  # noqa: E402
from .store import Database, open  # noqa: E402

__all__ = [
    "Actor", "Analyzer", "Article", "Caption", "ConfigError", "DetenteError", "Entity",
    "Event", "InputError", "Quote", "RawDocument", "Result", "Settings", "Timex",
    "analyze_text", "load_settings", "open", "Database",
]
