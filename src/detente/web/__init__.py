"""The web app: stories, actors, dyads and alerts, with the evidence one click away.

``create_app(db_path)`` builds the ASGI app (read-only, offline, strict CSP);
``detente serve --db DB`` runs it with uvicorn on loopback.
"""

from __future__ import annotations

import logging

from .app import create_app

logger = logging.getLogger(__name__)

__all__ = ["create_app"]
