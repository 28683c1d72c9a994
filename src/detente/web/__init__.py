"""The web app: stories, actors, dyads and alerts, with the evidence one click away.

``create_app(db_path)`` builds the ASGI app (read-only, offline, strict CSP);
``detente serve --db DB`` runs it with uvicorn on loopback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

logger = logging.getLogger(__name__)

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # FastAPI takes seconds to import: only when the app is built, not at every CLI start.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
