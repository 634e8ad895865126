"""SLA calendar and policy validation (``escalations/sla/validators.py``): the cases a mutation
run of the module showed unguarded. The broader behaviour is in ``test_validators.py``."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from escalations.sla.validators import calendar_clean, sla_policy_clean
from kimondesk.bounds import MINUTES_MAX
from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = {"weekday": 0, "start": "09:00", "end": "17:00"}


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    return info.value.message_dict


def hours_of(*spans) -> list[dict]:
    return calendar_clean(name="C", timezone="UTC", hours=list(spans))["hours"]


def hour_errors(*spans) -> list[str]:
    return errors_of(calendar_clean, name="C", timezone="UTC", hours=list(spans))["hours"]


# --- Times and spans ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "stored"),
    [
        pytest.param("9:5", "17:00", (time(9, 5), time(17)), id="one-digit-parts"),
        pytest.param(" 08:00 ", "12:00:00", (time(8), time(12)), id="spaces-and-seconds"),
        pytest.param("22:00", "24:00", (time(22), time(0)), id="24-00-is-midnight"),
        pytest.param("00:00", "23:59", (time(0), time(23, 59)), id="day-edges"),
        pytest.param(time(9, 0, 30), time(17, 0, 0, 5), (time(9), time(17)), id="time-objects"),
    ],
)
def test_times_are_read(start, end, stored):
    span = hours_of({"weekday": 2, "start": start, "end": end})[0]

    assert (span["start"], span["end"]) == stored


@pytest.mark.parametrize(
    "start",
    ["24:01", "25:00", "12:60", "-1:00", "9", "1:2:3:4", "\u0669:\u0660\u0660", "", None, 900],
)
def test_bad_times_are_refused(start):
    assert hour_errors({"weekday": 1, "start": start, "end": "17:00"}) == [
        "Span 1: start and end must be times HH:MM."
    ]


@pytest.mark.parametrize(
    ("span", "message"),
    [
        pytest.param(
            ["Monday"], "Span 1: must be an object with weekday, start and end.", id="not-object"
        ),
        pytest.param(
            {**MONDAY, "note": "x"},
            "Span 1: must be an object with weekday, start and end.",
            id="extra-key",
        ),
        pytest.param(
            {**MONDAY, "weekday": True},
            "Span 1: weekday must be 0 (Monday) to 6 (Sunday).",
            id="bool-weekday",
        ),
        pytest.param(
            {**MONDAY, "weekday": -1},
            "Span 1: weekday must be 0 (Monday) to 6 (Sunday).",
            id="negative-weekday",
        ),
        pytest.param(
            {**MONDAY, "weekday": "0"},
            "Span 1: weekday must be 0 (Monday) to 6 (Sunday).",
            id="text-weekday",
        ),
    ],
)
def test_bad_spans_are_refused(span, message):
    assert hour_errors(span) == [message]


def test_weekdays_zero_and_six_are_accepted():
    assert [s["weekday"] for s in hours_of({**MONDAY, "weekday": 6}, MONDAY)] == [6, 0]


def test_hours_that_are_not_a_list_are_refused():
    assert hour_errors_of_value({"weekday": 0}) == [
        "Hours must be a list of {weekday, start, end}."
    ]
    assert hour_errors_of_value(None) == ["Hours must be a list of {weekday, start, end}."]


def hour_errors_of_value(hours) -> list[str]:
    return errors_of(calendar_clean, name="C", timezone="UTC", hours=hours)["hours"]


def test_every_bad_span_is_named_and_the_good_ones_still_checked():
    assert hour_errors(
        ["Monday"],
        {"weekday": 9, "start": "09:00", "end": "10:00"},
        {"weekday": 1, "start": "9am", "end": "10:00"},
        {"weekday": 1, "start": "10:00", "end": "10:00"},
        ["Tuesday"],
        {"weekday": 3, "start": "10:00", "end": "12:00"},
        {"weekday": 3, "start": "11:00", "end": "13:00"},
        {"weekday": 3, "start": "12:30", "end": "14:00"},
        {"weekday": 4, "start": "08:00", "end": "09:00"},
        {"weekday": 4, "start": "08:30", "end": "10:00"},
    ) == [
        "Span 1: must be an object with weekday, start and end.",
        "Span 2: weekday must be 0 (Monday) to 6 (Sunday).",
        "Span 3: start and end must be times HH:MM.",
        "Span 4: start and end are equal; use 00:00-00:00 for all day.",
        "Span 5: must be an object with weekday, start and end.",
        "Spans on Thursday overlap.",
        "Spans on Friday overlap.",
    ]


@pytest.mark.parametrize(
    "spans",
    [
        pytest.param([("09:00", "12:00"), ("12:00", "17:00")], id="touching"),
        pytest.param([("09:30", "10:15"), ("10:15", "11:00")], id="touching-off-the-hour"),
        pytest.param([("22:00", "00:00"), ("08:00", "22:00")], id="until-midnight-after-a-day"),
        pytest.param([("20:00", "02:00"), ("08:00", "20:00")], id="overnight-after-a-day"),
    ],
)
def test_spans_that_do_not_overlap(spans):
    hours = [{"weekday": 5, "start": a, "end": b} for a, b in spans]

    assert len(hours_of(*hours)) == 2


@pytest.mark.parametrize(
    "spans",
    [
        pytest.param([("22:00", "00:00"), ("23:00", "23:30")], id="inside-an-until-midnight"),
        pytest.param([("20:00", "02:00"), ("21:00", "22:00")], id="inside-an-overnight"),
        pytest.param([("09:30", "10:15"), ("10:10", "11:00")], id="by-five-minutes"),
        pytest.param([("20:00", "00:00"), ("23:40", "23:50")], id="late-in-an-until-midnight"),
    ],
)
def test_spans_that_overlap(spans):
    hours = [{"weekday": 5, "start": a, "end": b} for a, b in spans]

    assert hour_errors(*hours) == ["Spans on Saturday overlap."]


# --- Calendar fields ----------------------------------------------------------------------------
def test_a_calendar_keeps_its_own_name_when_edited():
    calendar = factories.CalendarFactory(name="Berlin")

    cleaned = calendar_clean(name="Berlin", timezone="UTC", hours=[MONDAY], instance=calendar)

    assert cleaned["name"] == "Berlin"


@pytest.mark.parametrize("name", ["  ", None])
def test_a_blank_name_and_timezone(name):
    assert errors_of(calendar_clean, name=name, timezone=None, hours=[MONDAY]) == {
        "name": ["A calendar needs a name."],
        "timezone": ["'' is not an IANA timezone (e.g. Europe/Berlin)."],
    }


def test_a_padded_timezone_is_trimmed():
    assert calendar_clean(name="C", timezone=" Europe/Berlin ", hours=[MONDAY])["timezone"] == (
        "Europe/Berlin"
    )


def test_a_subdivision_without_a_country():
    assert errors_of(
        calendar_clean, name="C", timezone="UTC", hours=[MONDAY], holiday_subdivision=" by "
    ) == {"holiday_subdivision": ["'BY' is not a subdivision of the holiday country."]}


def test_no_holiday_country():
    cleaned = calendar_clean(
        name="C", timezone="UTC", hours=[MONDAY], holiday_country=None, holiday_subdivision=None
    )

    assert (cleaned["holiday_country"], cleaned["holiday_subdivision"]) == ("", "")


def test_holidays_are_sorted_without_repeats_and_bad_ones_named():
    cleaned = calendar_clean(
        name="C",
        timezone="UTC",
        hours=[MONDAY],
        holidays=[" 2026-12-31 ", date(2026, 12, 24), "2026-12-31"],
    )
    assert cleaned["holidays"] == [date(2026, 12, 24), date(2026, 12, 31)]
    assert errors_of(
        calendar_clean, name="C", timezone="UTC", hours=[MONDAY], holidays=["2026-12-24", 5, "x"]
    ) == {
        "holidays": [
            "Date 2: 5 is not a date YYYY-MM-DD.",
            "Date 3: 'x' is not a date YYYY-MM-DD.",
        ]
    }
    assert calendar_clean(name="C", timezone="UTC", hours=[MONDAY], holidays=None)["holidays"] == []


# --- Policies -----------------------------------------------------------------------------------
def policy_errors(**kwargs) -> dict[str, list[str]]:
    return errors_of(sla_policy_clean, **{"name": "P", "conditions": [], "targets": [], **kwargs})


@pytest.mark.parametrize("order", ["5", True, None, 1.5])
def test_order_must_be_a_whole_number(order):
    assert policy_errors(order=order) == {"order": ["Order must be a whole number."]}


@pytest.mark.parametrize("calendar", [True, "3", 2.0])
def test_calendar_must_be_an_id_or_null(calendar):
    assert policy_errors(calendar=calendar) == {
        "calendar": ["Calendar must be a calendar id or null (24/7)."]
    }


def test_defaults_and_edges_that_are_accepted():
    calendar = factories.CalendarFactory()
    cleaned = sla_policy_clean(
        name=" P ",
        conditions=None,
        calendar=calendar,
        amber_percent=1,
        targets=(
            {"metric": "resolution", "priority": "", "tier": "", "minutes": 1},
            {"metric": "next_response", "minutes": MINUTES_MAX},
        ),
    )
    assert cleaned == {
        "name": "P",
        "order": 100,
        "conditions": [],
        "calendar": calendar,
        "amber_percent": 1,
        "targets": [
            {"metric": "resolution", "priority": None, "tier": None, "minutes": 1},
            {"metric": "next_response", "priority": None, "tier": None, "minutes": MINUTES_MAX},
        ],
    }
    assert (
        sla_policy_clean(name="P", conditions=[], targets=[], amber_percent=99)["amber_percent"]
        == 99
    )
    defaults = sla_policy_clean(name="P", conditions=[], targets=[])
    assert (defaults["calendar"], defaults["amber_percent"]) == (None, 75)


@pytest.mark.parametrize(
    ("targets", "errors"),
    [
        pytest.param(
            {"metric": "resolution"},
            ["Targets must be a list of {metric, priority, tier, minutes}."],
            id="not-a-list",
        ),
        pytest.param(
            [["resolution", 60], {"metric": "resolution"}],
            [
                "Target 1: must be an object with metric, priority, tier and minutes.",
                f"Target 2: minutes must be a whole number from 1 to {MINUTES_MAX}.",
            ],
            id="not-an-object",
        ),
        pytest.param(
            [{"metric": "resolution", "minutes": 60, "queue": 1}],
            ["Target 1: must be an object with metric, priority, tier and minutes."],
            id="extra-key",
        ),
        pytest.param(
            [{"metric": "resolution", "minutes": MINUTES_MAX + 1}],
            [f"Target 1: minutes must be a whole number from 1 to {MINUTES_MAX}."],
            id="too-long",
        ),
        pytest.param(
            [{"metric": "resolution", "minutes": True}],
            [f"Target 1: minutes must be a whole number from 1 to {MINUTES_MAX}."],
            id="bool-minutes",
        ),
        pytest.param(
            [{"metric": "resolution", "minutes": 60.0}],
            [f"Target 1: minutes must be a whole number from 1 to {MINUTES_MAX}."],
            id="float-minutes",
        ),
        pytest.param(
            [
                {"metric": "resolution", "priority": "high", "tier": "premium", "minutes": 60},
                {"metric": "resolution", "priority": "high", "tier": "premium", "minutes": 30},
                {"metric": "resolution", "priority": "high", "minutes": 30},
                {"metric": "resolution", "tier": "premium", "minutes": 30},
                {"metric": "resolution", "tier": "premium", "minutes": 20},
            ],
            [
                "Target 2: repeats resolution for high/premium.",
                "Target 5: repeats resolution for any/premium.",
            ],
            id="repeat-of-a-priority-and-tier",
        ),
    ],
)
def test_bad_targets(targets, errors):
    assert policy_errors(targets=targets) == {"targets": errors}


@pytest.mark.parametrize("end", ["00:00", "24:00"])
def test_a_whole_day_is_00_00_to_00_00(end):
    # The refusal of equal times says to use 00:00-00:00 for all day: it is accepted
    assert hours_of({"weekday": 6, "start": "00:00", "end": end}) == [
        {"weekday": 6, "start": time(0), "end": time(0)}
    ]
    assert hour_errors(
        {"weekday": 6, "start": "00:00", "end": end},
        {"weekday": 6, "start": "23:00", "end": "23:30"},
    ) == ["Spans on Sunday overlap."]
