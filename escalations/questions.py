"""Questions from an escalation's receiver to the agent who escalated the ticket.

A question is an internal note addressed to that agent (``NoteKind.QUESTION``): everyone who
sees the ticket reads it in the timeline, and the asked agent gets a notification, kept in the
notification centre and pushed live after commit (``tickets/live/events.py``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kimondesk.bounds import ESCALATION_QUESTION_MAX_CHARS, text_bounds_check
from tickets.live.events import escalation_question_message
from tickets.models import Agent, Note, NoteKind
from tickets.notifications.models import NotificationKind
from tickets.notifications.services import notification_record
from tickets.selectors import ticket_is_visible_to
from tickets.services import note_add

from .exceptions import EscalationConflict
from .models import Escalation


def escalation_question_askee(*, escalation: Escalation, agent: Agent) -> Agent | None:
    """Whom ``agent`` may ask about ``escalation`` from its summary: the agent who escalated it
    (who held the ticket, when a rule fired), unless that is ``agent`` themselves or nobody."""
    asked = escalation.from_agent
    if asked is None or asked.pk == agent.pk:
        return None
    return asked


@transaction.atomic
def escalation_question_ask(*, escalation: Escalation, actor: Agent, body: str) -> Note:
    """Ask the agent who escalated a question. Raises ``PermissionDenied`` if ``actor`` cannot
    see the ticket, ``ValidationError`` for a blank or too long question and
    ``EscalationConflict`` when there is nobody to ask (no holder, oneself, or someone who can no
    longer see the ticket)."""
    if not ticket_is_visible_to(agent=actor, ticket_id=escalation.ticket_id):
        raise PermissionDenied("You cannot see this ticket.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write the question."]})
    text_bounds_check(values={"body": (body, ESCALATION_QUESTION_MAX_CHARS)})
    asked = escalation.from_agent
    if asked is None:
        raise EscalationConflict(
            "Nobody held the ticket when it was escalated: there is no one to ask."
        )
    if asked.pk == actor.pk:
        raise EscalationConflict(
            "You escalated this ticket yourself: add an internal note instead."
        )
    if not asked.is_active or not ticket_is_visible_to(agent=asked, ticket_id=escalation.ticket_id):
        raise EscalationConflict(f"{asked} can no longer see this ticket.")
    note = note_add(
        ticket=escalation.ticket,
        body=body,
        author=actor,
        kind=NoteKind.QUESTION,
        addressed_to=asked,
        escalation_id=escalation.pk,
    )
    notification_record(
        agent_id=asked.pk,
        kind=NotificationKind.ESCALATION_QUESTION,
        ticket=escalation.ticket,
        escalation=escalation,
        message=escalation_question_message(note=note),
    )
    return note
