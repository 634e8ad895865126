"""The notification centre's pages: the list, mark one / all read, and the unread count."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tickets.models import Agent

from . import selectors, services
from .models import Notification

PAGE_SIZE = 25


def _agent(request: HttpRequest) -> Agent:
    assert isinstance(request.user, Agent)
    return request.user


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The agent's notifications, newest first, ``PAGE_SIZE`` a page."""
    paginator = Paginator(selectors.notifications_for(agent=_agent(request)), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", "1"))
    except PageNotAnInteger:
        return HttpResponse("page: must be a whole number.", status=400, content_type="text/plain")
    except EmptyPage:
        if paginator.count == 0 and request.GET.get("page", "1") == "1":
            page = paginator.page(1)  # an empty first page is fine: nothing yet
        else:
            raise Http404("page: no such page.") from None
    return render(request, "notifications/list.html", {"page": page, "queue": "notifications"})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(
            agent=_agent(request), notification_id=notification_id
        )
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    if request.POST.get("open") == "1":
        return redirect("ticket_detail", ticket_id=notification.ticket_id)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(agent=_agent(request))
    return redirect("notification_list")


@login_required
@require_GET
def notification_unread(request: HttpRequest) -> JsonResponse:
    """``{"unread": N}``: the header asks again whenever its socket (re)connects."""
    return JsonResponse({"unread": selectors.notification_unread_count(agent=_agent(request))})
