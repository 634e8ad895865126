"""Exactly once and no loops: retries, cooldown, chain length, holder, ping-pong."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from escalations.engine.evaluate import event_evaluate
from escalations.exceptions import EscalationConflict
from escalations.models import AuditEvent, Escalation
from escalations.services import escalation_create_manual
from escalations.tasks import ticket_event_evaluate
from tests import factories
from tickets import services as ticket_services
from tickets.models import Note, Ticket, TicketEvent

HANDOFF = {"tried": "Checked logs.", "diagnosis": "Sync bug.", "authority_needed": "A refund."}


def refund_event(ticket: Ticket, amount: str = "800.00") -> TicketEvent:
    refund = ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal(amount), currency="USD", actor=None
    )
    return TicketEvent.objects.get(kind="refund_requested", data__refund=refund.pk)


@pytest.fixture
def refund_rule(senior_target):
    return factories.RuleFactory(
        name="Big refunds",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        target=senior_target,
        cooldown_minutes=60,
    )


def suppressions() -> list[tuple[str, str]]:
    return [
        (a.data["code"], a.data["reason"])
        for a in AuditEvent.objects.filter(kind="escalation_suppressed").order_by("id")
    ]


@pytest.mark.django_db
def test_a_retried_evaluation_escalates_once(make_ticket, junior, senior, refund_rule):
    ticket = make_ticket(holder=junior)
    event = refund_event(ticket)

    first = ticket_event_evaluate(event.pk)
    second = ticket_event_evaluate(event.pk)

    assert (first, second) == (1, 0)
    assert Escalation.objects.count() == 1
    assert Note.objects.filter(kind="escalation_summary").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).escalation_count == 1
    assert AuditEvent.objects.filter(kind="escalation_created").count() == 1


@pytest.mark.django_db
def test_cooldown_per_ticket_and_rule(make_ticket, junior, senior, lead, refund_rule):
    ticket = make_ticket(holder=junior)
    event_evaluate(event_id=refund_event(ticket).pk)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=junior)

    outcome = event_evaluate(event_id=refund_event(ticket, "900.00").pk)[0]

    assert outcome.created is False
    assert outcome.refused == (
        "Rule “Big refunds” escalated this ticket less than 60 min ago (cooldown)."
    )
    assert Escalation.objects.count() == 1
    assert suppressions() == [("cooldown", outcome.refused)]


@pytest.mark.django_db
def test_a_suppression_is_recorded_once_per_occurrence(make_ticket, senior, refund_rule):
    ticket = make_ticket(holder=senior)
    event = refund_event(ticket)

    event_evaluate(event_id=event.pk)
    event_evaluate(event_id=event.pk)

    assert suppressions() == [("current_holder", f"{senior} already holds the ticket.")]
    assert Escalation.objects.count() == 0
    assert Note.objects.filter(kind="escalation_summary").count() == 0


@pytest.mark.django_db
def test_max_chain_length_is_read_at_call_time(make_ticket, junior, refund_rule, settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "ESCALATION_MAX_CHAIN": 2}
    ticket = make_ticket(holder=junior)
    Ticket.objects.filter(pk=ticket.pk).update(escalation_count=2)

    event_evaluate(event_id=refund_event(ticket).pk)

    assert Escalation.objects.count() == 0
    assert suppressions() == [
        ("chain_limit", "The ticket was escalated 2 times: the chain limit is 2.")
    ]


@pytest.mark.django_db
def test_ping_pong_is_sent_one_level_up(team, make_ticket, senior, lead, senior_target):
    # given alice handed the ticket to senior
    alice = factories.SeniorFactory(username="alice", team=team)
    ticket = make_ticket(holder=alice)
    escalation_create_manual(ticket=ticket, actor=alice, target=senior_target, **HANDOFF)
    # when a rule would send it back to alice
    back = factories.TargetFactory(kind="agent", agent=alice, team=team)
    factories.RuleFactory(
        name="Back",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "1.00", "currency": "USD"},
        target=back,
    )
    ticket.refresh_from_db()

    outcome = event_evaluate(event_id=refund_event(ticket).pk)[0]

    # then it goes to the team lead instead, and the route says why
    assert outcome.escalation.to_agent == lead
    assert outcome.escalation.route_notes == [
        f"Named agent: {alice}.",
        f"Ping-pong: {alice} already handed this ticket on; sent one level up to {lead} instead.",
    ]
    assert Ticket.objects.get(pk=ticket.pk).assignee == lead


@pytest.mark.django_db
def test_ping_pong_is_refused_when_the_lead_is_the_one(team, make_ticket, senior, lead):
    ticket = make_ticket(holder=lead)
    escalation_create_manual(
        ticket=ticket,
        actor=lead,
        target=factories.TargetFactory(kind="agent", agent=senior, team=team),
        **HANDOFF,
    )
    ticket.refresh_from_db()

    with pytest.raises(EscalationConflict) as exc:
        escalation_create_manual(ticket=ticket, actor=senior, **HANDOFF)

    assert exc.value.code == "ping_pong"
    assert Escalation.objects.count() == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee == senior


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_evaluations_escalate_once(make_ticket, junior, senior, senior_target):
    # given one committed refund event (evaluated on commit before the rule existed)
    ticket = make_ticket(holder=junior)
    event = refund_event(ticket)
    factories.RuleFactory(
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        target=senior_target,
    )
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(ticket_event_evaluate(event.pk))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when two workers evaluate it at the same moment, each on its own connection
    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one escalation exists
    assert errors == []
    assert sorted(results) == [0, 1]
    assert Escalation.objects.count() == 1
    assert Ticket.objects.get(pk=ticket.pk).escalation_count == 1
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_the_unique_constraint_catches_what_the_lock_missed(
    make_ticket, junior, refund_rule, monkeypatch
):
    # given an escalation of this refund exists, and the in-lock check is blind to it
    ticket = make_ticket(holder=junior)
    event = refund_event(ticket)
    first = event_evaluate(event_id=event.pk)[0].escalation
    Ticket.objects.filter(pk=ticket.pk).update(assignee=junior, escalation_count=0)
    refund_rule.cooldown_minutes = 0
    refund_rule.save()
    monkeypatch.setattr("escalations.engine.escalate._already_escalated", lambda **kw: None)
    notes = Note.objects.count()

    # when the event is evaluated again
    outcome = event_evaluate(event_id=event.pk)[0]

    # then the constraint refuses the second row and the savepoint undoes the rest
    assert (outcome.escalation, outcome.created) == (first, False)
    assert Escalation.objects.count() == 1
    assert Note.objects.count() == notes
    assert Ticket.objects.get(pk=ticket.pk).assignee == junior
    assert AuditEvent.objects.filter(kind="escalation_created").count() == 1
