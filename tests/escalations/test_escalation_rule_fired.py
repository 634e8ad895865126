"""A rule fires on a ticket event: the whole escalation in one transaction, fan-out after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from escalations.engine.evaluate import event_evaluate
from escalations.models import AuditEvent, Escalation, TriggerKey
from tests import factories
from tickets import services as ticket_services
from tickets.models import EventKind, Note, NoteKind, Ticket, TicketEvent, TicketFollower

pytestmark = pytest.mark.django_db

ANGRY = "This is the third time I write. I want to cancel my account and talk to a lawyer."


@pytest.fixture
def sentiment_rule(senior_target):
    return factories.RuleFactory(
        name="Angry customers", trigger_kind="sentiment_negative", target=senior_target
    )


def test_sentiment_turning_negative_escalates_with_summary_note(
    make_ticket, junior, senior, sentiment_rule, pushes, django_capture_on_commit_callbacks
):
    # given a ticket held by a junior, with a neutral first message
    ticket = make_ticket(holder=junior)
    assert ticket.customer_sentiment == "neutral"

    # when the customer turns angry (evaluation runs after commit, q2 in sync mode)
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    # then the ticket moved to the senior, with one escalation and its pinned summary
    escalation = Escalation.objects.get()
    ticket.refresh_from_db()
    assert ticket.assignee == senior
    assert ticket.escalation_count == 1
    assert escalation.trigger == TriggerKey.SENTIMENT_NEGATIVE
    assert escalation.rule == sentiment_rule
    assert escalation.rule_name == "Angry customers"
    assert escalation.occurrence == f"message:{message.pk}"
    assert (escalation.from_agent, escalation.to_agent) == (junior, senior)
    assert escalation.initiated_by is None
    assert escalation.evidence["excerpt"] == ANGRY
    assert escalation.evidence["message"] == message.pk
    assert escalation.route_notes == [f"Named agent: {senior}."]
    note = escalation.summary_note
    assert note.kind == NoteKind.ESCALATION_SUMMARY
    assert note.pinned is True
    assert note.body.splitlines() == [
        "Escalated: Customer sentiment turned negative",
        f"What changed: {escalation.evidence and _sentence(escalation)}",
        # The sentence quotes the message and gives its score: the evidence lines saying the
        # same are not repeated.
        f"Route: {junior} → {senior}, by rule “Angry customers”",
        f"Route note: Named agent: {senior}.",
        f"Handoff: None: rule “Angry customers” fired while {junior} held the ticket, so no "
        "handoff was written.",
        "SLA: no clock is running.",
    ]
    # the previous holder follows the ticket; the event log and the audit log say what happened
    assert TicketFollower.objects.filter(ticket=ticket, agent=junior).count() == 1
    escalated = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert escalated.data == {
        "escalation": escalation.pk,
        "trigger": "sentiment_negative",
        "rule": sentiment_rule.pk,
        "from": junior.pk,
        "to": senior.pk,
        "to_queue": ticket.queue_id,
        # One escalation, one event: the reassignment is a change it carries.
        "changes": [["assigned", {"from": junior.pk, "to": senior.pk, "reason": "escalation"}]],
        "assigned": True,
    }
    assert escalated.assignee == senior
    assert not TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.ASSIGNED, data__reason="escalation"
    ).exists()
    audit = list(AuditEvent.objects.filter(ticket_id=ticket.pk).order_by("id"))
    assert [(a.kind, a.actor_label) for a in audit] == [
        ("escalation_created", "rule: Angry customers"),
        ("ticket_reassigned", "rule: Angry customers"),
    ]
    assert audit[1].before == {"assignee": junior.pk, "queue": ticket.queue_id}
    assert audit[1].after == {"assignee": senior.pk, "queue": ticket.queue_id}
    # and after commit: the ticket page, the receiver and the previous holder were told
    ref = f"#{ticket.pk}"
    assert [(kind, target, event["type"]) for kind, target, event in pushes] == [
        ("ticket", ticket.pk, "escalation.summary"),
        ("agent", senior.pk, "escalation.assigned"),
        ("agent", junior.pk, "escalation.handed_off"),
    ]
    assert pushes[0][2]["note"]["id"] == note.pk
    assert f'data-escalation="{escalation.pk}"' in pushes[0][2]["html"]
    assert pushes[1][2] == {
        "type": "escalation.assigned",
        "ticket": ticket.pk,
        "escalation": escalation.pk,
        "message": f"{ref} escalated to you by rule “Angry customers”.",
    }
    assert pushes[2][2]["message"] == (
        f"{ref} was escalated to {senior} by rule “Angry customers”; you still follow it."
    )


def _sentence(escalation: Escalation) -> str:
    e = escalation.evidence
    reasons = f" ({', '.join(e['reasons'])})" if e["reasons"] else ""
    return (
        f"The customer's sentiment turned negative (score {e['score']}){reasons}: “{e['excerpt']}”"
    )


def test_staying_negative_does_not_escalate_again(
    make_ticket, junior, senior, sentiment_rule, pushes, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior, body=ANGRY)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=junior)
    ticket.refresh_from_db()
    assert ticket.customer_sentiment == "negative"

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    assert Escalation.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert pushes == []


def test_older_summaries_are_unpinned(make_ticket, junior, senior, lead, sentiment_rule):
    ticket = make_ticket(holder=junior)
    factories.RuleFactory(
        name="Refunds",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "100.00", "currency": "USD"},
        target=factories.TargetFactory(kind="team_lead"),
    )
    first = ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    event_evaluate(event_id=TicketEvent.objects.filter(kind="message_added").last().pk)
    refund = ticket_services.refund_request_create(
        ticket=ticket, amount="150.00", currency="USD", actor=senior
    )
    event_evaluate(event_id=TicketEvent.objects.filter(kind="refund_requested").last().pk)

    summaries = list(
        Note.objects.filter(ticket=ticket, kind=NoteKind.ESCALATION_SUMMARY).order_by("id")
    )
    assert [n.pinned for n in summaries] == [False, True]
    assert Escalation.objects.order_by("id").last().occurrence == f"refund:{refund.pk}"
    assert Escalation.objects.order_by("id").first().occurrence == f"message:{first.pk}"


def test_nothing_is_pushed_when_the_transaction_rolls_back(
    make_ticket, junior, sentiment_rule, pushes, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)
    message = ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    event = TicketEvent.objects.get(kind="message_added", data__message=message.pk)

    class Boom(Exception):
        pass

    def escalate_then_fail() -> None:
        with transaction.atomic():
            event_evaluate(event_id=event.pk)
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        escalate_then_fail()

    assert callbacks == []
    assert pushes == []
    assert Escalation.objects.count() == 0
    assert Note.objects.filter(kind=NoteKind.ESCALATION_SUMMARY).count() == 0
    assert AuditEvent.objects.count() == 0


def test_queue_target_without_a_senior_leaves_the_ticket_unassigned_in_the_queue(
    team, make_ticket, junior, pushes, django_capture_on_commit_callbacks
):
    specialist = factories.QueueFactory(name="Billing specialists", team=team, specialist=True)
    factories.RuleFactory(
        name="Angry to billing",
        trigger_kind="sentiment_negative",
        target=factories.TargetFactory(kind="queue", queue=specialist, team=team),
    )
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    ticket.refresh_from_db()
    escalation = Escalation.objects.get()
    assert (ticket.queue, ticket.assignee) == (specialist, None)
    assert (escalation.to_queue, escalation.to_agent) == (specialist, None)
    assert (
        f"Route: {junior} → nobody in Billing specialists, by rule “Angry to billing”"
    ) in escalation.summary_note.body.splitlines()
    assert [(kind, event["type"]) for kind, _, event in pushes] == [
        ("ticket", "escalation.summary"),
        ("agent", "escalation.handed_off"),
    ]
    assert pushes[1][2]["message"] == (
        f"#{ticket.pk} was escalated to Billing specialists by rule “Angry to billing”; "
        "you still follow it."
    )
