"""Writes of the notification centre. ``notification_record`` runs inside the caller's transaction:
the notification is kept if and only if the change it tells of is committed."""

from __future__ import annotations

import functools

from django.db import connection, transaction
from django.utils import timezone

from escalations.models import Escalation
from kimondesk.compiled_queries import rows_insert, statement_cursor
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


@functools.cache
def _beyond_bound_delete_sql(vendor: str, agents: int) -> str:
    """One statement that drops the oldest notifications beyond the bound of ``agents`` agents
    (up to 100 each: one insert adds at most one per agent), newest first as the agent's index
    is ordered, so it reads only the index."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    beyond = (
        f"id IN (SELECT id FROM {table} WHERE agent_id = %s "  # noqa: S608 (model names)
        "ORDER BY created_at DESC, id DESC LIMIT 100 OFFSET %s)"
    )
    return f"DELETE FROM {table} WHERE " + " OR ".join([beyond] * agents)  # noqa: S608


def notifications_record(notifications: list[Notification]) -> list[Notification]:
    """Keep several notifications (built, not saved) in one insert, then drop their agents'
    oldest beyond the bound in one delete."""
    for notification in notifications:
        notification.message = notification.message[:MESSAGE_MAX_CHARS]
    written = rows_insert(notifications)
    agent_ids = list(dict.fromkeys(n.agent_id for n in written))
    if agent_ids:
        with statement_cursor(connection) as cursor:
            cursor.execute(
                _beyond_bound_delete_sql(connection.vendor, len(agent_ids)),
                [p for agent_id in agent_ids for p in (agent_id, NOTIFICATIONS_KEPT_PER_AGENT)],
            )
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
