"""Security headers on every response: a strict Content-Security-Policy for the pages, framing
only by configured sites, no MIME sniffing and no referrer leaking a page address.

The widget and console load nothing from third parties, so `'self'` suffices; styles may be
inline because deep-chat styles its shadow DOM that way. FastAPI's /docs pages load Swagger UI
from a CDN with an inline script, so they get only the framing rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOC_PATHS = ("/docs", "/redoc")


def policy(frame_ancestors: Iterable[str]) -> tuple[str, str]:
    """(policy for the pages, policy for the API documentation)."""
    framing = "frame-ancestors " + " ".join(["'self'", *frame_ancestors])
    pages = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            framing,
        ]
    )
    return pages, framing


class SecurityHeaders:
    """Adds the headers to every HTTP response."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str] = ()) -> None:
        self._app = app
        self._pages, self._docs = policy(frame_ancestors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(DOC_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self._docs if docs else self._pages
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self._app(scope, receive, with_headers)
