"""Asking the agent who escalated a question: the service, its notification and its pushes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalations.exceptions import EscalationConflict
from escalations.questions import escalation_question_ask, escalation_question_askee
from kimondesk.bounds import ESCALATION_QUESTION_MAX_CHARS
from tests import factories
from tickets import realtime
from tickets.models import Note, NoteKind
from tickets.notifications.models import Notification

pytestmark = pytest.mark.django_db

QUESTION = "Did the customer confirm the card number?"


@pytest.fixture
def escalation(queue, junior, senior):
    ticket = factories.TicketFactory(queue=queue, assignee=senior)
    return factories.EscalationFactory(ticket=ticket, from_agent=junior, to_agent=senior)


@pytest.fixture
def pushes(monkeypatch):
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "push_many", lambda batch: sent.extend(batch))
    return sent


def test_the_receiver_asks_and_the_escalating_agent_is_notified_after_commit(
    escalation, junior, senior, pushes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        note = escalation_question_ask(escalation=escalation, actor=senior, body=f"  {QUESTION} ")
        assert pushes == []

    assert len(callbacks) == 1
    assert (note.kind, note.body, note.author, note.addressed_to, note.pinned) == (
        NoteKind.QUESTION,
        QUESTION,
        senior,
        junior,
        False,
    )
    [notification] = Notification.objects.all()
    message = f"#{escalation.ticket_id}: {senior} asked about your escalation: “{QUESTION}”"
    assert (
        notification.agent,
        notification.kind,
        notification.escalation,
        notification.message,
    ) == (
        junior,
        "escalation_question",
        escalation,
        message,
    )
    assert [group for group, _ in pushes] == [
        realtime.ticket_group(escalation.ticket_id),
        realtime.agent_group(junior.pk),
    ]
    ticket_event, notice = pushes[0][1], pushes[1][1]
    assert ticket_event["type"] == "note.created"
    assert ticket_event["note"]["kind"] == "question"
    assert ticket_event["note"]["addressed_to"] == {"id": junior.pk, "name": str(junior)}
    assert notice == {
        "type": "escalation.question",
        "ticket": escalation.ticket_id,
        "escalation": escalation.pk,
        "message": message,
    }


def test_a_long_question_is_cut_in_the_notification_not_in_the_note(escalation, junior, senior):
    body = "Why " + "x" * 300

    note = escalation_question_ask(escalation=escalation, actor=senior, body=body)

    assert note.body == body
    message = Notification.objects.get().message
    assert message.endswith("x…”")
    assert len(message) < 200


def test_someone_of_another_team_cannot_ask_and_nothing_is_written(escalation, pushes):
    stranger = factories.LeadFactory(team=factories.TeamFactory(name="Billing"))

    with pytest.raises(PermissionDenied):
        escalation_question_ask(escalation=escalation, actor=stranger, body=QUESTION)

    assert Note.objects.count() == 0
    assert Notification.objects.count() == 0
    assert pushes == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param("   ", "Write the question.", id="blank"),
        pytest.param(
            "x" * (ESCALATION_QUESTION_MAX_CHARS + 1),
            f"Ensure this field has no more than {ESCALATION_QUESTION_MAX_CHARS} characters "
            f"(it has {ESCALATION_QUESTION_MAX_CHARS + 1}).",
            id="too-long",
        ),
    ],
)
def test_a_blank_or_too_long_question_names_the_body(escalation, senior, body, error):
    with pytest.raises(ValidationError) as raised:
        escalation_question_ask(escalation=escalation, actor=senior, body=body)

    assert raised.value.message_dict == {"body": [error]}
    assert Note.objects.count() == 0
    assert Notification.objects.count() == 0


def test_nobody_to_ask_is_a_conflict(queue, junior, senior):
    rule_fired_unassigned = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=queue), from_agent=None, to_agent=senior
    )
    own = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=queue), from_agent=junior, to_agent=senior
    )
    moved = factories.AgentFactory(
        username="moved", name="Mo Ved", team=factories.TeamFactory(name="Billing")
    )
    moved_away = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=queue), from_agent=moved, to_agent=senior
    )

    with pytest.raises(EscalationConflict, match="there is no one to ask"):
        escalation_question_ask(escalation=rule_fired_unassigned, actor=senior, body=QUESTION)
    with pytest.raises(EscalationConflict, match="You escalated this ticket yourself"):
        escalation_question_ask(escalation=own, actor=junior, body=QUESTION)
    with pytest.raises(EscalationConflict, match="Mo Ved can no longer see this ticket"):
        escalation_question_ask(escalation=moved_away, actor=senior, body=QUESTION)
    assert Note.objects.count() == 0
    assert Notification.objects.count() == 0


def test_the_summary_offers_the_question_to_everyone_but_the_escalating_agent(
    escalation, junior, senior, lead
):
    assert escalation_question_askee(escalation=escalation, agent=senior) == junior
    assert escalation_question_askee(escalation=escalation, agent=lead) == junior
    assert escalation_question_askee(escalation=escalation, agent=junior) is None
