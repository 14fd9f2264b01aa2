"""Live events inside the gateway: an advisor's reply reaches the worker's open widget, and a
new case or message reaches the advisor console, without polling.

Everything published is already in the database, so a subscriber that was away (a reload, a
restart) catches up from there; the hub only makes it immediate.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

ADVISORS = "advisors"  # the topic every advisor console listens to
QUEUE_SIZE = 100


class EventHub:
    """In-process publish/subscribe by topic (a sender id, or ADVISORS)."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Deliver to every current subscriber of the topic; a stalled one loses the oldest."""
        for queue in list(self._queues.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue of the topic's events for as long as the context is open."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
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
