"""Business time at the edges: a span that ends between 23:00 and midnight, spans that touch or
overlap, Sunday night into Monday, exactly the open time left in a day, zero and negative
durations, the search limit, and the calendar's own view of its days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from escalations.sla.businesstime import (
    MAX_SEARCH_DAYS,
    MINUTES_PER_DAY,
    BusinessCalendar,
    Span,
    add_business_seconds,
    business_seconds_between,
)

HOUR = 3600.0
MONDAY = date(2026, 1, 12)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def epoch(*args: int) -> float:
    return utc(*args).timestamp()


def monday_calendar(*spans: tuple[time, time], timezone: str = "UTC") -> BusinessCalendar:
    return BusinessCalendar.build(timezone=timezone, hours=[(0, s, e) for s, e in spans])


def test_a_day_has_1440_minutes():
    assert MINUTES_PER_DAY == 1440


@pytest.mark.parametrize(
    ("start", "end", "span"),
    [
        pytest.param(time(9), time(17), Span(0, 540, 1020), id="office"),
        pytest.param(time(22), time(23, 30), Span(0, 1320, 1410), id="ends-at-23-30"),
        pytest.param(time(18), time(0), Span(0, 1080, 1440), id="ends-at-midnight"),
        pytest.param(time(22), time(6), Span(0, 1320, 360), id="overnight"),
    ],
)
def test_span_from_times_counts_minutes_after_midnight(start, end, span):
    assert Span.from_times(0, start, end) == span


@pytest.mark.parametrize(
    ("span", "overnight"),
    [
        pytest.param(Span(0, 540, 1020), False, id="office"),
        pytest.param(Span(0, 1080, 1440), False, id="to-midnight"),
        pytest.param(Span(0, 1320, 360), True, id="into-the-next-day"),
        pytest.param(Span(0, 540, 540), True, id="round-the-clock-from-9"),
    ],
)
def test_a_span_is_overnight_when_it_ends_at_or_before_its_start(span, overnight):
    assert span.overnight is overnight


def test_a_span_ending_between_23_and_midnight_closes_at_its_end():
    # Given Monday 22:00-23:30 in UTC
    cal = monday_calendar((time(22), time(23, 30)))

    # Then Monday holds 1.5 open hours, the last of them after 23:00
    assert business_seconds_between(cal, utc(2026, 1, 12), utc(2026, 1, 13)) == 1.5 * HOUR
    assert business_seconds_between(cal, utc(2026, 1, 12, 23), utc(2026, 1, 13)) == 0.5 * HOUR
    assert add_business_seconds(cal, utc(2026, 1, 12, 22, 15), HOUR) == utc(2026, 1, 12, 23, 15)
    # And the 31st minute after 23:00 is the next Monday's 22:01
    assert add_business_seconds(cal, utc(2026, 1, 12, 23), 31 * 60) == utc(2026, 1, 19, 22, 1)
    assert cal.day_intervals(MONDAY.toordinal()) == (
        (epoch(2026, 1, 12, 22), epoch(2026, 1, 12, 23, 30)),
    )


def test_a_span_ending_at_23_59_in_local_time():
    # Given Monday 20:00-23:59 in Berlin (UTC+1 in January)
    cal = monday_calendar((time(20), time(23, 59)), timezone="Europe/Berlin")

    assert cal.day_intervals(MONDAY.toordinal()) == (
        (epoch(2026, 1, 12, 19), epoch(2026, 1, 12, 22, 59)),
    )
    assert add_business_seconds(cal, utc(2026, 1, 12, 22, 30), 29 * 60) == utc(2026, 1, 12, 22, 59)
    assert add_business_seconds(cal, utc(2026, 1, 12, 22, 30), 30 * 60) == utc(2026, 1, 19, 19, 1)


@pytest.mark.parametrize(
    ("spans", "intervals"),
    [
        pytest.param(
            [(time(9), time(12)), (time(12), time(17))], [(9, 17)], id="touching-spans-merge"
        ),
        pytest.param(
            [(time(11), time(17)), (time(9), time(13))], [(9, 17)], id="overlapping-spans-merge"
        ),
        pytest.param(
            [(time(9), time(17)), (time(10), time(11))], [(9, 17)], id="contained-span-merges"
        ),
        pytest.param(
            [(time(13), time(17)), (time(9), time(12))],
            [(9, 12), (13, 17)],
            id="apart-spans-stay-apart-in-order",
        ),
    ],
)
def test_spans_of_a_day_merge_when_they_touch_or_overlap(spans, intervals):
    cal = monday_calendar(*spans)

    assert cal.day_intervals(MONDAY.toordinal()) == tuple(
        (epoch(2026, 1, 12, a), epoch(2026, 1, 12, b)) for a, b in intervals
    )


def test_a_sunday_night_span_runs_into_monday():
    # Given Sunday 22:00 to Monday 02:00 in UTC
    cal = BusinessCalendar.build(timezone="UTC", hours=[(6, time(22), time(2))])

    assert cal.day_intervals(date(2026, 1, 11).toordinal()) == (
        (epoch(2026, 1, 11, 22), epoch(2026, 1, 12)),
    )
    assert cal.day_intervals(MONDAY.toordinal()) == ((epoch(2026, 1, 12), epoch(2026, 1, 12, 2)),)
    assert business_seconds_between(cal, utc(2026, 1, 11), utc(2026, 1, 13)) == 4 * HOUR


def test_an_overnight_span_stored_with_end_zero_has_no_tail():
    cal = BusinessCalendar(timezone="UTC", spans=(Span(0, 1320, 0),))

    assert cal.day_intervals(MONDAY.toordinal()) == ((epoch(2026, 1, 12, 22), epoch(2026, 1, 13)),)
    assert cal.day_intervals(MONDAY.toordinal() + 1) == ()


def test_adding_exactly_the_open_time_left_lands_at_closing_time():
    cal = monday_calendar((time(9), time(17)))

    assert add_business_seconds(cal, utc(2026, 1, 12, 9), 8 * HOUR) == utc(2026, 1, 12, 17)
    assert add_business_seconds(cal, utc(2026, 1, 12, 10), HOUR) == utc(2026, 1, 12, 11)
    assert add_business_seconds(cal, utc(2026, 1, 12, 17), 1) == utc(2026, 1, 19, 9, 0, 1)


@pytest.mark.parametrize("seconds", [0, -5], ids=["zero", "negative"])
def test_adding_nothing_while_closed_stays_at_the_start(seconds):
    cal = monday_calendar((time(9), time(17)))
    saturday = utc(2026, 1, 17, 3)

    assert add_business_seconds(cal, saturday, seconds) == saturday
    assert add_business_seconds(None, saturday, seconds) == saturday


def test_an_empty_range_has_no_business_time():
    at = utc(2026, 1, 12, 10)

    assert business_seconds_between(monday_calendar((time(9), time(17))), at, at) == 0.0
    assert business_seconds_between(None, at, at) == 0.0


def test_a_calendar_closed_on_its_only_open_days_gives_up_after_the_search_limit():
    # Given Mondays only, every Monday of the search window closed
    mondays = [date.fromordinal(MONDAY.toordinal() + 7 * n) for n in range(170)]
    cal = BusinessCalendar.build(
        timezone="UTC", hours=[(0, time(9), time(17))], closed_dates=mondays
    )

    with pytest.raises(ValueError, match=r"^calendar has no opening hours within 1098 days$"):
        add_business_seconds(cal, utc(2026, 1, 12), 60.0)

    assert MAX_SEARCH_DAYS == 3 * 366


def test_the_first_open_monday_after_a_long_closure_is_found():
    mondays = [date.fromordinal(MONDAY.toordinal() + 7 * n) for n in range(100)]
    cal = BusinessCalendar.build(
        timezone="UTC", hours=[(0, time(9), time(17))], closed_dates=mondays
    )

    assert add_business_seconds(cal, utc(2026, 1, 12), 60.0) == utc(2027, 12, 13, 9, 1)


def test_holidays_close_their_country_dates_only():
    cal = BusinessCalendar.build(
        timezone="Europe/Berlin", hours=[(w, time(9), time(17)) for w in range(7)]
    )
    german = BusinessCalendar.build(
        timezone="Europe/Berlin",
        hours=[(w, time(9), time(17)) for w in range(7)],
        holiday_country="DE",
    )

    assert german.is_closed(date(2026, 1, 1)) is True
    assert german.is_closed(date(2026, 1, 2)) is False
    assert cal.is_closed(date(2026, 1, 1)) is False
    assert german.day_intervals(date(2026, 1, 1).toordinal()) == ()
    assert german.day_intervals(date(2026, 1, 2).toordinal()) == (
        (epoch(2026, 1, 2, 8), epoch(2026, 1, 2, 16)),
    )


def test_the_calendar_reads_instants_in_its_own_time_zone():
    cal = monday_calendar((time(9), time(17)), timezone="Europe/Berlin")

    assert str(cal.tzinfo) == "Europe/Berlin"
    assert cal.local_ordinal(epoch(2026, 1, 12, 23, 30)) == date(2026, 1, 13).toordinal()
    assert cal.local_ordinal(epoch(2026, 1, 12, 22, 30)) == MONDAY.toordinal()


def test_day_intervals_are_computed_once_per_date():
    cal = monday_calendar((time(9), time(17)))

    first = cal.day_intervals(MONDAY.toordinal())

    assert cal.day_intervals(MONDAY.toordinal()) is first


def test_an_overnight_span_ending_one_minute_after_midnight_keeps_that_minute():
    cal = monday_calendar((time(23), time(0, 1)))

    assert cal.day_intervals(MONDAY.toordinal() + 1) == (
        (epoch(2026, 1, 13), epoch(2026, 1, 13, 0, 1)),
    )
    assert business_seconds_between(cal, utc(2026, 1, 12), utc(2026, 1, 14)) == 61 * 60


def test_a_span_inside_the_hour_skipped_by_spring_forward_is_closed_that_day():
    # Given Sundays 02:00-03:00 in Berlin: on 29 March 2026 that hour does not exist
    cal = BusinessCalendar.build(timezone="Europe/Berlin", hours=[(6, time(2), time(3))])

    assert cal.day_intervals(date(2026, 3, 29).toordinal()) == ()
    assert cal.day_intervals(date(2026, 3, 22).toordinal()) == (
        (epoch(2026, 3, 22, 1), epoch(2026, 3, 22, 2)),
    )


def test_naive_datetimes_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"^business time needs timezone-aware datetimes$"):
        add_business_seconds(None, datetime(2026, 1, 1), 60.0)
