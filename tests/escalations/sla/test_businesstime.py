"""Business-time arithmetic: nights, weekends, holidays, DST changes, midnight, overnight spans."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalations.sla.businesstime import (
    BusinessCalendar,
    add_business_seconds,
    business_seconds_between,
)

HOUR = 3600.0
WEEKDAYS_9_TO_5 = [(w, time(9), time(17)) for w in range(5)]


def berlin_office(**kwargs) -> BusinessCalendar:
    return BusinessCalendar.build(timezone="Europe/Berlin", hours=WEEKDAYS_9_TO_5, **kwargs)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        pytest.param(utc(2026, 1, 12, 8), utc(2026, 1, 12, 16), 8.0, id="one-full-day-winter"),
        pytest.param(utc(2026, 1, 12, 15), utc(2026, 1, 13, 9), 2.0, id="across-a-night"),
        pytest.param(utc(2026, 1, 16, 15), utc(2026, 1, 19, 9), 2.0, id="across-a-weekend"),
        pytest.param(utc(2026, 1, 17, 10), utc(2026, 1, 18, 20), 0.0, id="inside-a-weekend"),
        pytest.param(utc(2026, 1, 12, 16), utc(2026, 1, 12, 10), 0.0, id="end-before-start"),
    ],
)
def test_business_seconds_between_counts_only_opening_hours(start, end, hours):
    # Given a Berlin office open 9-17 on weekdays (UTC+1 in winter)
    cal = berlin_office()
    # When / Then
    assert business_seconds_between(cal, start, end) == hours * HOUR


def test_public_and_custom_holidays_are_closed():
    # Given a German calendar (Good Friday 2026-04-03, Easter Monday 2026-04-06) + a custom day
    cal = berlin_office(holiday_country="DE", closed_dates=[date(2026, 4, 2)])
    # When measuring Wednesday 16:00 to Tuesday 10:00 local time (CEST = UTC+2)
    elapsed = business_seconds_between(cal, utc(2026, 4, 1, 14), utc(2026, 4, 7, 8))
    # Then only Wednesday's last hour and Tuesday's first hour count
    assert elapsed == 2 * HOUR
    assert add_business_seconds(cal, utc(2026, 4, 1, 14), 1.5 * HOUR) == utc(2026, 4, 7, 7, 30)


def test_subdivision_holidays_apply_only_to_their_subdivision():
    # Given Epiphany (2026-01-06) is a holiday in Bavaria but not in Berlin
    bavaria = berlin_office(holiday_country="DE", holiday_subdivision="BY")
    berlin = berlin_office(holiday_country="DE", holiday_subdivision="BE")
    day = (utc(2026, 1, 6, 0), utc(2026, 1, 7, 0))
    # Then
    assert business_seconds_between(bavaria, *day) == 0.0
    assert business_seconds_between(berlin, *day) == 8 * HOUR


def test_spring_forward_day_has_23_hours_on_a_24_7_calendar():
    # Given a round-the-clock calendar in Berlin; DST starts 2026-03-29 at 02:00 local
    cal = BusinessCalendar.build(
        timezone="Europe/Berlin", hours=[(w, time(0), time(0)) for w in range(7)]
    )
    # When measuring local midnight to local midnight (23:00 UTC on 28th to 22:00 UTC on 29th)
    elapsed = business_seconds_between(cal, utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    # Then
    assert elapsed == 23 * HOUR


def test_office_hours_follow_local_time_across_dst_end():
    # Given DST ends 2026-10-25: Friday 9-17 is 07-15 UTC, Monday 9-17 is 08-16 UTC
    cal = berlin_office()
    # When adding 10 hours from Friday 09:00 local
    due = add_business_seconds(cal, utc(2026, 10, 23, 7), 10 * HOUR)
    # Then it lands Monday 11:00 local = 10:00 UTC
    assert due == utc(2026, 10, 26, 10)
    assert business_seconds_between(cal, utc(2026, 10, 23, 7), due) == 10 * HOUR


def test_end_midnight_means_the_end_of_the_day():
    # Given a span 18:00-00:00 on Mondays in UTC
    cal = BusinessCalendar.build(timezone="UTC", hours=[(0, time(18), time(0))])
    # Then Monday 23:00 + 1 hour is exactly Tuesday 00:00 (not the next Monday)
    assert add_business_seconds(cal, utc(2026, 1, 12, 23), HOUR) == utc(2026, 1, 13, 0)
    assert add_business_seconds(cal, utc(2026, 1, 12, 23), HOUR + 1) == utc(2026, 1, 19, 18, 0, 1)
    assert business_seconds_between(cal, utc(2026, 1, 12, 0), utc(2026, 1, 14, 0)) == 6 * HOUR


def test_overnight_span_runs_into_the_next_day():
    # Given a night shift Monday 22:00 to Tuesday 06:00 in UTC
    cal = BusinessCalendar.build(timezone="UTC", hours=[(0, time(22), time(6))])
    # Then
    assert business_seconds_between(cal, utc(2026, 1, 12, 0), utc(2026, 1, 14, 0)) == 8 * HOUR
    assert add_business_seconds(cal, utc(2026, 1, 12, 21), 3 * HOUR) == utc(2026, 1, 13, 1)


def test_several_spans_a_day_with_minute_precision():
    # Given Monday 09:15-12:30 and 13:45-17:05 in New York
    cal = BusinessCalendar.build(
        timezone="America/New_York",
        hours=[(0, time(9, 15), time(12, 30)), (0, time(13, 45), time(17, 5))],
    )
    # When / Then (EST = UTC-5)
    assert (
        business_seconds_between(cal, utc(2026, 1, 12, 0), utc(2026, 1, 13, 0))
        == ((3 * 60 + 15) + (3 * 60 + 20)) * 60.0
    )
    assert add_business_seconds(cal, utc(2026, 1, 12, 14), 3.5 * HOUR) == utc(2026, 1, 12, 19)


def test_no_calendar_is_24_7():
    assert business_seconds_between(None, utc(2026, 1, 17), utc(2026, 1, 18)) == 24 * HOUR
    assert add_business_seconds(None, utc(2026, 1, 17), 90.0) == utc(2026, 1, 17, 0, 1, 30)


def test_calendar_without_hours_refuses_to_add():
    cal = BusinessCalendar.build(timezone="UTC", hours=[])
    with pytest.raises(ValueError, match="no opening hours"):
        add_business_seconds(cal, utc(2026, 1, 12), 60.0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        business_seconds_between(None, datetime(2026, 1, 1), utc(2026, 1, 2))


# --- Properties ------------------------------------------------------------------------------
CALENDARS = [
    None,
    BusinessCalendar.build(timezone="Europe/Berlin", hours=WEEKDAYS_9_TO_5, holiday_country="DE"),
    BusinessCalendar.build(
        timezone="America/New_York",
        hours=[
            (0, time(22), time(6)),
            (2, time(8), time(12)),
            (2, time(13), time(0)),
            (5, time(10), time(11)),
        ],
    ),
]
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=100, deadline=None)
@given(cal=calendars, a=instants, b=instants, c=instants)
def test_elapsed_business_time_is_additive_and_never_negative(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    ab = business_seconds_between(cal, a, b)
    bc = business_seconds_between(cal, b, c)
    assert ab >= 0.0
    assert bc >= 0.0
    assert business_seconds_between(cal, c, a) == 0.0
    assert business_seconds_between(cal, a, c) == pytest.approx(ab + bc, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(cal=calendars, start=instants, seconds=st.floats(min_value=0, max_value=60 * 24 * 3600))
def test_adding_then_measuring_gives_the_duration_back(cal, start, seconds):
    due = add_business_seconds(cal, start, seconds)
    assert due >= start
    assert due.tzinfo is UTC
    assert business_seconds_between(cal, start, due) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(cal=calendars, start=instants, hours=st.integers(min_value=0, max_value=24 * 40))
def test_measuring_then_adding_lands_no_later_than_the_end(cal, start, hours):
    end = start + timedelta(hours=hours)
    due = add_business_seconds(cal, start, business_seconds_between(cal, start, end))
    assert start <= due <= end
    assert business_seconds_between(cal, due, end) == 0.0


@pytest.mark.parametrize(
    ("night", "hours"),
    [
        pytest.param(date(2026, 3, 28), 7.0, id="spring-forward-night-is-shorter"),
        pytest.param(date(2026, 10, 24), 9.0, id="fall-back-night-is-longer"),
    ],
)
def test_overnight_shift_across_a_dst_change_counts_real_hours(night, hours):
    # Given a Saturday night shift 22:00-06:00 in Berlin
    cal = BusinessCalendar.build(timezone="Europe/Berlin", hours=[(5, time(22), time(6))])
    # When measuring the whole weekend
    start = datetime(night.year, night.month, night.day, tzinfo=UTC) - timedelta(days=1)
    elapsed = business_seconds_between(cal, start, start + timedelta(days=3))
    # Then the shift lasts the hours that really passed
    assert elapsed == hours * HOUR
