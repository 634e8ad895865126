from __future__ import annotations

from django.db import models
from django.utils import timezone

from escalations.models import Escalation
from tickets.models import Agent, Ticket

# A notification's sentence is cut to this many characters.
MESSAGE_MAX_CHARS = 300


class NotificationKind(models.TextChoices):
    ESCALATION_ASSIGNED = "escalation_assigned", "Escalated to you"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", "Escalation acknowledged"
    TICKET_REASSIGNED = "ticket_reassigned", "Reassigned away from you"
    ESCALATION_QUESTION = "escalation_question", "A question about your escalation"


# The agent-notification live events (``escalations.engine.notify``) that are also kept.
KIND_OF_LIVE_EVENT = {
    "escalation.assigned": NotificationKind.ESCALATION_ASSIGNED,
    "escalation.handed_off": NotificationKind.TICKET_REASSIGNED,
}


class Notification(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    escalation = models.ForeignKey(
        Escalation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=MESSAGE_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agent", "-created_at", "-id"], name="notification_agent_new_idx"),
            models.Index(
                fields=["agent"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.message
