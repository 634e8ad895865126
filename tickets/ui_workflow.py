"""The agent UI's calls into the escalation engine and the SLA selectors, in one place.

Pages, the catch-up endpoint and the queue filters reach ``escalations.services``,
``escalations.selectors`` and ``escalations.sla.selectors`` only through these functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from escalations.exceptions import EscalationConflict
from escalations.models import Escalation, SLAClock, SLAClockEntry, Target
from escalations.selectors import escalation_summary_event
from escalations.services import escalation_acknowledge, escalation_create_manual
from tickets.models import Agent, Ticket

__all__ = [
    "EscalationConflict",
    "escalation_ack",
    "escalation_create",
    "sla_for_ticket",
    "sla_for_tickets",
    "sla_ledger_for",
    "summary_event",
    "tickets_in_sla_state",
]


def escalation_create(
    *,
    ticket: Ticket,
    actor: Agent,
    tried: str,
    diagnosis: str,
    authority_needed: str,
    target: Target | None,
    via_tag: bool,
) -> Escalation:
    """Manual escalation with a handoff; raises ``ValidationError`` or ``EscalationConflict``."""
    return escalation_create_manual(
        ticket=ticket,
        actor=actor,
        tried=tried,
        diagnosis=diagnosis,
        authority_needed=authority_needed,
        target=target,
        via_tag=via_tag,
    )


def escalation_ack(*, escalation: Escalation, actor: Agent) -> Escalation:
    """Acknowledge a handoff; raises ``PermissionDenied`` or ``EscalationConflict``."""
    return escalation_acknowledge(escalation=escalation, actor=actor)


def summary_event(*, escalation: Escalation) -> dict[str, Any]:
    """The ``escalation.summary`` live event, exactly as the engine pushes it."""
    return escalation_summary_event(escalation=escalation)


def sla_for_ticket(*, ticket: Ticket) -> dict[str, Any]:
    try:
        from escalations.sla.selectors import sla_summary
    except ImportError:
        return _clock_summaries([ticket.pk]).get(ticket.pk, _NO_SLA)
    return sla_summary(ticket=ticket)


def sla_for_tickets(*, ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    try:
        from escalations.sla.selectors import sla_summaries
    except ImportError:
        return _clock_summaries(ticket_ids)
    return sla_summaries(ticket_ids=ticket_ids)


def sla_ledger_for(*, ticket: Ticket) -> list[dict[str, Any]]:
    try:
        from escalations.sla.selectors import sla_ledger
    except ImportError:
        return [
            {"at": e.at, "text": e.text, "kind": e.kind, "metric": e.clock.metric}
            for e in SLAClockEntry.objects.filter(clock__ticket=ticket).select_related("clock")
        ]
    return sla_ledger(ticket=ticket)


def tickets_in_sla_state(qs: QuerySet[Ticket], state: str) -> QuerySet[Ticket]:
    try:
        from escalations.sla.selectors import tickets_filter_sla_state
    except ImportError:
        return qs.filter(sla_clocks__state=state).distinct()
    return tickets_filter_sla_state(qs, state)


# Until the SLA selectors land: the most urgent clock of each ticket, read from its row.
_NO_SLA: dict[str, Any] = {
    "state": None,
    "first_response_due_at": None,
    "remaining_seconds": None,
    "metric": None,
    "due_at": None,
}
_URGENCY = {"red": 0, "amber": 1, "green": 2, "paused": 3, "met": 4}


def _clock_summaries(ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    now = timezone.now()
    best: dict[int, SLAClock] = {}
    for clock in SLAClock.objects.filter(ticket_id__in=ticket_ids):
        held = best.get(clock.ticket_id)
        if held is None or _URGENCY[clock.state] < _URGENCY[held.state]:
            best[clock.ticket_id] = clock
    return {
        tid: {
            "state": c.state,
            "first_response_due_at": None,
            "remaining_seconds": int((c.due_at - now).total_seconds()) if c.due_at else None,
            "metric": c.metric,
            "due_at": c.due_at,
        }
        for tid, c in best.items()
    }
