"""State shared by all gateway workers through Redis: live events by pub/sub and rate limits as
sliding windows, so a reply sent through one worker reaches a stream held by another, and a limit
counts every worker's hits.

Redis only makes things immediate and shared; nothing is stored only there. While it is down,
streams end (clients fetch what they missed from the database), limits count in each worker,
and a watcher reconnects with growing pauses instead of failing the worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from api.hub import Events, HubUnavailable, LocalHub
from api.limits import Limiter, RateLimit

logger = logging.getLogger(__name__)

CHANNELS = "rop:events:"
LIMIT_KEYS = "rop:limit:"
TIMEOUT_SECONDS = 1.0  # a hung Redis must not hold a chat turn longer than this
LISTEN_SECONDS = 5.0  # an idle subscription wakes this often (and pings Redis every 5 s)
FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS = 0.5, 30.0
OUTBOX_SIZE = 1000
FAILURES = (RedisError, OSError)

# KEYS[1] the key's hits (a sorted set scored by Redis's own clock in ms, so the workers' clocks
# do not matter); ARGV: limit, window in ms, a unique member. One script, so the check and the
# count cannot interleave with another worker's.
SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.ceil((tonumber(oldest[2]) + window - now) / 1000))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


class RedisLink:
    """The worker's Redis client and whether Redis answers. After a failure the limiters leave
    Redis alone for a short pause, so an outage does not cost every turn a timeout."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic) -> None:
        # One quick retry (a pooled connection from before a Redis restart), not redis-py's ten with
        # pauses, which would hold every turn for seconds while Redis is down.
        self.client = _client(url, retries=1)
        # The subscription never reconnects on its own: a gap in the events must end the streams.
        self.listener = _client(url, retries=0)
        self.listening = False  # the hub's subscription is live
        self._clock = clock
        self._failed_at: float | None = None
        self._problem = "ikke kontaktet ennå"

    def failed(self, error: BaseException) -> None:
        """Redis did not answer."""
        if self._failed_at is None:
            logger.warning("redis: %s", error)
        self._failed_at = self._clock()
        self._problem = str(error) or type(error).__name__

    def worked(self) -> None:
        """Redis answered."""
        self._failed_at = None

    def worth_trying(self) -> bool:
        """False for a moment after a failure."""
        return self._failed_at is None or self._clock() - self._failed_at > FIRST_RETRY_SECONDS

    def status(self) -> str:
        """`ok`, or what is wrong and what it means for the users, in Norwegian."""
        if self.listening and self._failed_at is None:
            return "ok"
        return (
            f"Redis svarer ikke ({self._problem}): rådgiversvar vises først når chatten kobler til igjen, "
            "og grensene telles i hver gateway-prosess for seg"
        )


def _client(url: str, retries: int) -> Redis:
    return Redis.from_url(
        url,
        retry=Retry(NoBackoff(), retries),
        socket_connect_timeout=TIMEOUT_SECONDS,
        socket_timeout=TIMEOUT_SECONDS,
        health_check_interval=5,
    )


class RedisRateLimit:
    """RateLimit's sliding window, kept in Redis for all workers; this worker's own window while
    Redis is down, so a limit never falls away entirely."""

    def __init__(self, link: RedisLink, name: str, limit: int, window: float) -> None:
        self._link = link
        self._prefix = f"{LIMIT_KEYS}{name}:"
        self._limit = limit
        self._window_ms = int(window * 1000)
        self._script = link.client.register_script(SLIDING_WINDOW)
        self._fallback = RateLimit(limit, window)

    async def hit(self, key: str) -> int:
        """Count a hit; 0 if allowed, else the seconds to wait before the next one."""
        if self._link.worth_trying():
            try:
                args: list[int | str] = [self._limit, self._window_ms, uuid.uuid4().hex]
                wait = await self._script(keys=[self._prefix + key], args=args)
                self._link.worked()
                return int(wait)
            except FAILURES as error:
                self._link.failed(error)
        return await self._fallback.hit(key)

    async def take_back(self, key: str, all_of_them: bool = False) -> None:
        """Uncount the key's last hit, or all of its hits."""
        await self._fallback.take_back(key, all_of_them)
        try:
            if all_of_them:
                await self._link.client.delete(self._prefix + key)
            else:
                await self._link.client.zpopmax(self._prefix + key)
        except FAILURES as error:
            self._link.failed(error)


def redis_limiter(link: RedisLink) -> Callable[[str, int, float], Limiter]:
    """Limiters shared by all workers through `link`."""
    return lambda name, limit, window: RedisRateLimit(link, name, limit, window)


class RedisHub:
    """The event hub across workers: `publish` goes to a Redis channel per topic; each worker
    listens to all of them and hands an event to its own subscribers of that topic."""

    def __init__(self, link: RedisLink) -> None:
        self._link = link
        self._local = LocalHub()
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(OUTBOX_SIZE)

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Queue for the sender task, which keeps the order; dropped when Redis is far behind."""
        try:
            self._outbox.put_nowait((CHANNELS + topic, json.dumps(event, ensure_ascii=False)))
        except asyncio.QueueFull:
            logger.warning("redis hub: outbox full, live event for %s dropped (it is stored)", topic)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Events]:
        """This worker's queue of the topic's events; HubUnavailable while not listening."""
        if not self._link.listening:
            raise HubUnavailable
        async with self._local.subscribe(topic) as queue:
            yield queue

    async def run(self) -> None:
        """Send and listen until cancelled."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._send())
            tasks.create_task(self._listen())

    async def _send(self) -> None:
        """Publish queued events in order; one that fails is logged and dropped (it is stored)."""
        while True:
            channel, data = await self._outbox.get()
            try:
                await self._link.client.publish(channel, data)
            except FAILURES as error:
                self._link.failed(error)

    async def _listen(self) -> None:
        """Subscribe to every topic and hand events on; after a lost link, end the streams (they
        had a gap) and subscribe again after a pause that grows while Redis stays away."""
        pause = FIRST_RETRY_SECONDS
        while True:
            try:
                async with self._link.listener.pubsub() as pubsub:
                    await pubsub.psubscribe(CHANNELS + "*")
                    if await pubsub.get_message(timeout=TIMEOUT_SECONDS) is None:
                        raise TimeoutError("no answer to the subscription")
                    self._link.listening = True
                    self._link.worked()
                    pause = FIRST_RETRY_SECONDS
                    await self._relay(pubsub)
            except FAILURES as error:
                self._link.failed(error)
            finally:
                self._link.listening = False
                self._local.end_all()
            await asyncio.sleep(pause)
            pause = min(pause * 2, LAST_RETRY_SECONDS)

    async def _relay(self, pubsub: PubSub) -> None:
        """Hand each event to this worker's subscribers of its topic, until the link fails."""
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_SECONDS)
            if message is not None and message["type"] == "pmessage":
                topic = message["channel"].decode().removeprefix(CHANNELS)
                self._local.publish(topic, json.loads(message["data"]))
