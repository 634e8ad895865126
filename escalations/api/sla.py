"""The API's only calls into the SLA engine (``escalations.sla``): summaries, the state filter,
validation of calendars and policies, and recomputation after they change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from escalations.models import ClockState
from escalations.sla import selectors as sla_selectors
from escalations.sla import services as sla_services
from escalations.sla.validators import calendar_clean, sla_policy_clean

if TYPE_CHECKING:
    from escalations.models import Calendar, SLAPolicy
    from tickets.models import Ticket

SLA_STATES: tuple[str, ...] = tuple(ClockState.values)


def ticket_sla_summaries(*, ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{ticket_id: sla}`` for a page of tickets, in one query."""
    if not ticket_ids:
        return {}
    return sla_selectors.sla_summaries(ticket_ids=ticket_ids)


def tickets_filter_sla_state(queryset: QuerySet[Ticket], state: str) -> QuerySet[Ticket]:
    return sla_selectors.tickets_filter_sla_state(queryset, state)


def calendar_validate(
    *,
    name: str,
    timezone: str,
    hours: Any,
    holiday_country: str,
    holiday_subdivision: str,
    holidays: Iterable[Any],
    instance: Calendar | None,
) -> dict[str, Any]:
    return calendar_clean(
        name=name,
        timezone=timezone,
        hours=hours,
        holiday_country=holiday_country,
        holiday_subdivision=holiday_subdivision,
        holidays=holidays,
        instance=instance,
    )


def sla_policy_validate(
    *,
    name: str,
    conditions: Any,
    targets: Any,
    order: Any,
    calendar: Calendar | None,
    amber_percent: Any,
) -> dict[str, Any]:
    return sla_policy_clean(
        name=name,
        conditions=conditions,
        targets=targets,
        order=order,
        calendar=calendar,
        amber_percent=amber_percent,
    )


def sla_policy_changed(*, policy: SLAPolicy) -> None:
    """Recompute the clocks of open tickets after a policy changed (inside its transaction)."""
    sla_services.sla_policy_changed(policy=policy)


def sla_calendar_changed(*, calendar: Calendar) -> None:
    """Recompute the clocks of open tickets after a calendar's hours or holidays changed."""
    sla_services.sla_calendar_changed(calendar=calendar)
