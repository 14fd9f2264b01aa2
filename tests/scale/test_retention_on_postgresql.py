"""Retention with both databases on a real PostgreSQL: the gateway's, and Rasa's tracker store
given as Rasa reads it from TRACKER_STORE_URL (`postgresql://`, psycopg2 in Rasa's environment)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine, text

from api.retention import purge
from api.settings import Settings
from devstack.services import PostgresServer
from store.database import make_engine, migrate, session_factory
from store.models import utcnow
from store.retention import Purged
from tests.store.records import add_case, add_feedback

# Rasa 3.6's SQLTrackerStore.SQLEvent table, as Rasa creates it in PostgreSQL.
RASA_EVENTS = """CREATE TABLE events (
    id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def test_purge_on_postgresql_deletes_old_closed_case_feedback_and_events_but_not_the_waiting_conversation(
    postgres_server: PostgresServer,
) -> None:
    app_url, tracker_url = postgres_server.new_database(), postgres_server.new_database()
    rasa_url = tracker_url.replace("postgresql+psycopg://", "postgresql://")
    settings = Settings(environment="test", database_url=app_url, tracker_store_url=rasa_url)
    database, tracker = make_engine(app_url), create_engine(tracker_url)
    migrate(database)
    sessions = session_factory(database)
    long_ago, lately = utcnow() - timedelta(days=40), utcnow() - timedelta(days=2)
    add_case(sessions, "w-old", "closed", long_ago, closed=long_ago)
    add_case(sessions, "w-waiting", "waiting", long_ago)
    add_feedback(sessions, long_ago)
    add_feedback(sessions, lately)
    with tracker.begin() as connection:
        connection.execute(text(RASA_EVENTS))
        for sender, at in (("w-old", long_ago), ("w-waiting", long_ago), ("w-old", lately)):
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp) VALUES (:sender, 'user', :at)"),
                {"sender": sender, "at": at.timestamp()},
            )

    try:
        report = purge(settings, sessions)
        with tracker.connect() as connection:
            left = connection.execute(text("SELECT sender_id, timestamp FROM events ORDER BY id")).all()
    finally:
        database.dispose()
        tracker.dispose()

    assert (report.purged, report.events) == (Purged(cases=1, messages=2, feedback=1, insight_events=0), 1)
    assert [sender for sender, _ in left] == ["w-waiting", "w-old"]
