"""Business time counted backwards: where a deadline already passed fell (``business_instant``
with a negative duration), so an overdue clock synced again keeps its deadline instead of moving
it to the sync."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from escalations.sla.businesstime import (
    MAX_SEARCH_DAYS,
    BusinessCalendar,
    add_business_seconds,
    business_instant,
    business_seconds_between,
    subtract_business_seconds,
)

HOUR = 3600.0


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def office(timezone: str = "UTC") -> BusinessCalendar:
    """Weekdays 09:00-12:00 and 13:00-17:00."""
    hours = [(d, time(9), time(12)) for d in range(5)] + [(d, time(13), time(17)) for d in range(5)]
    return BusinessCalendar.build(timezone=timezone, hours=hours)


def test_without_a_calendar_it_is_wall_clock_time():
    assert subtract_business_seconds(None, utc(2026, 1, 12, 10), 2 * HOUR) == utc(2026, 1, 12, 8)


@pytest.mark.parametrize(
    ("end", "seconds", "expected"),
    [
        # Within one span
        (utc(2026, 1, 12, 11), HOUR, utc(2026, 1, 12, 10)),
        # Over the lunch break
        (utc(2026, 1, 12, 14), 2 * HOUR, utc(2026, 1, 12, 11)),
        # Monday 10:00 back 3 hours: one on Monday, two on Friday afternoon, over the weekend
        (utc(2026, 1, 12, 10), 3 * HOUR, utc(2026, 1, 9, 15)),
        # From a closed moment (Saturday) the count starts at Friday's close
        (utc(2026, 1, 10, 12), HOUR, utc(2026, 1, 9, 16)),
        # Exactly a span's open time: on to the close before it (the earliest such instant)
        (utc(2026, 1, 12, 12), 3 * HOUR, utc(2026, 1, 9, 17)),
        (utc(2026, 1, 12, 14), HOUR, utc(2026, 1, 12, 12)),
        # Zero: the end itself when open; at a closed moment (Saturday), Friday's close
        (utc(2026, 1, 12, 11), 0, utc(2026, 1, 12, 11)),
        (utc(2026, 1, 10, 12), 0, utc(2026, 1, 9, 17)),
        # Negative: the end itself
        (utc(2026, 1, 10, 12), -5, utc(2026, 1, 10, 12)),
        # Less than a second counts too
        (utc(2026, 1, 12, 11), 0.5, utc(2026, 1, 12, 10, 59, 59, 500000)),
        (utc(2026, 1, 12, 11), -5, utc(2026, 1, 12, 11)),
    ],
)
def test_subtracting_counts_only_opening_hours(end, seconds, expected):
    assert subtract_business_seconds(office(), end, seconds) == expected


def test_local_hours_are_kept_in_the_calendars_zone():
    # Berlin 09:00-12:00 is 08:00-11:00 UTC in winter: 10:30 back one hour is 09:30 there
    berlin = office("Europe/Berlin")
    assert subtract_business_seconds(berlin, utc(2026, 1, 12, 9, 30), HOUR) == utc(
        2026, 1, 12, 8, 30
    )


def test_the_open_time_between_the_result_and_the_end_is_what_was_asked():
    rng = random.Random(7)
    cal = office("America/New_York")
    for _ in range(300):
        end = utc(2026, 3, 1) + timedelta(seconds=rng.randrange(0, 60 * 86400))
        seconds = float(rng.randrange(1, 40 * 3600))
        start = subtract_business_seconds(cal, end, seconds)
        assert business_seconds_between(cal, start, end) == pytest.approx(seconds), (end, seconds)
        # And the count forward from there comes back to the end's open moment
        assert business_seconds_between(
            cal, add_business_seconds(cal, start, seconds), end
        ) == pytest.approx(0)


def test_a_calendar_with_no_opening_hours_is_refused_within_the_search_limit():
    closed = BusinessCalendar.build(timezone="UTC", hours=[])
    with pytest.raises(ValueError, match=f"{MAX_SEARCH_DAYS} days"):
        subtract_business_seconds(closed, utc(2026, 1, 12), HOUR)


def test_business_instant_goes_forward_or_back_by_the_sign():
    cal = office()
    monday_ten = utc(2026, 1, 12, 10)
    assert business_instant(cal, monday_ten, HOUR) == utc(2026, 1, 12, 11)
    assert business_instant(cal, monday_ten, -3 * HOUR) == utc(2026, 1, 9, 15)
    assert business_instant(cal, monday_ten, 0) == monday_ten
    # A clock that reached its target at Friday's close and is synced in the evening is due at
    # the close, not at the sync
    assert business_instant(cal, utc(2026, 1, 9, 19), 0) == utc(2026, 1, 9, 17)
    # Over the lunch break: the calendar is followed both ways
    assert business_instant(cal, utc(2026, 1, 12, 11, 30), HOUR) == utc(2026, 1, 12, 13, 30)
    assert business_instant(cal, utc(2026, 1, 12, 13, 30), -HOUR) == utc(2026, 1, 12, 11, 30)
    # A fraction of a second ahead is ahead
    assert business_instant(cal, monday_ten, 0.5) == utc(2026, 1, 12, 10, 0, 0, 500000)
