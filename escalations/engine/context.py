"""The immutable picture of a ticket that conditions and triggers evaluate.

Built once per evaluation by one query; evaluators are pure functions of it and never query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from tickets.models import Ticket


@dataclass(frozen=True)
class TicketContext:
    ticket_id: int
    subject: str
    status: str
    priority: str
    queue_id: int | None
    queue_specialist: bool
    team_id: int | None
    team_lead_id: int | None
    assignee_id: int | None
    customer_id: int
    tier: str
    tags: frozenset[str]
    customer_sentiment: str
    escalation_count: int
    created_at: datetime


def ticket_context_from(ticket: Ticket) -> TicketContext:
    """Build the context from a ticket loaded with ``ticket_context_queryset``."""
    queue = ticket.queue
    team = queue.team if queue is not None else None
    return TicketContext(
        ticket_id=ticket.pk,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        queue_id=ticket.queue_id,
        queue_specialist=bool(queue and queue.specialist),
        team_id=team.pk if team else None,
        team_lead_id=team.lead_id if team else None,
        assignee_id=ticket.assignee_id,
        customer_id=ticket.customer_id,
        tier=ticket.customer.tier,
        tags=frozenset(tag.name for tag in ticket.tags.all()),
        customer_sentiment=ticket.customer_sentiment,
        escalation_count=ticket.escalation_count,
        created_at=ticket.created_at,
    )


def ticket_context_queryset() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("queue__team", "customer").prefetch_related("tags")


def ticket_context_build(*, ticket_id: int) -> TicketContext:
    return ticket_context_from(ticket_context_queryset().get(pk=ticket_id))
