"""The three queue pages: my tickets, my team's queues, escalated to me."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from escalations.sla.selectors import sla_summaries
from tickets import selectors
from tickets.bulk_edit import tickets_bulk_update
from tickets.filters import PAGE_SIZE_DEFAULT, QueueFilter
from tickets.forms import BulkUpdateForm, form_errors_from
from tickets.models import Agent, SavedView, Ticket
from tickets.saved_views.selectors import (
    saved_view_can_delete,
    saved_views_for_page,
    saved_views_visible_to,
)
from tickets.saved_views.services import saved_view_create, saved_view_delete

QUEUE_URL_NAMES = {
    selectors.QUEUE_MINE: "queue_mine",
    selectors.QUEUE_TEAM: "queue_team",
    selectors.QUEUE_ESCALATED: "queue_escalated",
}
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


def _queue_page(
    request: HttpRequest,
    queue: str,
    *,
    params: QueryDict | None = None,
    save_errors: dict[str, list[str]] | None = None,
    bulk_form: BulkUpdateForm | None = None,
) -> HttpResponse:
    agent = request.user
    assert isinstance(agent, Agent)
    params = request.GET if params is None else params
    tickets = selectors.tickets_for_queue_page(agent=agent, queue=queue)
    filterset = QueueFilter(params, queryset=tickets, agent=agent)
    # Input it cannot read shows nothing (and says why) rather than ignoring that filter.
    rows: QuerySet[Ticket] = filterset.qs if filterset.is_valid() else tickets.none()
    # A total order, so pages neither repeat nor skip rows.
    ordering: Sequence[Any] = rows.query.order_by or Ticket._meta.ordering or ()
    rows = rows.order_by(*ordering, "-id")
    view_query = params.copy()
    view_query.pop("page", None)
    saved_views = [
        {
            "view": view,
            "href": f"{reverse(QUEUE_URL_NAMES[view.page])}?{view.query}",
            "current": view.query == view_query.urlencode(),
            "deletable": saved_view_can_delete(agent=agent, saved_view=view),
        }
        for view in saved_views_for_page(agent=agent, page=queue)
    ]
    return render(
        request,
        "tickets/queue.html",
        {
            "queue": queue,
            "title": QUEUE_TITLES[queue],
            "filter": filterset,
            "saved_views": saved_views,
            "view_query": view_query.urlencode(),
            "save_errors": save_errors or {},
            "bulk_form": bulk_form
            or BulkUpdateForm(assignees=selectors.bulk_assignee_choices(agent=agent)),
        }
        | tickets_page(request, rows, page_size=filterset.rows_per_page),
        status=400 if filterset.errors or save_errors or bulk_form else 200,
    )


def tickets_page(
    request: HttpRequest, rows: QuerySet[Ticket], *, page_size: int = PAGE_SIZE_DEFAULT
) -> dict[str, Any]:
    """One page of ticket rows with their SLA badges, the numbered page links and the query
    string of the other pages."""
    paginator = Paginator(rows, page_size)
    page = paginator.get_page(request.GET.get("page"))
    tickets_on_page = list(page.object_list)
    slas = sla_summaries(ticket_ids=[t.pk for t in tickets_on_page])
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


@login_required
@require_POST
def saved_view_create_page(request: HttpRequest) -> HttpResponse:
    """Save the current filters of a queue page under a name (a lead may share it)."""
    agent = request.user
    assert isinstance(agent, Agent)
    page = request.POST.get("page", "")
    if page not in QUEUE_URL_NAMES:
        raise Http404("No such queue page.")
    query = request.POST.get("query", "")
    try:
        view = saved_view_create(
            agent=agent,
            name=request.POST.get("name", ""),
            page=page,
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except ValidationError as exc:
        return _queue_page(
            request, page, params=QueryDict(query[:500]), save_errors=exc.message_dict
        )
    messages.success(request, f"View {view.name!r} saved.")
    return redirect(f"{reverse(QUEUE_URL_NAMES[page])}?{view.query}")


@login_required
@require_POST
def saved_view_delete_page(request: HttpRequest, view_id: int) -> HttpResponse:
    agent = request.user
    assert isinstance(agent, Agent)
    try:
        view = saved_views_visible_to(agent=agent).get(pk=view_id)
    except SavedView.DoesNotExist:
        raise Http404("No such saved view.") from None
    saved_view_delete(agent=agent, saved_view=view)
    messages.success(request, f"View {view.name!r} deleted.")
    return redirect(QUEUE_URL_NAMES[view.page])


@login_required
@require_POST
def tickets_bulk_update_page(request: HttpRequest) -> HttpResponse:
    """Apply one change to the tickets ticked on a queue page, then show that page again."""
    agent = request.user
    assert isinstance(agent, Agent)
    page = request.POST.get("page", "")
    if page not in QUEUE_URL_NAMES:
        raise Http404("No such queue page.")
    query = request.POST.get("query", "")[:500]
    form = BulkUpdateForm(request.POST, assignees=selectors.bulk_assignee_choices(agent=agent))
    if form.is_valid():
        try:
            result = tickets_bulk_update(
                actor=agent, ticket_ids=form.cleaned_data["tickets"], **form.changes()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            changed = len(result.changed)
            messages.success(
                request,
                f"{changed} ticket{'s' if changed != 1 else ''} updated"
                + (f", {len(result.unchanged)} already so." if result.unchanged else "."),
            )
            return redirect(f"{reverse(QUEUE_URL_NAMES[page])}?{query}")
    return _queue_page(request, page, params=QueryDict(query), bulk_form=form)
