"""The dry run replays past events through one rule and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from escalations.services import rule_backtest
from tests import factories
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

ANGRY = "This is terrible, awful service. I am furious and I want a lawyer."


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("tickets", "escalations", "django_q")
    }


@pytest.fixture
def history(make_ticket, junior):
    """An urgent ticket that asked for a big refund and was later set to normal, and a normal
    ticket that asked for one and later became urgent."""
    urgent = make_ticket(holder=junior, subject="Urgent refund", priority="urgent")
    ticket_services.refund_request_create(
        ticket=urgent, amount=Decimal("900"), currency="USD", actor=None
    )
    ticket_services.ticket_update(ticket=urgent, actor=None, priority="normal")
    later = make_ticket(holder=junior, subject="Later urgent", priority="normal")
    ticket_services.refund_request_create(
        ticket=later, amount=Decimal("900"), currency="USD", actor=None
    )
    ticket_services.ticket_update(ticket=later, actor=None, priority="urgent")
    return urgent, later


@pytest.fixture
def urgent_refund_rule(lead_target):
    return factories.RuleFactory(
        name="Urgent refunds",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        conditions=[{"field": "priority", "op": "eq", "value": "urgent"}],
        target=lead_target,
    )


def test_backtest_uses_the_state_at_event_time_and_writes_nothing(
    history, urgent_refund_rule, django_assert_num_queries
):
    urgent, _ = history
    before = row_counts()

    with django_assert_num_queries(5) as captured:
        result = rule_backtest(rule=urgent_refund_rule, days=30)

    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SELECT"] * 5
    assert row_counts() == before
    assert result.tickets_evaluated == 2
    assert [(h.ticket_id, h.subject, h.trigger) for h in result.hits] == [
        (urgent.pk, "Urgent refund", "refund_threshold")
    ]
    assert result.hits[0].evidence["amount"] == "900.00"
    assert result.window_end - result.window_start == timedelta(days=30)


def test_events_outside_the_window_are_not_replayed(history, urgent_refund_rule):
    result = rule_backtest(
        rule=urgent_refund_rule, days=30, now=timezone.now() + timedelta(days=31)
    )

    assert (result.tickets_evaluated, result.hits) == (0, [])


def test_sentiment_backtest_hits_only_the_turn(make_ticket, junior, lead_target):
    rule = factories.RuleFactory(
        name="Mood", trigger_kind="sentiment_negative", target=lead_target, cooldown_minutes=0
    )
    ticket = make_ticket(holder=junior)
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    result = rule_backtest(rule=rule)

    assert [h.evidence["excerpt"] for h in result.hits] == [ANGRY]


def test_backtest_days_are_validated(urgent_refund_rule):
    with pytest.raises(ValidationError) as exc:
        rule_backtest(rule=urgent_refund_rule, days=0)
    assert exc.value.message_dict == {"days": ["Give a number of days between 1 and 366."]}


def test_backtest_command_prints_the_hits(history, urgent_refund_rule):
    urgent, _ = history
    out = StringIO()

    call_command("backtest_rule", "Urgent refunds", "--days", "30", stdout=out)

    hit = rule_backtest(rule=urgent_refund_rule).hits[0]
    assert out.getvalue().splitlines() == [
        f"Rule {urgent_refund_rule.pk} “Urgent refunds”: 1 hit(s) over 30 days (2 ticket(s) evaluated).",
        f"{hit.at:%Y-%m-%d %H:%M} #{urgent.pk} Urgent refund [refund_threshold] {hit.sentence}",
    ]
