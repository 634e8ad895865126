"""The demo's notification centres: what its escalations would have told each agent.

The demo's escalations are written around the workflow, so nothing told their receivers, their
previous holders or the agents who escalated. Here each gets the notifications the live path
writes (the same sentences, at the same moments), read as a working team would have read them:
what is older than a day and what the receiver acknowledged is read, the rest is still unread.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from escalations.engine.notify import acknowledged_notification_message, escalation_notifications
from escalations.models import Escalation

from .notifications.models import KIND_OF_LIVE_EVENT, Notification, NotificationKind
from .notifications.services import notifications_record

# Notifications newer than this are left unread; older ones were read this long after they came.
DEMO_NOTIFICATIONS_UNREAD_WITHIN = timedelta(days=1)
DEMO_NOTIFICATION_READ_AFTER = timedelta(minutes=20)
# Notifications written per insert (``notifications_record`` trims each agent's oldest beyond
# the bound by up to 100 per insert).
DEMO_NOTIFICATIONS_PER_INSERT = 100


def demo_notifications_ensure(*, now: datetime, customer_prefix: str) -> int:
    """Write the notifications of the demo's escalations, once (none of them has any yet);
    return how many were written."""
    escalations = (
        Escalation.objects.filter(ticket__customer__external_id__startswith=customer_prefix)
        .select_related(
            "to_agent", "to_queue", "initiated_by", "acknowledged_by", "acknowledged_on_behalf_of"
        )
        .order_by("created_at", "pk")
    )
    if Notification.objects.filter(escalation__in=escalations).exists():
        return 0

    def read_at(at: datetime) -> datetime | None:
        return (
            None
            if now - at < DEMO_NOTIFICATIONS_UNREAD_WITHIN
            else at + DEMO_NOTIFICATION_READ_AFTER
        )

    rows = []
    for escalation in escalations:
        acknowledged_at = escalation.acknowledged_at
        for agent_id, event in escalation_notifications(
            escalation=escalation, previous_id=escalation.from_agent_id
        ):
            seen = read_at(escalation.created_at)
            if agent_id == escalation.to_agent_id and acknowledged_at is not None:
                # Acknowledging it is reading it.
                seen = min(seen or acknowledged_at, acknowledged_at)
            rows.append(
                Notification(
                    agent_id=agent_id,
                    kind=KIND_OF_LIVE_EVENT[event["type"]],
                    ticket_id=escalation.ticket_id,
                    escalation=escalation,
                    message=event["message"],
                    created_at=escalation.created_at,
                    read_at=seen,
                )
            )
        acknowledger, escalator_id = escalation.acknowledged_by, escalation.from_agent_id
        if (
            acknowledged_at is not None
            and acknowledger is not None
            and escalator_id is not None
            and escalator_id != acknowledger.pk
        ):
            rows.append(
                Notification(
                    agent_id=escalator_id,
                    kind=NotificationKind.ESCALATION_ACKNOWLEDGED,
                    ticket_id=escalation.ticket_id,
                    escalation=escalation,
                    message=acknowledged_notification_message(
                        escalation=escalation,
                        by=acknowledger,
                        on_behalf_of=escalation.acknowledged_on_behalf_of,
                    ),
                    created_at=acknowledged_at,
                    read_at=read_at(acknowledged_at),
                )
            )
    rows.sort(key=lambda n: n.created_at)
    # In chunks: one insert's statement stays small, and each keeps every agent's bound.
    for start in range(0, len(rows), DEMO_NOTIFICATIONS_PER_INSERT):
        notifications_record(rows[start : start + DEMO_NOTIFICATIONS_PER_INSERT])
    return len(rows)
