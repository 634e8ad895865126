"""Reads of the ticket domain, with visibility rules applied in one place."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Agent, Customer, Queue, Team, Ticket


def tickets_visible_to(*, agent: Agent) -> QuerySet[Ticket]:
    """Agents see their own team's queues and what is assigned to them; admins see everything."""
    tickets = Ticket.objects.all()
    if agent.is_superuser:
        return tickets
    if agent.team_id is None:
        return tickets.filter(assignee=agent)
    return tickets.filter(Q(queue__team_id=agent.team_id) | Q(assignee=agent))


def ticket_is_visible_to(*, agent: Agent, ticket_id: int) -> bool:
    return tickets_visible_to(agent=agent).filter(pk=ticket_id).exists()


def queues_visible_to(*, agent: Agent) -> QuerySet[Queue]:
    queues = Queue.objects.select_related("team")
    if agent.is_superuser:
        return queues
    return queues.filter(team_id=agent.team_id) if agent.team_id else queues.none()


def teams_visible_to(*, agent: Agent) -> QuerySet[Team]:
    return Team.objects.select_related("lead").all()


def customers_visible_to(*, agent: Agent) -> QuerySet[Customer]:
    return Customer.objects.all()


def ticket_team_id(*, ticket: Ticket) -> int | None:
    return ticket.queue.team_id if ticket.queue_id and ticket.queue else None
