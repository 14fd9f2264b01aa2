"""The purge over the gateway's database: exactly the closed cases, feedback and insight events from
before the cut-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from store.insights import InsightStore
from store.models import Case, Feedback, InsightEvent, Message
from store.retention import Purged, active_senders, purge_closed
from tests.store.records import add_case, add_feedback, app_database

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=30)


def test_cases_closed_40_days_ago_go_with_their_messages_while_one_closed_5_days_ago_stays(tmp_path: Path) -> None:
    sessions = app_database(tmp_path)
    old = add_case(sessions, "w-old", "closed", NOW - timedelta(days=45), closed=NOW - timedelta(days=40))
    recent = add_case(sessions, "w-recent", "closed", NOW - timedelta(days=45), closed=NOW - timedelta(days=5))

    purged = purge_closed(sessions, CUTOFF)

    assert purged == Purged(cases=1, messages=2, feedback=0, insight_events=0)
    with sessions() as session:
        assert set(session.scalars(select(Case.id))) == {recent}
        assert set(session.scalars(select(Message.case_id))) == {recent}
        assert session.get(Case, old) is None


def test_waiting_and_open_cases_from_60_days_ago_are_kept_with_their_messages(tmp_path: Path) -> None:
    sessions = app_database(tmp_path)
    waiting = add_case(sessions, "w-waiting", "waiting", NOW - timedelta(days=60))
    taken = add_case(sessions, "w-open", "open", NOW - timedelta(days=60))

    assert purge_closed(sessions, CUTOFF) == Purged(cases=0, messages=0, feedback=0, insight_events=0)
    with sessions() as session:
        assert set(session.scalars(select(Case.id))) == {waiting, taken}
        assert session.scalar(select(func.count()).select_from(Message)) == 4


def test_feedback_from_31_days_ago_goes_and_from_29_days_ago_stays(tmp_path: Path) -> None:
    sessions = app_database(tmp_path)
    add_feedback(sessions, NOW - timedelta(days=31))
    add_feedback(sessions, NOW - timedelta(days=29))

    assert purge_closed(sessions, CUTOFF).feedback == 1
    with sessions() as session:
        assert [at.date() for at in session.scalars(select(Feedback.at))] == [(NOW - timedelta(days=29)).date()]


def test_insight_events_from_31_days_ago_go_with_their_question_and_from_29_days_ago_stay(tmp_path: Path) -> None:
    sessions = app_database(tmp_path)
    insights = InsightStore(sessions)
    insights.add("web", "refused", "Hva koster BPA for [navn]?", at=NOW - timedelta(days=31))
    insights.add("teams", "certain", at=NOW - timedelta(days=31))
    insights.add("web", "answered", at=NOW - timedelta(days=29))

    assert purge_closed(sessions, CUTOFF).insight_events == 2
    with sessions() as session:
        assert [(e.kind, e.at.date()) for e in session.scalars(select(InsightEvent))] == [
            ("answered", (NOW - timedelta(days=29)).date())
        ]
    sessions.kw["bind"].dispose()
    assert b"BPA" not in (tmp_path / "rop.db").read_bytes()


def test_text_of_a_purged_message_is_overwritten_in_the_sqlite_file_not_only_unlinked(tmp_path: Path) -> None:
    sessions = app_database(tmp_path)
    case = add_case(sessions, "w-old", "closed", NOW - timedelta(days=45), closed=NOW - timedelta(days=40))
    with sessions.begin() as session:
        session.add(Message(case_id=case, role="worker", text="Ola Nordmann bor i Storgata 5"))

    purge_closed(sessions, CUTOFF)
    sessions.kw["bind"].dispose()  # the last connection checkpoints the write-ahead log into the file

    assert b"Storgata" not in (tmp_path / "rop.db").read_bytes()


def test_purge_on_an_empty_database_deletes_nothing(tmp_path: Path) -> None:
    assert purge_closed(app_database(tmp_path), CUTOFF) == Purged(cases=0, messages=0, feedback=0, insight_events=0)


def test_active_senders_are_those_with_a_waiting_or_open_case_not_a_closed_one(tmp_path: Path) -> None:
    sessions = app_database(tmp_path)
    add_case(sessions, "w-waiting", "waiting", NOW)
    add_case(sessions, "w-open", "open", NOW)
    add_case(sessions, "w-closed", "closed", NOW, closed=NOW)

    assert active_senders(sessions) == {"w-waiting", "w-open"}
