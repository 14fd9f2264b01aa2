"""Workers are told truthfully whether an advisor is on duty and, if not, when one will be."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.hours import OpeningHours

OSLO = ZoneInfo("Europe/Oslo")
HOURS = OpeningHours(frozenset(range(5)), time(8), time(15, 30), OSLO)


def _oslo(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Oslo in the week of Monday 2026-11-23."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("now", "open_"),
    [(_oslo(0, 8), True), (_oslo(2, 15, 29), True), (_oslo(2, 15, 30), False), (_oslo(4, 7, 59), False)],
)
def test_open_from_opening_until_just_before_closing(now: datetime, open_: bool) -> None:
    assert HOURS.is_open(now) is open_


def test_friday_at_four_pm_the_next_answer_is_monday_morning() -> None:
    friday = _oslo(4, 16)
    assert HOURS.next_opening(friday) == _oslo(7, 8)
    assert HOURS.describe_next(friday) == "mandag kl. 08:00"


def test_early_morning_is_today_and_evening_is_tomorrow() -> None:
    assert HOURS.describe_next(_oslo(1, 6)) == "i dag kl. 08:00"
    assert HOURS.describe_next(_oslo(1, 20)) == "i morgen kl. 08:00"


def test_times_in_utc_are_read_as_oslo_time() -> None:
    # 07:30 UTC on a winter Monday is 08:30 in Oslo
    assert HOURS.is_open(datetime(2026, 11, 23, 7, 30, tzinfo=UTC))


def test_hours_are_described_in_norwegian() -> None:
    assert HOURS.describe() == "mandag–fredag kl. 08:00–15:30"
