"""RETENTION_DAYS in the gateway: one purge over both databases, `python -m api.admin purge`, and
the hourly job, which outlives a database error."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import retention
from api.admin import main as admin
from api.main import create_app
from api.retention import purge, purge_periodically
from api.settings import Settings
from knowledge.pipeline import KnowledgePipeline
from store.database import make_engine, migrate, session_factory
from store.insights import InsightStore
from store.models import Case, utcnow
from store.retention import Purged
from tests.store.records import add_case, add_events, add_feedback, app_database, event_senders, new_tracker


def old_and_recent_data(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, int]:
    """Per kind: a closed case, feedback, insight events and Rasa events from 40 days ago and from 2 days ago, and a
    case waiting for 40 days whose conversation must stay whole. Returns the case ids by name."""
    now, tracker = utcnow(), new_tracker(Path(settings.tracker_store_db))
    long_ago, lately = now - timedelta(days=40), now - timedelta(days=2)
    cases = {
        "old closed": add_case(sessions, "w-old", "closed", long_ago, closed=long_ago),
        "recently closed": add_case(sessions, "w-recent", "closed", long_ago, closed=lately),
        "old waiting": add_case(sessions, "w-waiting", "waiting", long_ago),
    }
    for sender in ("w-old", "w-recent", "w-waiting"):
        add_events(tracker, sender, long_ago)
    add_events(tracker, "w-recent", lately)
    add_feedback(sessions, long_ago)
    add_feedback(sessions, lately)
    InsightStore(sessions).add("web", "refused", "Hva koster BPA?", at=long_ago)
    InsightStore(sessions).add("web", "answered", at=lately)
    return cases


def case_ids(sessions: sessionmaker[Session]) -> set[int]:
    with sessions() as session:
        return set(session.scalars(select(Case.id)))


def test_purge_deletes_the_old_closed_case_feedback_and_events_but_keeps_the_waiting_conversation(
    settings: Settings, tmp_path: Path
) -> None:
    sessions = app_database(tmp_path)
    cases = old_and_recent_data(settings, sessions)

    report = purge(settings, sessions)

    assert (report.purged, report.events) == (Purged(cases=1, messages=2, feedback=1, insight_events=1), 4)
    assert case_ids(sessions) == {cases["recently closed"], cases["old waiting"]}
    assert event_senders(Path(settings.tracker_store_db)) == ["w-waiting", "w-waiting", "w-recent", "w-recent"]
    assert report.cutoff.date() == (utcnow() - timedelta(days=30)).date()


@pytest.fixture
def admin_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """`python -m api.admin` reads the test's databases, as a system timer's environment would say."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TRACKER_STORE_DB", settings.tracker_store_db)
    monkeypatch.setenv("TRACKER_STORE_URL", "")
    monkeypatch.setenv("RETENTION_DAYS", "30")
    return settings


def test_admin_purge_with_old_and_recent_data_prints_in_norwegian_how_many_of_each_kind_went(
    admin_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_and_recent_data(admin_env, app_database(tmp_path))

    assert admin(["purge"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Slettet det som er eldre enn 30 dager (før ")
    assert lines[1:] == [
        "  lukkede saker: 1",
        "  meldinger i sakene: 2",
        "  tilbakemeldinger: 1",
        "  spørsmål og akutte meldinger i innsikten: 1",
        "  hendelser i Rasa: 4",
    ]


def test_admin_purge_on_an_empty_database_without_a_rasa_tracker_prints_zeros(
    admin_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(["purge"]) == 0
    assert [line.rsplit(": ", 1)[1] for line in capsys.readouterr().out.splitlines()[1:]] == ["0", "0", "0", "0", "0"]
    assert not Path(admin_env.tracker_store_db).exists()


@pytest.mark.parametrize("days", ["0", "-5", "tretti"])
def test_retention_days_below_1_or_not_a_number_is_refused(
    days: str, admin_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = app_database(tmp_path)
    cases = old_and_recent_data(admin_env, sessions)
    monkeypatch.setenv("RETENTION_DAYS", days)

    with pytest.raises(ValidationError, match="retention_days"):
        Settings()
    assert admin(["purge"]) == 1
    assert "Ugyldige innstillinger" in capsys.readouterr().err
    assert case_ids(sessions) == set(cases.values())


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether `condition` becomes true within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_hourly_purge_survives_a_database_without_tables_with_a_log_line_and_purges_once_migrated(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    database = make_engine(settings.database_url)
    sessions = session_factory(database)

    async def scenario() -> set[int]:
        job = asyncio.create_task(purge_periodically(settings, sessions, first=0.0, every=0.05))
        while "retention purge failed" not in caplog.text:
            await asyncio.sleep(0.02)
        migrate(database)
        old = add_case(sessions, "w-old", "closed", utcnow() - timedelta(days=40), closed=utcnow() - timedelta(days=40))
        while old in case_ids(sessions):
            await asyncio.sleep(0.02)
        job.cancel()
        return case_ids(sessions)

    with caplog.at_level(logging.INFO, logger="api.retention"):
        assert asyncio.run(asyncio.wait_for(scenario(), 10)) == set()
    failure = next(record for record in caplog.records if record.levelno == logging.ERROR)
    assert "no such table" in failure.getMessage() and "\n" not in failure.getMessage()
    assert "retention: deleted 1 closed cases, 2 messages" in caplog.text


def test_gateway_purges_in_the_background_while_it_answers_requests(
    settings: Settings, engine: KnowledgePipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "FIRST_RUN_SECONDS", 0.0)
    sessions = app_database(tmp_path)
    cases = old_and_recent_data(settings, sessions)

    with TestClient(create_app(settings, engine=engine)) as client:
        assert wait_for(lambda: cases["old closed"] not in case_ids(sessions))
        assert client.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?"}).status_code == 200
    assert case_ids(sessions) == {cases["recently closed"], cases["old waiting"]}
    assert "w-old" not in event_senders(Path(settings.tracker_store_db))
