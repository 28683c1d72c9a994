"""The events stage: PLOVER events with actors, recipients, dates, modality and evidence."""

from .coder import EventCoder, events_stage
from .lexicon import Lexicon, load_lexicon
from .participants import Args, Locator, Participants

__all__ = ["Args", "EventCoder", "Lexicon", "Locator", "Participants", "events_stage", "load_lexicon"]
