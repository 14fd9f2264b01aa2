"""Rasa's events older than the cut-off are deleted, except those of conversations with an active case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store import rasa_tracker
from store.rasa_tracker import purge_events, tracker_url
from tests.store.records import add_events, event_senders, new_tracker

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=30)


def test_events_from_40_days_ago_are_deleted_and_from_2_days_ago_kept(tmp_path: Path) -> None:
    tracker = new_tracker(tmp_path / "rasa-tracker.db")
    add_events(tracker, "w-old", NOW - timedelta(days=40), count=3)
    add_events(tracker, "w-both", NOW - timedelta(days=31))
    add_events(tracker, "w-both", NOW - timedelta(days=2))

    assert purge_events(tracker_url("", str(tracker)), CUTOFF, keep=set()) == 5
    assert event_senders(tracker) == ["w-both", "w-both"]


def test_events_from_90_days_ago_of_a_sender_with_an_open_case_are_kept(tmp_path: Path) -> None:
    tracker = new_tracker(tmp_path / "rasa-tracker.db")
    add_events(tracker, "w-open-case", NOW - timedelta(days=90))
    add_events(tracker, "w-closed-case", NOW - timedelta(days=90))

    assert purge_events(tracker_url("", str(tracker)), CUTOFF, keep={"w-open-case"}) == 2
    assert event_senders(tracker) == ["w-open-case", "w-open-case"]


def test_12_old_events_are_all_deleted_in_batches_of_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa_tracker, "BATCH", 5)
    tracker = new_tracker(tmp_path / "rasa-tracker.db")
    add_events(tracker, "w-chatty", NOW - timedelta(days=40), count=12)
    add_events(tracker, "w-chatty", NOW - timedelta(days=1))

    assert purge_events(tracker_url("", str(tracker)), CUTOFF, keep=set()) == 12
    assert event_senders(tracker) == ["w-chatty", "w-chatty"]


def test_text_of_a_purged_event_is_overwritten_in_the_sqlite_file(tmp_path: Path) -> None:
    tracker = new_tracker(tmp_path / "rasa-tracker.db")
    add_events(tracker, "w-old", NOW - timedelta(days=40), count=20)

    purge_events(tracker_url("", str(tracker)), CUTOFF, keep=set())

    assert b"melding" not in tracker.read_bytes()


def test_missing_tracker_file_before_rasa_first_started_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "rasa-tracker.db"
    assert tracker_url("", str(missing)) is None
    assert purge_events(None, CUTOFF, keep=set()) == 0
    assert not missing.exists()


def test_tracker_file_without_rasa_events_table_deletes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "rasa-tracker.db"
    empty.touch()
    assert purge_events(tracker_url("", str(empty)), CUTOFF, keep=set()) == 0


def test_relative_tracker_db_var_rasa_tracker_db_is_found_in_the_project_folder_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    (project / "var").mkdir(parents=True)
    elsewhere.mkdir()
    new_tracker(project / "var" / "rasa-tracker.db")
    monkeypatch.setattr(rasa_tracker, "PROJECT_ROOT", project)
    monkeypatch.chdir(elsewhere)

    url = tracker_url("", "var/rasa-tracker.db")
    assert url is not None and url.database == str(project / "var" / "rasa-tracker.db")


def test_rasa_postgresql_url_is_read_with_psycopg_3() -> None:
    url = tracker_url("postgresql://rop:hemmelig@db.kommune.no:5432/rop", "var/rasa-tracker.db")
    assert url is not None
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "db.kommune.no", "rop")
    assert url.password == "hemmelig"
