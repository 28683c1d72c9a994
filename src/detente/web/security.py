"""Headers and method rules every response of the web app carries.

The app is read-only and offline by construction: only GET and HEAD are answered, and
every response carries a Content-Security-Policy that allows nothing but the app's own
stylesheet and inline SVG (no script at all, no frame, no form posting elsewhere).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

ALLOWED_METHODS = frozenset({"GET", "HEAD"})

_REFUSED = (
    b"<!doctype html><title>Method not allowed</title>"
    b"<p>This detente app is read-only: only GET and HEAD requests are answered.</p>"
)
_FAILED = (
    b"<!doctype html><title>Something went wrong</title>"
    b"<p>detente could not build this page; the server's log says why. "
    b"Try again, or go back to <a href=\"/\">the home page</a>.</p>"
)


class SecurityHeaders:
    """ASGI middleware: refuse other methods than GET/HEAD, add the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ALLOWED_METHODS:
            await _answer(send, 405, _REFUSED, [(b"allow", b"GET, HEAD")])
            return

        head = scope["method"] == "HEAD"
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            elif head and message["type"] == "http.response.body":
                # HEAD is answered as GET without the body (the length stays the GET's).
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app({**scope, "method": "GET"} if head else scope, receive, send_with_headers)
        except Exception:
            # A page, never a traceback: the details go to the log.
            logger.exception("error answering %s %s", scope["method"], scope.get("path"))
            if not started:
                await _answer(send, 500, _FAILED)


async def _answer(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
        *HEADERS,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
