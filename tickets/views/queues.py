"""The three queue pages: my tickets, my team's queues, escalated to me."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tickets import selectors, ui_workflow
from tickets.filters import PAGE_SIZE_DEFAULT, QueueFilter
from tickets.models import Agent, Ticket

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
    filterset = QueueFilter(request.GET, queryset=tickets, agent=agent)
    # Input it cannot read shows nothing (and says why) rather than ignoring that filter.
    rows: QuerySet[Ticket] = filterset.qs if filterset.is_valid() else tickets.none()
    # A total order, so pages neither repeat nor skip rows.
    ordering: Sequence[Any] = rows.query.order_by or Ticket._meta.ordering or ()
    rows = rows.order_by(*ordering, "-id")
    return render(
        request,
        "tickets/queue.html",
        {
            "queue": queue,
            "title": QUEUE_TITLES[queue],
            "filter": filterset,
            "ordering": filterset.form.cleaned_data.get("ordering")
            if filterset.is_valid()
            else None,
        }
        | tickets_page(request, rows, page_size=filterset.rows_per_page),
        status=400 if filterset.errors else 200,
    )


def tickets_page(
    request: HttpRequest, rows: QuerySet[Ticket], *, page_size: int = PAGE_SIZE_DEFAULT
) -> dict[str, Any]:
    """One page of ticket rows with their SLA badges, the numbered page links and the query
    string of the other pages."""
    paginator = Paginator(rows, page_size)
    page = paginator.get_page(request.GET.get("page"))
    tickets_on_page = list(page.object_list)
    slas = ui_workflow.sla_for_tickets(ticket_ids=[t.pk for t in tickets_on_page])
    for ticket in tickets_on_page:
        ticket.sla = slas.get(ticket.pk)
    query = request.GET.copy()
    query.pop("page", None)
    page_links = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return {
        "page": page,
        "page_links": page_links,
        "tickets": tickets_on_page,
        "query": query.urlencode(),
    }


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
