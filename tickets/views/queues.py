"""The three queue pages: my tickets, my team's queues, escalated to me."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tickets import selectors, ui_workflow
from tickets.filters import QueueFilter
from tickets.models import Agent, Ticket

PAGE_SIZE = 25

QUEUE_TITLES = {
    selectors.QUEUE_MINE: "My tickets",
    selectors.QUEUE_TEAM: "My team's queues",
    selectors.QUEUE_ESCALATED: "Escalated to me",
}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page is the agent's own queue."""
    return _queue_page(request, selectors.QUEUE_MINE)


def _queue_page(request: HttpRequest, queue: str) -> HttpResponse:
    agent = request.user
    assert isinstance(agent, Agent)
    tickets = selectors.tickets_for_queue_page(agent=agent, queue=queue)
    filterset = QueueFilter(request.GET or None, queryset=tickets)
    rows = filterset.qs
    # A total order, so pages neither repeat nor skip rows.
    rows = rows.order_by(*(rows.query.order_by or Ticket._meta.ordering), "-id")
    return render(
        request,
        "tickets/queue.html",
        {"queue": queue, "title": QUEUE_TITLES[queue], "filter": filterset}
        | tickets_page(request, rows),
    )


def tickets_page(request: HttpRequest, rows: QuerySet[Ticket]) -> dict[str, Any]:
    """One page of ticket rows with their SLA badges, and the query string of the other pages."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    tickets_on_page = list(page.object_list)
    slas = ui_workflow.sla_for_tickets(ticket_ids=[t.pk for t in tickets_on_page])
    for ticket in tickets_on_page:
        ticket.sla = slas.get(ticket.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "tickets": tickets_on_page, "query": query.urlencode()}


@login_required
@require_GET
def queue_mine(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, selectors.QUEUE_MINE)


@login_required
@require_GET
def queue_team(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, selectors.QUEUE_TEAM)


@login_required
@require_GET
def queue_escalated(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, selectors.QUEUE_ESCALATED)
