"""The NLP stages, in the order they run over each parsed article.

Each stage is ``stage(doc, ctx) -> None`` and fills its list in ``ctx.result``.
"""

from __future__ import annotations

from .actors import link_actors
from .context import Stage
from .events import events_stage
from .quotes import quotes_stage
from .timex import timex_stage

STAGES: list[Stage] = [
    link_actors,  # actors: first; fills entities and ctx.shared["actors"]
    timex_stage,  # time: after actors, before quotes and events
    quotes_stage,  # quotes: after actors and time, before events
    events_stage,  # events: last; reads entities, timexes and quotes
]
