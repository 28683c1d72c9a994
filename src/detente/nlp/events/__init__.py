"""The events stage: PLOVER events with actors, recipients, dates, modality and evidence."""

from .coder import EventCoder, events_stage
from .lexicon import Lexicon, load_lexicon

__all__ = ["EventCoder", "Lexicon", "events_stage", "load_lexicon"]
