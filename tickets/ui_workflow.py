"""The agent UI's calls into the escalation engine and the SLA selectors, in one place.

Pages, the catch-up endpoint and the queue filters reach ``escalations.services``,
``escalations.selectors`` and ``escalations.sla.selectors`` only through these functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from escalations.exceptions import EscalationConflict
from escalations.models import Escalation, Target
from escalations.selectors import escalation_summary_event
from escalations.services import escalation_acknowledge, escalation_create_manual
from escalations.sla.selectors import (
    sla_ledger,
    sla_summaries,
    sla_summary,
    tickets_filter_sla_state,
)
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
    to_agent: Agent | None,
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
        to_agent=to_agent,
        via_tag=via_tag,
    )


def escalation_ack(*, escalation: Escalation, actor: Agent) -> Escalation:
    """Acknowledge a handoff; raises ``PermissionDenied`` or ``EscalationConflict``."""
    return escalation_acknowledge(escalation=escalation, actor=actor)


def summary_event(*, escalation: Escalation) -> dict[str, Any]:
    """The ``escalation.summary`` live event, exactly as the engine pushes it."""
    return escalation_summary_event(escalation=escalation)


def sla_for_ticket(*, ticket: Ticket) -> dict[str, Any]:
    return sla_summary(ticket=ticket)


def sla_for_tickets(*, ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    return sla_summaries(ticket_ids=ticket_ids)


def sla_ledger_for(*, ticket: Ticket) -> list[dict[str, Any]]:
    return sla_ledger(ticket=ticket)


def tickets_in_sla_state(qs: QuerySet[Ticket], state: str) -> QuerySet[Ticket]:
    return tickets_filter_sla_state(qs, state)
