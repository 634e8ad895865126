"""Writes of the notification centre. ``notification_record`` runs inside the caller's transaction:
the notification is kept if and only if the change it tells of is committed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from escalations.models import Escalation
from kimondesk.compiled_queries import CompiledQuery
from tickets.models import Agent, Ticket

from .models import MESSAGE_MAX_CHARS, Notification

# Each agent keeps their newest notifications, read or not, up to this many; older ones go.
NOTIFICATIONS_KEPT_PER_AGENT = 500


def notification_record(
    *,
    agent_id: int,
    kind: str,
    ticket: Ticket,
    message: str,
    escalation: Escalation | None = None,
) -> Notification:
    """Keep one notification for ``agent_id``, and drop their oldest beyond the bound."""
    (notification,) = notifications_record(
        [
            Notification(
                agent_id=agent_id,
                kind=kind,
                ticket=ticket,
                escalation=escalation,
                message=message,
            )
        ]
    )
    return notification


# The bound is the shape (Django writes a slice's bounds into the SQL text).
_notifications_beyond_bound = CompiledQuery(
    lambda kept, *, agent_id: Notification.objects.filter(agent_id=agent_id).values_list(
        "pk", flat=True
    )[kept : kept + 100],
    agent_id=int,
)


def notifications_record(notifications: list[Notification]) -> list[Notification]:
    """Keep several notifications (built, not saved) in one insert, then drop each of their
    agents' oldest beyond the bound."""
    for notification in notifications:
        notification.message = notification.message[:MESSAGE_MAX_CHARS]
    written = Notification.objects.bulk_create(notifications)
    for agent_id in dict.fromkeys(n.agent_id for n in written):
        beyond = _notifications_beyond_bound.rows(NOTIFICATIONS_KEPT_PER_AGENT, agent_id=agent_id)
        if beyond:
            Notification.objects.filter(pk__in=beyond).delete()
    return written


@transaction.atomic
def notification_mark_read(*, agent: Agent, notification_id: int) -> Notification:
    """Mark one of the agent's own notifications read. Raises ``Notification.DoesNotExist`` for
    an unknown id or someone else's notification (the same answer for both)."""
    notification = Notification.objects.select_for_update().get(pk=notification_id, agent=agent)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, agent: Agent) -> int:
    """Mark all of the agent's unread notifications read; returns how many were unread."""
    return Notification.objects.filter(agent=agent, read_at__isnull=True).update(
        read_at=timezone.now()
    )
