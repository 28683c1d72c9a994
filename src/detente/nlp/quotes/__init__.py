"""The quotes stage: direct, partial, mixed and indirect speech with speakers and cues."""

from .finder import QuoteFinder, quotes_stage
from .marks import MarkedSpan, find_marked_spans

__all__ = ["MarkedSpan", "QuoteFinder", "find_marked_spans", "quotes_stage"]
