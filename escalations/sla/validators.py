"""Validation of calendars and SLA policies for the API and the admin.

Each function returns the cleaned values or raises ``ValidationError({field: [messages]})``
naming every bad field, so a rejected request writes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, time
from typing import Any, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError

from escalations.engine.conditions import conditions_clean
from escalations.models import Calendar, SLAMetric, SLAPolicy
from kimondesk.bounds import MINUTES_MAX
from kimondesk.timezones import timezone_names
from tickets.models import Priority, Tier

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class OpeningSpan(TypedDict):
    """One cleaned opening span of a calendar (``end`` before ``start``: overnight)."""

    weekday: int
    start: time
    end: time


def _parse_time(value: object) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str):
        parts = value.strip().split(":")
        if len(parts) in (2, 3) and all(p.isascii() and p.isdigit() for p in parts):
            hour, minute = int(parts[0]), int(parts[1])
            if hour == 24 and minute == 0:
                return time(0)
            if 0 <= hour < 24 and 0 <= minute < 60:
                return time(hour, minute)
    raise ValueError("must be a time HH:MM")


def _parse_date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _clean_hours(hours: object, errors: list[str]) -> list[OpeningSpan]:
    if not isinstance(hours, list | tuple):
        errors.append("Hours must be a list of {weekday, start, end}.")
        return []
    cleaned: list[OpeningSpan] = []
    for index, item in enumerate(hours):
        where = f"Span {index + 1}"
        if not isinstance(item, dict) or set(item) - {"weekday", "start", "end"}:
            errors.append(f"{where}: must be an object with weekday, start and end.")
            continue
        weekday = item.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            errors.append(f"{where}: weekday must be 0 (Monday) to 6 (Sunday).")
            continue
        try:
            start, end = _parse_time(item.get("start")), _parse_time(item.get("end"))
        except ValueError:
            errors.append(f"{where}: start and end must be times HH:MM.")
            continue
        # 00:00-00:00 (or 00:00-24:00) is the whole day: the end 00:00 is the day's midnight.
        if start == end and start != time(0):
            errors.append(f"{where}: start and end are equal; use 00:00-00:00 for all day.")
            continue
        cleaned.append({"weekday": weekday, "start": start, "end": end})
    # Spans of one weekday may not overlap (an overnight span is checked on its start day).
    by_day: dict[int, list[tuple[int, int]]] = {}
    for span in cleaned:
        start_min = _minutes(span["start"])
        end_min = _minutes(span["end"]) or 24 * 60
        if end_min <= start_min:
            end_min = 24 * 60
        by_day.setdefault(span["weekday"], []).append((start_min, end_min))
    for weekday, spans in sorted(by_day.items()):
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            if s2 < e1:
                errors.append(f"Spans on {WEEKDAY_NAMES[weekday]} overlap.")
                break
    return cleaned


def calendar_clean(
    *,
    name: str,
    timezone: str,
    hours: object,
    holiday_country: str | None = "",
    holiday_subdivision: str | None = "",
    holidays: Iterable[object] = (),
    instance: Calendar | None = None,
) -> dict[str, Any]:
    """Validate a calendar: IANA timezone, weekly spans, holiday country and extra dates."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["A calendar needs a name."]
    elif Calendar.objects.filter(name=name).exclude(pk=instance.pk if instance else -1).exists():
        errors["name"] = [f"A calendar named '{name}' already exists."]
    timezone = (timezone or "").strip()
    try:
        if timezone not in timezone_names():
            raise ZoneInfoNotFoundError(timezone)
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [f"'{timezone}' is not an IANA timezone (e.g. Europe/Berlin)."]
    hour_errors: list[str] = []
    cleaned_hours = _clean_hours(hours, hour_errors)
    if hour_errors:
        errors["hours"] = hour_errors
    elif not cleaned_hours:
        errors["hours"] = ["A calendar needs at least one opening span."]
    country = (holiday_country or "").strip().upper()
    subdivision = (holiday_subdivision or "").strip().upper()
    supported = holidays_lib.list_supported_countries()
    if country and country not in supported:
        errors["holiday_country"] = [f"'{country}' is not a supported holiday country code."]
    elif subdivision and (not country or subdivision not in supported[country]):
        errors["holiday_subdivision"] = [
            f"'{subdivision}' is not a subdivision of {country or 'the holiday country'}."
        ]
    dates: list[date] = []
    for index, value in enumerate(holidays or ()):
        try:
            dates.append(_parse_date(value))
        except ValueError:
            errors.setdefault("holidays", []).append(
                f"Date {index + 1}: {value!r} is not a date YYYY-MM-DD."
            )
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "timezone": timezone,
        "hours": cleaned_hours,
        "holiday_country": country,
        "holiday_subdivision": subdivision,
        "holidays": sorted(set(dates)),
    }


