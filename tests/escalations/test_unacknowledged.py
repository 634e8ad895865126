"""An escalation not acknowledged within the rule's limit goes one level up, once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.engine.evaluate import event_evaluate
from escalations.models import AuditEvent, Escalation, TriggerKey
from escalations.services import escalation_acknowledge
from escalations.tasks import escalations_unacknowledged_sweep
from tests import factories
from tickets import services as ticket_services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(make_ticket, junior, senior, senior_target):
    rule = factories.RuleFactory(
        name="Big refunds",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        target=senior_target,
        ack_limit_minutes=15,
    )
    ticket = make_ticket(holder=junior)
    refund = ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal("600"), currency="USD", actor=None
    )
    event = TicketEvent.objects.get(kind="refund_requested", data__refund=refund.pk)
    escalation = event_evaluate(event_id=event.pk)[0].escalation
    assert escalation.to_agent == senior
    assert rule.pk == escalation.rule_id
    return escalation


def age(escalation: Escalation, minutes: int) -> None:
    Escalation.objects.filter(pk=escalation.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_unacknowledged_past_the_limit_goes_to_the_team_lead(escalated, senior, lead):
    age(escalated, 16)

    moved = escalations_unacknowledged_sweep()
    again = escalations_unacknowledged_sweep()

    assert (moved, again) == (1, 0)
    bump = Escalation.objects.get(trigger=TriggerKey.UNACKNOWLEDGED)
    assert bump.parent == escalated
    assert (bump.from_agent, bump.to_agent) == (senior, lead)
    assert bump.occurrence == f"unacknowledged:{escalated.pk}"
    assert bump.evidence == {"escalation": escalated.pk, "receiver": senior.pk, "limit_minutes": 15}
    assert bump.summary_note.body.splitlines()[:3] == [
        "Escalated: Not acknowledged in time",
        f"What changed: {senior} did not acknowledge escalation {escalated.pk} within 15 min.",
        f"Route: {senior} → {lead}, by rule “Big refunds” (not acknowledged in time)",
    ]
    assert Ticket.objects.get(pk=escalated.ticket_id).assignee == lead


def test_within_the_limit_nothing_moves(escalated, senior):
    age(escalated, 14)

    assert escalations_unacknowledged_sweep() == 0
    assert Escalation.objects.count() == 1


def test_acknowledged_escalations_stay(escalated, senior):
    escalation_acknowledge(escalation=escalated, actor=senior)
    age(escalated, 60)

    assert escalations_unacknowledged_sweep() == 0
    assert Escalation.objects.count() == 1
    assert AuditEvent.objects.filter(kind="escalation_acknowledged").count() == 1


def test_the_sweep_is_a_fixed_number_of_queries(escalated, django_assert_num_queries):
    from escalations.selectors import escalations_unacknowledged_due

    with django_assert_num_queries(2):
        due = list(escalations_unacknowledged_due(now=timezone.now() + timedelta(minutes=20)))

    assert due == [escalated]
