"""Reads of receiver feedback: who may give it, until when, and the panel on the ticket page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from escalations.models import Escalation
from kimondesk.conf import kimondesk_settings
from tickets.models import Agent

from .models import EscalationFeedback, FeedbackReason


def feedback_edit_window() -> timedelta:
    """How long an author may change their feedback (``ESCALATION_FEEDBACK_EDIT_HOURS``)."""
    return timedelta(hours=kimondesk_settings().escalation_feedback_edit_hours)


def feedback_editable_until(*, feedback: EscalationFeedback) -> datetime:
    return feedback.created_at + feedback_edit_window()


def escalation_feedback_allowed(*, escalation: Escalation, agent: Agent) -> bool:
    """The receiver, a lead of the ticket's team or of the receiver's team, or an admin."""
    if agent.is_superuser or (
        escalation.to_agent_id is not None and escalation.to_agent_id == agent.pk
    ):
        return True
    if not agent.is_lead or agent.team_id is None:
        return False
    ticket = escalation.ticket
    ticket_team = ticket.queue.team_id if ticket.queue_id and ticket.queue else None
    receiver_team = escalation.to_agent.team_id if escalation.to_agent else None
    return agent.team_id in (ticket_team, receiver_team)


def escalation_feedback_of(*, escalation: Escalation) -> EscalationFeedback | None:
    """The escalation's feedback (no query when it was loaded with ``feedback__author``)."""
    try:
        return escalation.feedback
    except EscalationFeedback.DoesNotExist:
        return None


@dataclass(frozen=True)
class FeedbackPanel:
    """What the pinned summary shows about feedback to one viewer."""

    escalation_id: int
    feedback: EscalationFeedback | None
    can_give: bool
    can_edit: bool
    reasons: list[tuple[str, str]]


def escalation_feedback_panel(
    *, escalation: Escalation, agent: Agent, now: datetime | None = None
) -> FeedbackPanel:
    now = now or timezone.now()
    feedback = escalation_feedback_of(escalation=escalation)
    allowed = escalation_feedback_allowed(escalation=escalation, agent=agent)
    can_edit = (
        feedback is not None
        and feedback.author_id == agent.pk
        and now < feedback_editable_until(feedback=feedback)
    )
    return FeedbackPanel(
        escalation_id=escalation.pk,
        feedback=feedback,
        can_give=allowed and feedback is None,
        can_edit=can_edit,
        reasons=list(FeedbackReason.choices),
    )
