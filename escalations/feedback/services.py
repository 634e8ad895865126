"""The one write of receiver feedback: give it, or change it within the edit window; audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from escalations.audit import audit_record
from escalations.exceptions import EscalationConflict
from escalations.models import Escalation
from tickets.models import Agent

from .models import (
    FEEDBACK_COMMENT_MAX_LENGTH,
    REASONS_WHEN_NEEDED,
    EscalationFeedback,
    FeedbackReason,
)
from .selectors import escalation_feedback_allowed, feedback_editable_until


@dataclass(frozen=True)
class FeedbackGiven:
    feedback: EscalationFeedback
    created: bool


def _verdict(feedback: EscalationFeedback) -> dict[str, object]:
    return {"needed": feedback.needed, "reason": feedback.reason, "comment": feedback.comment}


def _audit(
    *, kind: str, feedback: EscalationFeedback, actor: Agent, before: dict[str, object] | None
) -> None:
    escalation = feedback.escalation
    audit_record(
        kind=kind,
        actor=actor,
        ticket=escalation.ticket,
        obj=feedback,
        before=before,
        after=_verdict(feedback),
        data={"escalation": escalation.pk},
    )


def feedback_clean(*, needed: object, reason: str, comment: str) -> dict[str, object]:
    """Checked values, or ``ValidationError`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    if not isinstance(needed, bool):
        errors["needed"] = ["Say whether the escalation was needed (true or false)."]
    reason = (reason or "").strip()
    if reason and reason not in FeedbackReason.values:
        errors["reason"] = [
            f"Choose one of: {', '.join(FeedbackReason.values)}, or leave it empty."
        ]
    elif reason and isinstance(needed, bool) and needed != (reason in REASONS_WHEN_NEEDED):
        verdict = "needed" if needed else "not needed"
        errors["reason"] = [f"“{FeedbackReason(reason).label}” does not go with “{verdict}”."]
    comment = (comment or "").strip()
    if len(comment) > FEEDBACK_COMMENT_MAX_LENGTH:
        errors["comment"] = [f"At most {FEEDBACK_COMMENT_MAX_LENGTH} characters."]
    if errors:
        raise ValidationError(errors)
    return {"needed": needed, "reason": reason, "comment": comment}


@transaction.atomic
def escalation_feedback_give(
    *, escalation: Escalation, actor: Agent, needed: object, reason: str = "", comment: str = ""
) -> FeedbackGiven:
    """Record whether the escalation was needed.

    Only the receiver, their lead (or the ticket team's lead) or an admin (``PermissionDenied``);
    once given, only its author may change it, within ``ESCALATION_FEEDBACK_EDIT_HOURS``
    (``EscalationConflict`` after). Audited with before/after; nothing else is sent.
    """
    values = feedback_clean(needed=needed, reason=reason, comment=comment)
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("ticket__queue", "to_agent")
        .get(pk=escalation.pk)
    )
    if not escalation_feedback_allowed(escalation=locked, agent=actor):
        raise PermissionDenied(
            "Only the receiver of the escalation, their lead or an admin can give feedback."
        )
    existing = EscalationFeedback.objects.filter(escalation=locked).first()
    if existing is None:
        feedback = EscalationFeedback.objects.create(escalation=locked, author=actor, **values)
        _audit(kind="escalation_feedback_given", feedback=feedback, actor=actor, before=None)
        return FeedbackGiven(feedback=feedback, created=True)
    if existing.author_id != actor.pk:
        raise PermissionDenied(
            f"Feedback was already given by {existing.author}; only they can change it."
        )
    if timezone.now() >= feedback_editable_until(feedback=existing):
        raise EscalationConflict(
            "The feedback can no longer be changed: the edit window has passed.",
            code="feedback_locked",
        )
    before = _verdict(existing)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        return FeedbackGiven(feedback=existing, created=False)
    for name in changed:
        setattr(existing, name, values[name])
    existing.save(update_fields=[*changed, "updated_at"])
    _audit(kind="escalation_feedback_changed", feedback=existing, actor=actor, before=before)
    return FeedbackGiven(feedback=existing, created=False)
