"""Rows dated in the past for the retention tests: cases, feedback and Rasa's tracker events."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from store.database import make_engine, migrate, session_factory
from store.models import Case, Feedback, Message

# Rasa 3.6's SQLTrackerStore.SQLEvent table, as Rasa creates it in SQLite.
RASA_EVENTS = """CREATE TABLE events (
    id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def app_database(folder: Path) -> sessionmaker[Session]:
    """A migrated gateway database in `folder`."""
    engine = make_engine(f"sqlite:///{folder}/rop.db")
    migrate(engine)
    return session_factory(engine)


def add_case(
    sessions: sessionmaker[Session], sender: str, status: str, created: datetime, closed: datetime | None = None
) -> int:
    """A case with a worker's question and the bot's reply, written when it was created."""
    with sessions() as session, session.begin():
        case = Case(sender=sender, channel="web", status=status, reason="asked", created_at=created, closed_at=closed)
        case.messages = [
            Message(role="worker", text="Hvem har ansvaret?", at=created),
            Message(role="bot", text="NAV.", at=created),
        ]
        session.add(case)
    return case.id


def add_feedback(sessions: sessionmaker[Session], at: datetime) -> None:
    """A thumbs up given at `at`."""
    with sessions() as session, session.begin():
        session.add(Feedback(rating="up", sources=["rop:god-samhandling-3:1"], at=at))


def new_tracker(path: Path) -> Path:
    """An empty tracker store as Rasa leaves it after its first start."""
    with _connected(path) as connection:
        connection.execute(RASA_EVENTS)
    return path


def add_events(path: Path, sender: str, at: datetime, count: int = 2) -> None:
    """`count` of Rasa's events for `sender`, stamped `at`."""
    rows = [(sender, "user", at.timestamp(), f'{{"text": "melding {n}"}}') for n in range(count)]
    with _connected(path) as connection:
        connection.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)", rows)


def event_senders(path: Path) -> list[str]:
    """The sender of every event left, in order."""
    with _connected(path) as connection:
        return [sender for (sender,) in connection.execute("SELECT sender_id FROM events ORDER BY id")]


@contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to `path` that commits and closes when done."""
    with closing(sqlite3.connect(path)) as connection, connection:
        yield connection
