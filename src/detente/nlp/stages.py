"""The NLP stages, in the order they run over each parsed article.

Each stage is ``stage(doc, ctx) -> None`` and fills its list in ``ctx.result``.
"""

from __future__ import annotations

from .context import Stage

STAGES: list[Stage] = [
]
