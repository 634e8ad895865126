"""One outbound delivery (a Slack message or a webhook call) and its attempt log.

Registered with the app by ``escalations.models``. A ``Delivery`` of kind ``slack`` points at a
Slack ``Target`` (and the escalation it announces, if any); one of kind ``webhook`` points at a
``Webhook`` and names its ``event``. Every try is one append-only ``DeliveryAttempt``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from tickets.models import AppendOnlyModel


class DeliveryKind(models.TextChoices):
    SLACK = "slack", "Slack"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    target = models.ForeignKey(
        "escalations.Target",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    webhook = models.ForeignKey(
        "escalations.Webhook",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    escalation = models.ForeignKey(
        "escalations.Escalation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(max_length=50, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The lease: set while one worker tries the delivery (see escalations.delivery.engine).
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="slack", target__isnull=False, webhook__isnull=True)
                    | Q(kind="webhook", webhook__isnull=False, target__isnull=True)
                ),
                name="delivery_kind_destination",
            )
        ]

    def __str__(self) -> str:
        if self.kind == DeliveryKind.WEBHOOK:
            return f"{self.event} to webhook {self.webhook_id} ({self.status})"
        return f"Slack delivery {self.pk} ({self.status})"


class SlackDeliveryManager(models.Manager["SlackDelivery"]):
    def get_queryset(self) -> models.QuerySet[SlackDelivery]:
        return super().get_queryset().filter(kind=DeliveryKind.SLACK)


class SlackDelivery(Delivery):
    """The Slack deliveries, for the admin (its pages and permissions keep their names)."""

    objects: ClassVar[SlackDeliveryManager] = SlackDeliveryManager()

    class Meta:
        proxy = True
        verbose_name_plural = "Slack deliveries"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.kind = DeliveryKind.SLACK
        super().save(*args, **kwargs)


class DeliveryAttempt(AppendOnlyModel):
    """One try at sending a delivery, with what the far end answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    retry_after_seconds = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
