"""The receiver's judgement of one escalation. Registered with the app by ``escalations.models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# Bounds (documented in docs/feedback.md and the API schema).
FEEDBACK_COMMENT_MAX_LENGTH = 1000


class FeedbackReason(models.TextChoices):
    """Why the receiver judged as they did. ``needed_authority`` goes with ``needed=true``; the
    others with ``needed=false``."""

    NEEDED_AUTHORITY = "needed_authority", "Needed authority I have"
    FIRST_LEVEL = "first_level", "Could have been solved at first level"
    WRONG_TEAM = "wrong_team", "Wrong team"
    CUSTOMER_NOT_UPSET = "customer_not_upset", "Customer was not upset"
    DUPLICATE = "duplicate", "Duplicate"


REASONS_WHEN_NEEDED = frozenset({FeedbackReason.NEEDED_AUTHORITY.value})


class EscalationFeedback(models.Model):
    """At most one per escalation (the unique one-to-one), written only by
    ``escalations.feedback.services.escalation_feedback_give``."""

    escalation = models.OneToOneField(
        "escalations.Escalation", on_delete=models.CASCADE, related_name="feedback"
    )
    needed = models.BooleanField()
    reason = models.CharField(max_length=30, choices=FeedbackReason.choices, blank=True, default="")
    comment = models.TextField(max_length=FEEDBACK_COMMENT_MAX_LENGTH, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalation_feedback_given",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "escalations"
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="") | Q(reason__in=FeedbackReason.values),
                name="escalation_feedback_reason_valid",
            ),
        ]
        indexes = [models.Index(fields=["needed", "reason"], name="esc_feedback_verdict_idx")]

    def __str__(self) -> str:
        verdict = "needed" if self.needed else "not needed"
        return f"Feedback on escalation {self.escalation_id}: {verdict}"
