"""The unread count in every page's header (one query, only when a page shows it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest

from tickets.models import Agent

from .selectors import notification_unread_count


def notifications_unread(request: HttpRequest) -> dict[str, Callable[[], int] | Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, Agent):
        return {}
    # Called by the template where it shows the count, and counted once per page.
    return {"notifications_unread": cache(lambda: notification_unread_count(agent=user))}
