"""Refuse oversized request bodies before they are read."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE_DETAIL = "Forespørselen er for stor."
_TOO_LARGE_BODY = json.dumps({"detail": TOO_LARGE_DETAIL}).encode()


class BodySizeLimit:
    """Answer 413 when the declared or streamed body exceeds `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self._app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self._max_bytes):
            await send(
                {"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": _TOO_LARGE_BODY})
            return
        seen = 0

        async def limited_receive() -> Message:
            """Count streamed bytes; FastAPI passes this HTTPException on to the error handler."""
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self._max_bytes:
                raise HTTPException(status_code=413, detail=TOO_LARGE_DETAIL)
            return message

        await self._app(scope, limited_receive, send)
