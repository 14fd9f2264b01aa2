"""Retention in Rasa's tracker store: events older than the cut-off are deleted, except those of
conversations that still have a waiting or open case.

The table is Rasa 3.6's `SQLTrackerStore.SQLEvent` (rasa/core/tracker_store.py): `events` with
`id`, `sender_id` and `timestamp` (seconds since 1970 as a float), among others. Rasa creates it;
this module only deletes rows, in small batches, so Rasa's own writes never wait long for a lock.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    inspect,
    select,
)
from sqlalchemy.engine import URL, make_url

from knowledge.settings import PROJECT_ROOT

EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
)
BATCH = 5000


def tracker_url(url: str, db: str) -> URL | None:
    """The database Rasa uses for `endpoints.yml` (TRACKER_STORE_URL, else the SQLite file
    TRACKER_STORE_DB relative to the project), or None while that file does not exist yet.
    Rasa's `postgresql://` means psycopg2 there; here the driver is psycopg 3."""
    if url:
        parsed = make_url(url)
        if parsed.drivername in ("postgres", "postgresql"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    path = PROJECT_ROOT / db  # an absolute path stays as it is
    return URL.create("sqlite", database=str(path)) if path.is_file() else None


def purge_events(url: URL | None, cutoff: datetime, keep: Collection[str]) -> int:
    """Delete events older than `cutoff` of every sender not in `keep`; how many were deleted.
    Nothing to do before Rasa has created its database and table."""
    if url is None:
        return 0
    engine = _engine(url)
    try:
        if not inspect(engine).has_table(EVENTS.name):
            return 0
        old = select(EVENTS.c.id).where(EVENTS.c.timestamp < cutoff.timestamp(), EVENTS.c.sender_id.not_in(keep))
        batch = delete(EVENTS).where(EVENTS.c.id.in_(old.limit(BATCH).scalar_subquery()))
        total = 0
        while True:
            with engine.begin() as connection:
                deleted = connection.execute(batch).rowcount
            total += deleted
            if deleted < BATCH:
                return total
    finally:
        engine.dispose()


def _engine(url: URL) -> Engine:
    """An engine that gives up on a silent server or a long-held SQLite lock after a while. In
    SQLite the deleted events are overwritten in the file, not only marked free."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, connect_args={"connect_timeout": 5})
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _secure_delete(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA secure_delete=ON")

    return engine
