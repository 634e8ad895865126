"""One poisoned row never stops a sweep or an evaluation for the others: durations stored before
the bounds existed are clamped, and a row that still fails is logged and skipped."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.engine import acknowledge, evaluate
from escalations.engine.evaluate import event_evaluate
from escalations.models import Escalation, Rule, SLAClock, TriggerKey
from escalations.sla import services as sla_services
from escalations.tasks import escalations_unacknowledged_sweep, ticket_event_evaluate
from kimondesk.bounds import MINUTES_MAX, minutes_delta
from tests import factories
from tickets import services as ticket_services
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

# Fits a PostgreSQL integer column, but "now" minus that many minutes is before year 1.
POISONED_MINUTES = 2_000_000_000


def _escalate_by_refund(*, ticket, rule) -> Escalation:
    refund = ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal("600"), currency="USD", actor=None
    )
    event = TicketEvent.objects.get(kind="refund_requested", data__refund=refund.pk)
    escalation = event_evaluate(event_id=event.pk)[0].escalation
    assert escalation.rule_id == rule.pk
    return escalation


@pytest.fixture
def rule(senior_target):
    """Refunds of 500 USD or more go to the senior, who has 15 minutes to acknowledge."""
    return factories.RuleFactory(
        name="Big refunds",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        target=senior_target,
        ack_limit_minutes=15,
    )


def test_a_huge_ack_limit_on_one_rule_does_not_stop_the_unacknowledged_sweep(
    make_ticket, junior, lead, rule
):
    # Given a disabled rule whose ack limit was stored before the bound existed
    poisoned = factories.RuleFactory(name="Old", enabled=False, trigger_kind="tier_upgrade")
    Rule.objects.filter(pk=poisoned.pk).update(ack_limit_minutes=POISONED_MINUTES)
    # and an overdue escalation of a sane rule
    escalation = _escalate_by_refund(ticket=make_ticket(holder=junior), rule=rule)
    Escalation.objects.filter(pk=escalation.pk).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )

    moved = escalations_unacknowledged_sweep()

    assert moved == 1
    bump = Escalation.objects.get(trigger=TriggerKey.UNACKNOWLEDGED)
    assert (bump.parent_id, bump.to_agent) == (escalation.pk, lead)


def test_one_failing_escalation_is_logged_and_the_others_still_move(
    make_ticket, junior, rule, monkeypatch, caplog
):
    first = _escalate_by_refund(ticket=make_ticket(holder=junior), rule=rule)
    second = _escalate_by_refund(ticket=make_ticket(holder=junior), rule=rule)
    Escalation.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    # Given the bump of the first escalation fails (a bug only its ticket hits)
    real = acknowledge.escalation_execute

    def execute(*, request):
        if request.parent.pk == first.pk:
            raise RuntimeError("poisoned row")
        return real(request=request)

    monkeypatch.setattr(acknowledge, "escalation_execute", execute)

    with caplog.at_level(logging.ERROR, logger="escalations.sweeps"):
        moved = escalations_unacknowledged_sweep()

    assert moved == 1
    assert list(
        Escalation.objects.filter(trigger=TriggerKey.UNACKNOWLEDGED).values_list(
            "parent_id", flat=True
        )
    ) == [second.pk]
    assert [r.getMessage() for r in caplog.records] == [
        f"Unacknowledged sweep: escalation {first.pk} failed and was skipped; the sweep carries on"
    ]


def test_a_huge_cooldown_does_not_stop_the_evaluation(make_ticket, junior, lead_target):
    # Given a negative-sentiment rule whose cooldown was stored before the bound existed
    rule = factories.RuleFactory(trigger_kind="sentiment_negative", target=lead_target)
    Rule.objects.filter(pk=rule.pk).update(cooldown_minutes=POISONED_MINUTES)
    ticket = make_ticket(holder=junior)
    message = ticket_services.message_add(
        ticket=ticket, author_type="customer", body="This is terrible, I am furious!"
    )
    event = TicketEvent.objects.get(kind="message_added", data__message=message.pk)

    created = ticket_event_evaluate(event.pk)

    assert created == 1
    assert Escalation.objects.get().rule_id == rule.pk


def test_a_rule_that_fails_to_evaluate_is_skipped_and_the_next_one_fires(
    make_ticket, junior, lead_target, monkeypatch, caplog
):
    broken = factories.RuleFactory(
        name="Broken", order=1, trigger_kind="sentiment_negative", target=lead_target
    )
    working = factories.RuleFactory(
        name="Working", order=2, trigger_kind="sentiment_negative", target=lead_target
    )
    real = evaluate.rule_fires

    def fires(*, rule, event, ctx):
        if rule.pk == broken.pk:
            raise ArithmeticError("poisoned rule")
        return real(rule=rule, event=event, ctx=ctx)

    monkeypatch.setattr(evaluate, "rule_fires", fires)
    message = ticket_services.message_add(
        ticket=make_ticket(holder=junior), author_type="customer", body="Awful, I am furious!"
    )
    event = TicketEvent.objects.get(kind="message_added", data__message=message.pk)

    with caplog.at_level(logging.ERROR, logger="escalations.sweeps"):
        created = ticket_event_evaluate(event.pk)

    assert created == 1
    assert Escalation.objects.get().rule_id == working.pk
    assert len(caplog.records) == 1


def test_one_failing_sla_clock_does_not_stop_the_sla_sweep(make_ticket, monkeypatch, caplog, queue):
    policy = factories.SLAPolicyFactory(name="Standard")
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    first, second = make_ticket(), make_ticket()
    poisoned = SLAClock.objects.get(ticket=first, metric="first_response")
    real = sla_services._cross

    def cross(clock, *, to, now):
        if clock.pk == poisoned.pk:
            raise OverflowError("date value out of range")
        return real(clock, to=to, now=now)

    monkeypatch.setattr(sla_services, "_cross", cross)

    with caplog.at_level(logging.ERROR, logger="escalations.sweeps"):
        crossings = sla_services.sla_sweep(now=timezone.now() + timedelta(minutes=61))

    assert crossings == 2  # the healthy clock: amber then red
    assert SLAClock.objects.get(ticket=second, metric="first_response").state == "red"
    assert SLAClock.objects.get(pk=poisoned.pk).state == "green"
    assert {r.getMessage() for r in caplog.records} == {
        f"SLA sweep: clock {poisoned.pk} failed and was skipped; the sweep carries on"
    }


def test_durations_are_clamped_to_the_bound():
    assert [minutes_delta(m) for m in (None, -5, 0, 15, MINUTES_MAX, POISONED_MINUTES)] == [
        timedelta(0),
        timedelta(0),
        timedelta(0),
        timedelta(minutes=15),
        timedelta(days=365),
        timedelta(days=365),
    ]
