"""Validation of calendars and SLA policies (API serializers and admin forms call these)."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from escalations.sla.services import calendar_clean, sla_policy_clean
from tests import factories


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(**kwargs)
    return info.value.message_dict


def test_calendar_clean_normalises_a_good_calendar(db):
    cleaned = calendar_clean(
        name=" Berlin office ",
        timezone="Europe/Berlin",
        hours=[
            {"weekday": 0, "start": "09:00", "end": "12:30"},
            {"weekday": 0, "start": "13:30", "end": "00:00"},
            {"weekday": 4, "start": "22:00", "end": "06:00"},
        ],
        holiday_country="de",
        holiday_subdivision="by",
        holidays=["2026-12-24", date(2026, 12, 31)],
    )
    assert cleaned == {
        "name": "Berlin office",
        "timezone": "Europe/Berlin",
        "hours": [
            {"weekday": 0, "start": time(9), "end": time(12, 30)},
            {"weekday": 0, "start": time(13, 30), "end": time(0)},
            {"weekday": 4, "start": time(22), "end": time(6)},
        ],
        "holiday_country": "DE",
        "holiday_subdivision": "BY",
        "holidays": [date(2026, 12, 24), date(2026, 12, 31)],
    }


def test_calendar_clean_names_every_bad_field(db):
    factories.CalendarFactory(name="Taken")
    errors = errors_of(
        calendar_clean,
        name="Taken",
        timezone="Mars/Olympus",
        hours=[
            {"weekday": 7, "start": "09:00", "end": "17:00"},
            {"weekday": 1, "start": "9am", "end": "17:00"},
            {"weekday": 2, "start": "10:00", "end": "10:00"},
        ],
        holiday_country="XX",
        holidays=["tomorrow"],
    )
    assert errors == {
        "name": ["A calendar named 'Taken' already exists."],
        "timezone": ["'Mars/Olympus' is not an IANA timezone (e.g. Europe/Berlin)."],
        "hours": [
            "Span 1: weekday must be 0 (Monday) to 6 (Sunday).",
            "Span 2: start and end must be times HH:MM.",
            "Span 3: start and end are equal; use 00:00-00:00 for all day.",
        ],
        "holiday_country": ["'XX' is not a supported holiday country code."],
        "holidays": ["Date 1: 'tomorrow' is not a date YYYY-MM-DD."],
    }


def test_calendar_clean_refuses_overlaps_empty_hours_and_unknown_subdivisions(db):
    assert errors_of(
        calendar_clean,
        name="A",
        timezone="UTC",
        hours=[
            {"weekday": 0, "start": "09:00", "end": "13:00"},
            {"weekday": 0, "start": "12:00", "end": "17:00"},
        ],
        holiday_country="DE",
        holiday_subdivision="ZZ",
    ) == {
        "hours": ["Spans on Monday overlap."],
        "holiday_subdivision": ["'ZZ' is not a subdivision of DE."],
    }
    assert errors_of(calendar_clean, name="B", timezone="UTC", hours=[]) == {
        "hours": ["A calendar needs at least one opening span."]
    }


def test_sla_policy_clean_accepts_a_good_policy(db):
    calendar = factories.CalendarFactory()
    cleaned = sla_policy_clean(
        name="Gold",
        order=5,
        conditions=[{"field": "tier", "op": "gte", "value": "premium"}],
        calendar=calendar.pk,
        amber_percent=80,
        targets=[
            {"metric": "first_response", "priority": None, "tier": None, "minutes": 60},
            {"metric": "first_response", "priority": "urgent", "tier": "enterprise", "minutes": 15},
            {"metric": "resolution", "minutes": 480},
        ],
    )
    assert cleaned == {
        "name": "Gold",
        "order": 5,
        "conditions": [{"field": "tier", "op": "gte", "value": "premium"}],
        "calendar": calendar,
        "amber_percent": 80,
        "targets": [
            {"metric": "first_response", "priority": None, "tier": None, "minutes": 60},
            {"metric": "first_response", "priority": "urgent", "tier": "enterprise", "minutes": 15},
            {"metric": "resolution", "priority": None, "tier": None, "minutes": 480},
        ],
    }


@pytest.mark.parametrize("amber", [0, 100, "75", True], ids=["zero", "hundred", "text", "bool"])
def test_sla_policy_clean_refuses_amber_outside_1_to_99(db, amber):
    assert errors_of(
        sla_policy_clean, name="P", conditions=[], targets=[], amber_percent=amber
    ) == {"amber_percent": ["Amber percent must be a whole number from 1 to 99."]}


def test_sla_policy_clean_names_bad_targets_conditions_and_calendar(db):
    errors = errors_of(
        sla_policy_clean,
        name="",
        conditions=[{"field": "mood", "op": "eq", "value": 1}],
        calendar=424242,
        targets=[
            {"metric": "happiness", "priority": "meh", "tier": "gold", "minutes": 0},
            {"metric": "resolution", "minutes": 60},
            {"metric": "resolution", "minutes": 90},
        ],
    )
    assert errors["name"] == ["A policy needs a name."]
    assert errors["calendar"] == ["Calendar 424242 does not exist."]
    assert errors["conditions"] == [
        "Condition 1: unknown field 'mood'; use one of queue, team, priority, tier, status, tag."
    ]
    assert errors["targets"] == [
        "Target 1: metric must be one of first_response, next_response, resolution; "
        "priority must be null or one of low, normal, high, urgent; "
        "tier must be null or one of free, standard, premium, enterprise; "
        "minutes must be a whole number from 1 to 525600.",
        "Target 3: repeats resolution for any/any.",
    ]
