"""Ticket writes that the API adds around the core services (webhook announcements)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from escalations.webhooks import webhook_event_emit
from tickets.models import Agent, Customer, Queue, Ticket
from tickets.services import ticket_create


def ticket_webhook_payload(*, ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "queue": ticket.queue_id,
            "customer": ticket.customer_id,
            "tags": sorted(tag.name for tag in ticket.tags.all()),
            "created_at": ticket.created_at,
        }
    }


@transaction.atomic
def ticket_create_announced(
    *,
    subject: str,
    customer: Customer,
    body: str,
    priority: str,
    queue: Queue | None,
    tags: Iterable[str],
    actor: Agent | None,
) -> Ticket:
    """``tickets.services.ticket_create`` plus the ``ticket.created`` webhook event."""
    ticket = ticket_create(
        subject=subject,
        customer=customer,
        body=body,
        priority=priority,
        queue=queue,
        tags=tags,
        actor=actor,
    )
    webhook_event_emit(
        event="ticket.created",
        payload=ticket_webhook_payload(ticket=ticket),
        team_id=queue.team_id if queue else None,
    )
    return ticket
