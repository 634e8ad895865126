"""The agent UI's calls into the escalation engine and the SLA selectors, in one place.

Pages, the catch-up endpoint and the queue filters reach ``escalations.services``,
``escalations.selectors`` and ``escalations.sla.selectors`` only through these functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from escalations.models import Escalation, SLAClock, SLAClockEntry, Target
from tickets.models import Agent, Ticket


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
    from escalations.services import escalation_create_manual

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
    from escalations.services import escalation_acknowledge

    return escalation_acknowledge(escalation=escalation, actor=actor)


def conflict_error() -> type[Exception]:
    """The engine's state-conflict exception class (HTTP 409 in the API)."""
    from escalations.exceptions import EscalationConflict

    return EscalationConflict


def summary_event(*, escalation: Escalation) -> dict[str, Any]:
    """The ``escalation.summary`` live event, exactly as the engine pushes it."""
    try:
        from escalations.selectors import escalation_summary_event
    except ImportError:
        note = escalation.summary_note
        return {
            "type": "escalation.summary",
            "ticket": escalation.ticket_id,
            "escalation": escalation.pk,
            "note": {"id": note.pk, "body": note.body} if note else None,
            "html": render_to_string(
                ["escalations/_summary.html", "tickets/_summary_basic.html"],
                {"escalation": escalation, "note": note},
            ),
        }
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
