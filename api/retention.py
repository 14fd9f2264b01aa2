"""Deleting what is older than RETENTION_DAYS: one purge over the gateway's database and Rasa's
tracker store (`python -m api.admin purge` runs it once), and the gateway's hourly job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from api.backends import first_line
from api.settings import Settings
from store.models import utcnow
from store.rasa_tracker import purge_events, tracker_url
from store.retention import Purged, active_senders, purge_closed

logger = logging.getLogger(__name__)

# The first purge waits until start-up is over; a gateway that keeps restarting still purges.
FIRST_RUN_SECONDS = 60.0
EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class RetentionReport:
    """What one purge deleted, and from before when."""

    cutoff: datetime
    purged: Purged
    events: int


def purge(settings: Settings, sessions: sessionmaker[Session], now: datetime | None = None) -> RetentionReport:
    """Delete what is older than the retention period. Rasa's events go after the cases, and
    those of senders whose case is still waiting or open are kept. Blocking: run in a thread."""
    cutoff = (now or utcnow()) - timedelta(days=settings.retention_days)
    purged = purge_closed(sessions, cutoff)
    tracker = tracker_url(settings.tracker_store_url, settings.tracker_store_db)
    return RetentionReport(cutoff, purged, purge_events(tracker, cutoff, active_senders(sessions)))


@asynccontextmanager
async def scheduled_purge(settings: Settings, sessions: sessionmaker[Session]) -> AsyncIterator[None]:
    """Purge in the background every hour for as long as the gateway serves."""
    task = asyncio.create_task(purge_periodically(settings, sessions, FIRST_RUN_SECONDS, EVERY_SECONDS))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def purge_periodically(settings: Settings, sessions: sessionmaker[Session], first: float, every: float) -> None:
    """Purge after `first` seconds, then every `every` seconds, in a worker thread so requests
    never wait. A failure (a database that does not answer) is logged and tried again later."""
    await asyncio.sleep(first)
    while True:
        try:
            report = await run_in_threadpool(purge, settings, sessions)
            logger.info(
                "retention: deleted %d closed cases, %d messages, %d feedback, %d insight events, %d Rasa events "
                "from before %s",
                report.purged.cases,
                report.purged.messages,
                report.purged.feedback,
                report.purged.insight_events,
                report.events,
                f"{report.cutoff:%Y-%m-%d %H:%M} UTC",
            )
        except Exception as error:  # the job must outlive any one failure
            logger.error("retention purge failed (next try in %.0f min): %s", every / 60, first_line(error))
        await asyncio.sleep(every)
