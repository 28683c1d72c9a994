"""``detente serve``: the web app on loopback, read-only over a store.

``add_commands(sub)`` registers the command on the CLI's sub-parsers (``detente.cli``).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765


def add_commands(sub: Any) -> None:
    """Add ``serve`` to the CLI's sub-parsers."""
    serve = sub.add_parser("serve", help="serve the web app over a store (read-only, loopback)")
    serve.add_argument("--db", default="detente.db", help="the store to serve: a file (default: detente.db) or postgresql://USER@HOST/DB")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port to listen on (default: {DEFAULT_PORT})")
    serve.set_defaults(func=cmd_serve)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> list[str] | None:
    """Host headers a loopback server answers (a guard against DNS rebinding); else any."""
    if not is_loopback(host):
        return None
    return sorted({host, "localhost", "127.0.0.1", "::1", "[::1]"})


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..errors import DetenteError
    from .app import create_app

    if not 0 < args.port < 65536:
        raise DetenteError(f"--port {args.port} is not a port: use 1-65535")
    if not is_loopback(args.host):
        logger.warning("serving on %s: other machines can reach this app (it is read-only)", args.host)
    app = create_app(args.db, allowed_hosts=allowed_hosts(args.host))
    print(f"detente: serving {args.db} at {url(args.host, args.port)} (Ctrl-C stops it)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
