"""The immutable picture of a ticket that conditions and triggers evaluate.

Built once per evaluation by one query (the tags come with the ticket); evaluators are pure
functions of it and never query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery

from kimondesk.compiled_queries import CompiledQuery
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
    # Annotated by ``ticket_context_queryset``; None for a ticket without tags.
    tag_names: list[str] | None = ticket.context_tags  # type: ignore[attr-defined]
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
        tags=frozenset(tag_names or ()),
        customer_sentiment=ticket.customer_sentiment,
        escalation_count=ticket.escalation_count,
        created_at=ticket.created_at,
    )


class _NamesArray(Aggregate):
    """The grouped names as one JSON array (SQLite ``JSON_GROUP_ARRAY``, PostgreSQL
    ``JSONB_AGG``), so a ticket's tags come in its own row instead of a second query."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


def _tag_names_subquery() -> Subquery:
    links = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"))
    grouped = links.values("ticket_id").annotate(names=_NamesArray("tag__name"))
    # The stubs' plugin does not see an annotation made in the same chain.
    return Subquery(grouped.values("names"))  # type: ignore[misc]


def ticket_context_queryset() -> QuerySet[Ticket]:
    """Tickets with what a context needs: queue, team and customer joined, tag names annotated
    (``context_tags``; None for a ticket without tags)."""
    return Ticket.objects.select_related("queue__team", "customer").annotate(
        context_tags=_tag_names_subquery()
    )


_ticket_context_row = CompiledQuery(
    lambda *, ticket_id: ticket_context_queryset().filter(pk=ticket_id), ticket_id=int
)


def ticket_context_build(*, ticket_id: int) -> TicketContext:
    return ticket_context_from(_ticket_context_row.get(ticket_id=ticket_id))
