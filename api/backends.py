"""Where the gateway keeps what its workers share: the database always, Redis when REDIS_URL is
set. Chosen here, once, so the rest of the gateway sees only the EventHub and Limiter interfaces.

Neither server has to be up when the gateway starts: the database is migrated as soon as it
answers and Redis is reconnected in the background; `/health` says what is missing meanwhile,
instead of the process failing and being restarted in a loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from api.hub import EventHub, LocalHub
from api.limits import LimiterFactory, local_limiter
from api.redis_state import FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS, RedisHub, RedisLink, redis_limiter
from store.database import migrate

logger = logging.getLogger(__name__)

DATABASE_CHECK_SECONDS = 3.0


class Backends:
    """The hub, the limiters and the database of one gateway worker, and their health."""

    def __init__(self, database: Engine, redis_url: str) -> None:
        self.database = database
        self.redis = RedisLink(redis_url) if redis_url else None
        self.hub: EventHub = RedisHub(self.redis) if self.redis else LocalHub()
        self.limiter: LimiterFactory = redis_limiter(self.redis) if self.redis else local_limiter()
        self._migrated = False
        self._database_problem = "ikke kontaktet ennå"

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Migrate the database (retried in the background if it does not answer) and keep the
        Redis hub connected, for as long as the gateway serves."""
        await self._migrate()
        background = []
        if not self._migrated:
            background.append(asyncio.create_task(self._migrate_until_done()))
        if isinstance(self.hub, RedisHub):
            background.append(asyncio.create_task(self.hub.run()))
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            if self.redis:
                await self.redis.client.aclose()
                await self.redis.listener.aclose()

    async def status(self) -> dict[str, str]:
        """`database` and, with Redis, `redis`: "ok" or what is wrong, in Norwegian."""
        components = {"database": await self._database_status()}
        if self.redis:
            components["redis"] = self.redis.status()
        return components

    async def _migrate(self) -> None:
        try:
            await run_in_threadpool(migrate, self.database)
            self._migrated = True
        except SQLAlchemyError as error:
            logger.error("database not migrated (retrying): %s", error)
            self._database_problem = first_line(error)

    async def _migrate_until_done(self) -> None:
        pause = FIRST_RETRY_SECONDS
        while not self._migrated:
            await asyncio.sleep(pause)
            pause = min(pause * 2, LAST_RETRY_SECONDS)
            await self._migrate()
        logger.info("database migrated")

    async def _database_status(self) -> str:
        if self._migrated:
            try:
                await asyncio.wait_for(run_in_threadpool(self._ping), DATABASE_CHECK_SECONDS)
                return "ok"
            except (SQLAlchemyError, TimeoutError) as error:
                self._database_problem = first_line(error)
        return f"databasen svarer ikke ({self._database_problem}): saker og rådgiverinnlogging virker ikke nå"

    def _ping(self) -> None:
        with self.database.connect() as connection:
            connection.execute(text("SELECT 1"))


def first_line(error: BaseException) -> str:
    """The driver's message without SQLAlchemy's appended SQL and links."""
    if isinstance(error, TimeoutError):
        return f"intet svar på {DATABASE_CHECK_SECONDS:.0f} s"
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__
