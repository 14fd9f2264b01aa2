"""Live events: an advisor's reply reaches the worker's open widget, and a new case or message
reaches the advisor console, without polling; in this process (LocalHub) or across gateway
workers (api.redis_state.RedisHub).

Everything published is already in the database, so a subscriber that was away (a reload, a
restart) catches up from there; the hub only makes it immediate.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

ADVISORS = "advisors"  # the topic every advisor console listens to
QUEUE_SIZE = 100
# An event, or None when the hub lost its link: the subscriber should reconnect and catch up.
Events = asyncio.Queue[dict[str, Any] | None]


class HubUnavailable(Exception):
    """The hub cannot deliver live events now (its Redis is down)."""


class EventHub(Protocol):
    """Publish/subscribe by topic (a sender id, or ADVISORS): in this process, or across gateway
    workers through Redis."""

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Send to the topic's subscribers; never blocks and never raises (the event is stored)."""
        ...

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[Events]:
        """The topic's events while open; raises HubUnavailable when none could arrive."""
        ...


class LocalHub:
    """In-process publish/subscribe by topic: the single-machine hub, and the fan-out inside
    each worker of the Redis hub."""

    def __init__(self) -> None:
        self._queues: dict[str, set[Events]] = defaultdict(set)

    def publish(self, topic: str, event: dict[str, Any] | None) -> None:
        """Deliver to every current subscriber of the topic; a stalled one loses the oldest."""
        for queue in list(self._queues.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Events]:
        """A queue of the topic's events for as long as the context is open."""
        queue: Events = asyncio.Queue(QUEUE_SIZE)
        self._queues[topic].add(queue)
        try:
            yield queue
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]

    def listeners(self, topic: str) -> int:
        """How many subscribers a topic has (the widget shows whether it is live)."""
        return len(self._queues.get(topic, ()))

    def end_all(self) -> None:
        """Tell every subscriber its stream has a gap (None), so it reconnects and catches up."""
        for topic in list(self._queues):
            self.publish(topic, None)
