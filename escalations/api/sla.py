"""The API's only calls into the SLA engine (``escalations.sla``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from escalations.models import ClockState

if TYPE_CHECKING:
    from escalations.models import SLAPolicy
    from tickets.models import Ticket

SLA_STATES: tuple[str, ...] = tuple(ClockState.values)


def ticket_sla_summaries(*, ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{ticket_id: sla}`` in one query; tickets without a running clock are absent."""
    if not ticket_ids:
        return {}
    try:
        from escalations.sla.selectors import sla_summaries
    except ImportError:
        return {}
    return sla_summaries(ticket_ids=ticket_ids)


def tickets_filter_sla_state(queryset: QuerySet[Ticket], state: str) -> QuerySet[Ticket]:
    try:
        from escalations.sla import selectors
    except ImportError:
        return queryset.filter(sla_clocks__state=state).distinct()
    return selectors.tickets_filter_sla_state(queryset, state)


def sla_policy_changed(*, policy: SLAPolicy) -> None:
    """Recompute the clocks of open tickets after a policy changed (inside its transaction)."""
    try:
        from escalations.sla.services import sla_policy_changed as recompute
    except ImportError:
        return
    recompute(policy=policy)
