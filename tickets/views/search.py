"""The search results page (the header's search box submits here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tickets.forms import TicketSearchForm
from tickets.models import Agent
from tickets.search.excerpts import search_excerpts
from tickets.search.selectors import SEARCH_MAX_RESULTS, tickets_search
from tickets.selectors import tickets_annotate_for_list

from .queues import tickets_page


@login_required
@require_GET
def ticket_search_page(request: HttpRequest) -> HttpResponse:
    agent = request.user
    assert isinstance(agent, Agent)
    form = TicketSearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data["q"] if valid else ""
    among = form.search_status() if valid else None
    context: dict[str, object] = {
        "title": f"Search: {query}" if query else "Search",
        "search_form": form,
        "search_query": query,
        "search_among": among,
        "max_results": SEARCH_MAX_RESULTS,
    }
    if query:
        statuses = among.statuses if among is not None else None
        found = tickets_search(agent=agent, query=query, statuses=statuses)
        rows = tickets_annotate_for_list(agent=agent, tickets=found)
        page = tickets_page(request, rows)
        listed = page["tickets"]
        excerpts = search_excerpts(ticket_ids=[t.pk for t in listed], query=query)
        for ticket in listed:
            ticket.search_excerpt = excerpts.get(ticket.pk)
        context |= page
    status = 400 if form.errors else 200
    return render(request, "tickets/search.html", context, status=status)
