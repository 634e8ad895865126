"""Reads of the customer panel: a fixed number of queries whatever the customer's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When

from escalations.models import Escalation
from tickets.models import OPEN_STATUSES, Agent, AuthorType, Customer, Message, Ticket
from tickets.selectors import tickets_visible_to

# Bounds: how many other tickets and past escalations the panel lists (the counts say the rest).
PANEL_MAX_TICKETS = 8
PANEL_MAX_ESCALATIONS = 5


@dataclass(frozen=True)
class CustomerContext:
    customer: Customer
    other_tickets: Sequence[Ticket]
    other_tickets_count: int
    open_tickets_count: int
    escalations: list[Escalation]
    escalations_count: int
    last_customer_message: Message | None


def customer_context_for_ticket(*, agent: Agent, ticket: Ticket) -> CustomerContext:
    """The ticket's customer, their other tickets the agent may see (open first, then newest),
    the escalations of those tickets and of this one (newest first), and the sentiment of the
    customer's latest message on a visible ticket."""
    visible = tickets_visible_to(agent=agent).filter(customer_id=ticket.customer_id)
    others = visible.exclude(pk=ticket.pk).annotate(
        open_rank=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    other_tickets = list(
        others.select_related("assignee").order_by("open_rank", "-created_at", "-id")[
            :PANEL_MAX_TICKETS
        ]
    )
    counts = others.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES))
    )
    escalations_qs = Escalation.objects.filter(ticket__in=visible.values("pk"))
    escalations = list(
        escalations_qs.select_related("ticket", "from_agent", "to_agent", "to_queue").order_by(
            "-created_at", "-id"
        )[:PANEL_MAX_ESCALATIONS]
    )
    return CustomerContext(
        customer=ticket.customer,
        other_tickets=other_tickets,
        other_tickets_count=counts["total"],
        open_tickets_count=counts["open"],
        escalations=escalations,
        escalations_count=escalations_qs.count(),
        last_customer_message=customer_last_message(agent=agent, ticket=ticket),
    )


def customer_last_message(*, agent: Agent, ticket: Ticket) -> Message | None:
    """The customer's latest message on a ticket the agent may see (its sentiment is the panel's
    "last sentiment"; one query)."""
    visible = tickets_visible_to(agent=agent).filter(customer_id=ticket.customer_id)
    return (
        Message.objects.filter(ticket__in=visible.values("pk"), author_type=AuthorType.CUSTOMER)
        .order_by("-created_at", "-id")
        .first()
    )
