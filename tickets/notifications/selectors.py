"""Reads of the notification centre: an agent only ever reads their own."""

from __future__ import annotations

from django.db.models import QuerySet

from tickets.models import Agent

from .models import Notification


def notifications_for(*, agent: Agent) -> QuerySet[Notification]:
    """The agent's notifications, newest first, with their tickets."""
    return Notification.objects.filter(agent=agent).select_related("ticket")


def notification_unread_count(*, agent: Agent) -> int:
    return Notification.objects.filter(agent=agent, read_at__isnull=True).count()