def _clean_targets(targets: object) -> tuple[list[dict[str, Any]], list[str]]:
    if not isinstance(targets, list | tuple):
        return [], ["Targets must be a list of {metric, priority, tier, minutes}."]
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[tuple[object, object, object]] = set()
    allowed = {"metric", "priority", "tier", "minutes"}
    for index, item in enumerate(targets):
        where = f"Target {index + 1}"
        if not isinstance(item, dict) or set(item) - allowed:
            errors.append(f"{where}: must be an object with metric, priority, tier and minutes.")
            continue
        metric, minutes = item.get("metric"), item.get("minutes")
        priority, tier = item.get("priority") or None, item.get("tier") or None
        problems = []
        if metric not in SLAMetric.values:
            problems.append(f"metric must be one of {', '.join(SLAMetric.values)}")
        if priority is not None and priority not in Priority.values:
            problems.append(f"priority must be null or one of {', '.join(Priority.values)}")
        if tier is not None and tier not in Tier.values:
            problems.append(f"tier must be null or one of {', '.join(Tier.values)}")
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not 0 < minutes <= MINUTES_MAX
        ):
            problems.append(f"minutes must be a whole number from 1 to {MINUTES_MAX}")
        if problems:
            errors.append(f"{where}: " + "; ".join(problems) + ".")
            continue
        key = (metric, priority, tier)
        if key in seen:
            errors.append(f"{where}: repeats {metric} for {priority or 'any'}/{tier or 'any'}.")
            continue
        seen.add(key)
        cleaned.append({"metric": metric, "priority": priority, "tier": tier, "minutes": minutes})
    return cleaned, errors


def sla_policy_clean(
    *,
    name: str,
    conditions: object,
    targets: object,
    order: object = 100,
    calendar: Calendar | int | None = None,
    amber_percent: object = 75,
) -> dict[str, Any]:
    """Validate an SLA policy: conditions, calendar, amber percent (1-99) and targets."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["A policy needs a name."]
    if isinstance(order, bool) or not isinstance(order, int):
        errors["order"] = ["Order must be a whole number."]
    try:
        cleaned_conditions = conditions_clean(conditions)
    except ValidationError as exc:
        errors["conditions"] = list(exc.messages)
        cleaned_conditions = []
    if isinstance(calendar, int) and not isinstance(calendar, bool):
        found = Calendar.objects.filter(pk=calendar).first()
        if found is None:
            errors["calendar"] = [f"Calendar {calendar} does not exist."]
        calendar = found
    elif calendar is not None and not isinstance(calendar, Calendar):
        errors["calendar"] = ["Calendar must be a calendar id or null (24/7)."]
        calendar = None
    if (
        isinstance(amber_percent, bool)
        or not isinstance(amber_percent, int)
        or not 1 <= amber_percent <= 99
    ):
        errors["amber_percent"] = ["Amber percent must be a whole number from 1 to 99."]
    cleaned_targets, target_errors = _clean_targets(targets)
    if target_errors:
        errors["targets"] = target_errors
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "order": order,
        "conditions": cleaned_conditions,
        "calendar": calendar,
        "amber_percent": amber_percent,
        "targets": cleaned_targets,
    }


# --- The same checks on a model instance (the console's forms, a configuration revert) -------
def sla_policy_values_clean(*, policy: SLAPolicy, targets: list[dict[str, Any]]) -> dict[str, Any]:
    """Raise ``ValidationError`` keyed by field unless the policy with these targets is valid;
    the cleaned values otherwise."""
    cleaned = sla_policy_clean(
        name=policy.name,
        conditions=policy.conditions,
        targets=targets,
        order=policy.order,
        calendar=policy.calendar,
        amber_percent=policy.amber_percent,
    )
    policy.conditions = cleaned["conditions"]
    return cleaned


def calendar_values_clean(
    *, calendar: Calendar, hours: list[dict[str, Any]], holidays: list[Any]
) -> dict[str, Any]:
    """Raise ``ValidationError`` keyed by field unless the calendar with these rows is valid;
    the cleaned values otherwise."""
    return calendar_clean(
        name=calendar.name,
        timezone=calendar.timezone,
        hours=hours,
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        holidays=holidays,
        instance=calendar if calendar.pk else None,
    )
