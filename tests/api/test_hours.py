"""Workers are told truthfully whether an advisor is on duty and, if not, when one will be."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.hours import OpeningHours, norwegian_public_holidays

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
    assert HOURS.describe() == "mandag–fredag kl. 08:00–15:30 (ikke helligdager)"


def test_norwegian_public_holidays_include_easter_ascension_whitsun_and_fixed_days() -> None:
    holidays = norwegian_public_holidays(2027)  # Easter Sunday 28 March 2027
    expected = {(3, 25), (3, 26), (3, 28), (3, 29), (5, 6), (5, 16), (5, 17), (1, 1), (5, 1), (12, 25), (12, 26)}
    assert {(d.month, d.day) for d in holidays} == expected


def test_advisors_are_closed_on_17_mai_and_the_next_answer_is_the_day_after() -> None:
    seventeenth = datetime(2027, 5, 17, 10, tzinfo=OSLO)  # a Monday, and Whit Monday too
    assert not HOURS.is_open(seventeenth)
    assert HOURS.describe_next(seventeenth) == "i morgen kl. 08:00"


def test_wednesday_before_easter_after_closing_the_next_answer_is_tuesday_after_easter() -> None:
    assert HOURS.next_opening(datetime(2027, 3, 24, 16, tzinfo=OSLO)) == datetime(2027, 3, 30, 8, tzinfo=OSLO)


def test_a_service_open_on_holidays_can_say_so() -> None:
    always = OpeningHours(frozenset(range(7)), time(8), time(22), OSLO, holidays_open=True)
    assert always.is_open(datetime(2027, 12, 25, 12, tzinfo=OSLO))
    assert always.describe() == "mandag–søndag kl. 08:00–22:00"
