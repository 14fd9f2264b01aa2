"""Each conversation's written standard in the gateway: sticky, shared by the workers through Redis,
and kept by the worker itself while Redis is down."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from redis.exceptions import ConnectionError as RedisConnectionError

from api.language import ConversationLanguages
from api.redis_state import RedisLink


class _Redis:
    """GET and SET of a shared Redis, or a Redis that is down."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.down = False
        self.expiries: list[int] = []

    async def get(self, key: str) -> bytes | None:
        if self.down:
            raise RedisConnectionError("down")
        value = self.values.get(key)
        return value.encode() if value is not None else None

    async def set(self, key: str, value: str, ex: int) -> None:
        if self.down:
            raise RedisConnectionError("down")
        self.values[key] = value
        self.expiries.append(ex)


def _worker(redis: _Redis, default: str = "nb") -> ConversationLanguages:
    link = RedisLink("redis://127.0.0.1:1/0")
    link.client = cast(Any, redis)
    return ConversationLanguages(cast(Any, default), link, keep_seconds=3600)


def test_a_conversation_keeps_nynorsk_on_every_worker() -> None:
    redis = _Redis()
    first, second = _worker(redis), _worker(redis)

    async def talk() -> list[str]:
        return [
            await first.follow("w1", "Kven har ansvaret for bustad?"),
            await second.follow("w1", "og DPS?"),  # the next turn reaches the other worker
            await second.of("w1"),
            await first.of("w2"),  # another conversation: the deployment's default
        ]

    assert asyncio.run(talk()) == ["nn", "nn", "nn", "nb"]
    assert redis.expiries == [3600, 3600]


def test_while_redis_is_down_the_worker_remembers_itself() -> None:
    redis = _Redis()
    worker = _worker(redis, default="nn")

    async def talk() -> list[str]:
        redis.down = True
        return [await worker.of("w1"), await worker.follow("w1", "Hvem har ansvaret for bolig?"), await worker.of("w1")]

    assert asyncio.run(talk()) == ["nn", "nb", "nb"]
