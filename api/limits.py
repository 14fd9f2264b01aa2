"""Refuse oversized request bodies before they are read, and senders that send too fast."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

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


class Limiter(Protocol):
    """A rate limit by key: in this process (RateLimit) or shared by all gateway workers (Redis)."""

    async def hit(self, key: str) -> int:
        """Count a hit; 0 if allowed, else the seconds to wait before the next one."""
        ...

    async def take_back(self, key: str, all_of_them: bool = False) -> None:
        """Uncount the key's last hit, or all of its hits."""
        ...


# Builds a limiter: (name, hits allowed, window in seconds); the name keeps shared counters apart.
LimiterFactory = Callable[[str, int, float], Limiter]


class RateLimit:
    """At most `limit` hits per key (a conversation, a client address, an account, or one key for
    the whole gateway) in any `window` seconds, as a sliding window. A refused hit is not counted,
    so waiting helps."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str) -> int:
        """Count a hit; 0 if allowed, else the seconds to wait before the next one."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            if len(hits) >= self._limit:
                return max(1, math.ceil(hits[0] + self._window - now))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys so the table stays small
                self._hits = {k: h for k, h in self._hits.items() if h and h[-1] > now - self._window}
            return 0

    async def take_back(self, key: str, all_of_them: bool = False) -> None:
        """Uncount the key's last hit (a log-in that was right), or all of its hits."""
        with self._lock:
            hits = self._hits.get(key)
            if hits and not all_of_them:
                hits.pop()
            elif hits is not None:
                del self._hits[key]


class TurnLimits:
    """The limits one chat turn must pass: its conversation, its client address and the whole
    gateway, so neither one flooding conversation nor many fresh ones can starve the others."""

    OVERALL = "*"

    def __init__(self, make: LimiterFactory, per_conversation: int, per_address: int, overall: int) -> None:
        self._conversation = make("conversation", per_conversation, 60.0)
        self._address = make("address", per_address, 60.0)
        self._overall = make("overall", overall, 60.0)

    async def hit(self, sender: str, address: str | None = None) -> int:
        """0 if the turn may go on, else the seconds to wait (the longest of the limits hit)."""
        waits = [await self._conversation.hit(sender), await self._overall.hit(self.OVERALL)]
        if address is not None:
            waits.append(await self._address.hit(address))
        return max(waits)


def local_limiter(clock: Callable[[], float] = time.monotonic) -> LimiterFactory:
    """Limiters that count in this process only: the single-machine default."""
    return lambda _name, limit, window: RateLimit(limit, window, clock)
