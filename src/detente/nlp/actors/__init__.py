"""The actors stage: entity and noun-phrase mentions linked to actor codes and sectors."""

from .link import (
    MentionIndex,
    actor_for_span,
    actor_for_text,
    actors_for_span,
    is_chrome,
    link_actors,
    mention_index,
    plover_code,
)
from .ruler import RULER_NAME, merge_entities

__all__ = [
    "RULER_NAME",
    "MentionIndex",
    "actor_for_span",
    "actor_for_text",
    "actors_for_span",
    "is_chrome",
    "link_actors",
    "mention_index",
    "merge_entities",
    "plover_code",
]
