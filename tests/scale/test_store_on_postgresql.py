"""The store behaves the same on SQLite (the single-machine default) and on a real PostgreSQL
(the scaled profile): migrations, cases, advisors, the audit log and feedback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect, text

from knowledge.settings import PROJECT_ROOT
from store.advisors import AdvisorExists, AdvisorStore
from store.audit import AuditLog
from store.cases import CaseStore
from store.database import make_engine, migrate, session_factory
from store.feedback import FeedbackStore

TABLES = {"advisors", "cases", "messages", "audit_log", "feedback", "alembic_version"}


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_migrations_create_every_table_and_can_run_again(database: Engine) -> None:
    migrate(database)  # a second gateway starting later finds the schema current
    assert set(inspect(database).get_table_names()) >= TABLES
    with database.connect() as connection:
        [head] = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    newest = max(path.name[:4] for path in (PROJECT_ROOT / "store" / "migrations" / "versions").glob("0*.py"))
    assert head.startswith(newest)


def test_workers_starting_together_migrate_once_without_failing(database_url: str) -> None:
    command = [
        sys.executable,
        "-c",
        f"from store.database import make_engine, migrate; migrate(make_engine({database_url!r}))",
    ]
    workers = [subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE) for _ in range(3)]
    errors = [worker.communicate(timeout=120)[1].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], errors  # no "relation already exists"
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_a_case_keeps_its_transcript_in_order_with_utc_times(database: Engine) -> None:
    cases, advisors = CaseStore(session_factory(database)), AdvisorStore(session_factory(database))
    password, _ = advisors.add("kari")
    kari = advisors.by_password("kari", password)
    assert kari is not None
    case, created = cases.open("w1", "web", "asked", [("worker", "Hei"), ("bot", "Hei, hva lurer du på?")], {"a": 1})
    again, created_again = cases.open("w1", "web", "asked", [])
    assert created and not created_again and again.id == case.id
    cases.add_message(case.id, "worker", "Æ lure på bolig – ÆØÅ æøå")
    cases.add_message(case.id, "advisor", "Ring NAV", kari.id)
    stored = cases.get(case.id)
    assert stored is not None and stored.conversation == {"a": 1}
    assert [(m.role, m.text) for m in stored.messages][-2:] == [
        ("worker", "Æ lure på bolig – ÆØÅ æøå"),
        ("advisor", "Ring NAV"),
    ]
    assert stored.messages[-1].advisor is not None and stored.messages[-1].advisor.name == "kari"
    assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset() == timedelta(0)


def test_of_two_advisors_taking_a_case_at_once_only_one_gets_it(database: Engine) -> None:
    sessions = session_factory(database)
    cases, advisors = CaseStore(sessions), AdvisorStore(sessions)
    ids = [_advisor_id(advisors, name) for name in ("kari", "ola")]
    case, _ = cases.open("w1", "web", "asked", [])
    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda advisor_id: cases.take(case.id, advisor_id)[1], ids))
    assert sorted(got) == [False, True]
    taken = cases.get(case.id)
    assert taken is not None and taken.status == "open" and taken.advisor_id == ids[got.index(True)]


def test_a_closed_case_leaves_the_queue_and_stays_the_latest(database: Engine) -> None:
    cases = CaseStore(session_factory(database))
    first, _ = cases.open("w1", "web", "asked", [])
    second, _ = cases.open("w2", "web", "asked", [])
    assert [c.id for c in cases.list()] == [first.id, second.id]  # oldest first
    closed = cases.close(first.id)
    assert closed is not None and closed.status == "closed" and closed.closed_at is not None
    assert [c.id for c in cases.list()] == [second.id]
    assert cases.active("w1") is None and (latest := cases.latest("w1")) is not None and latest.id == first.id


def test_advisor_credentials_and_ending_sessions(database: Engine) -> None:
    advisors = AdvisorStore(session_factory(database))
    password, token = advisors.add("kari", role="admin")
    with pytest.raises(AdvisorExists):
        advisors.add("kari")
    advisor = advisors.by_password("kari", password)
    assert advisor is not None and advisor.is_admin and advisors.by_token(token) is not None
    assert advisors.by_password("kari", "feil") is None and advisors.by_password("ukjent", password) is None
    advisors.end_sessions(advisor.id)
    again = advisors.get(advisor.id)
    assert again is not None and again.session_version == advisor.session_version + 1


def test_audit_log_lists_newest_first_and_cuts_long_names(database: Engine) -> None:
    audit = AuditLog(session_factory(database))
    audit.record("login_failed", "x" * 200, address="203.0.113.9")
    audit.record("login", "kari", address="203.0.113.9")
    newest, oldest = audit.recent()
    assert newest.name == "kari" and len(oldest.name) == 80


def test_feedback_keeps_its_quoted_passages(database: Engine) -> None:
    feedback = FeedbackStore(session_factory(database))
    feedback.add("down", ["rop:god-samhandling-3:1", "rop:sammen-om-mestring-2:4"])
    [stored] = feedback.all()
    assert stored.rating == "down" and stored.sources == ["rop:god-samhandling-3:1", "rop:sammen-om-mestring-2:4"]


def _advisor_id(advisors: AdvisorStore, name: str) -> int:
    password, _ = advisors.add(name)
    advisor = advisors.by_password(name, password)
    assert advisor is not None
    return advisor.id
