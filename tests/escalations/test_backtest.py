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

    # Four reads to replay (the tickets come with their tags), two to set receivers' feedback
    # beside the hits.
    with django_assert_num_queries(6) as captured:
        result = rule_backtest(rule=urgent_refund_rule, days=30)

    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SELECT"] * 6
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
        "Receivers' feedback: 0 of these were escalated in the window, 0 judged: 0 needed, "
        "0 unnecessary; 0 needed escalation(s) of this rule missed.",
    ]


# --- Receivers' feedback beside the hits ----------------------------------------------------------
@pytest.fixture
def judged_history(history, urgent_refund_rule):
    """What the rule made in the window, with known feedback: the urgent ticket's refund was
    escalated by the rule and judged unnecessary (first level); the later ticket's refund was
    escalated by the rule while the rule had no priority condition and judged needed; a third,
    unjudged escalation of the urgent ticket has another occurrence."""
    urgent, later = history
    everything = factories.RuleFactory(
        name="Every refund",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        target=urgent_refund_rule.target,
    )
    occurrences = {h.ticket_id: h.occurrence for h in rule_backtest(rule=everything, days=30).hits}
    made_unnecessary = factories.EscalationFactory(
        ticket=urgent,
        rule=urgent_refund_rule,
        trigger="refund_threshold",
        occurrence=occurrences[urgent.pk],
    )
    factories.EscalationFeedbackFactory(
        escalation=made_unnecessary, needed=False, reason="first_level", comment="Within policy"
    )
    missed = factories.EscalationFactory(
        ticket=later,
        rule=urgent_refund_rule,
        trigger="refund_threshold",
        occurrence=occurrences[later.pk],
    )
    factories.EscalationFeedbackFactory(escalation=missed, needed=True, reason="needed_authority")
    factories.EscalationFactory(
        ticket=urgent, rule=urgent_refund_rule, trigger="refund_threshold", occurrence="other:1"
    )
    return made_unnecessary, missed


def test_backtest_counts_hits_judged_unnecessary_and_needed_escalations_it_would_miss(
    judged_history, urgent_refund_rule
):
    made_unnecessary, missed = judged_history

    judged = rule_backtest(rule=urgent_refund_rule, days=30).judged

    assert (judged.made, judged.judged, judged.needed) == (1, 1, 0)
    assert [(j.escalation_id, j.needed, j.reason, j.comment) for j in judged.unnecessary] == [
        (made_unnecessary.pk, False, "first_level", "Within policy")
    ]
    assert [(j.escalation_id, j.ticket_id, j.reason) for j in judged.missed_needed] == [
        (missed.pk, missed.ticket_id, "needed_authority")
    ]


def test_widening_the_rule_keeps_the_needed_one_and_still_flags_the_unnecessary_one(
    judged_history, urgent_refund_rule
):
    made_unnecessary, _missed = judged_history
    urgent_refund_rule.conditions = []

    judged = rule_backtest(rule=urgent_refund_rule, days=30).judged

    assert (judged.made, judged.judged, judged.needed) == (2, 2, 1)
    assert [j.escalation_id for j in judged.unnecessary] == [made_unnecessary.pk]
    assert judged.missed_needed == []


def test_a_rule_that_no_longer_fires_misses_every_needed_escalation(
    judged_history, urgent_refund_rule
):
    _, missed = judged_history
    urgent_refund_rule.trigger_params = {"amount": "5000.00", "currency": "USD"}

    judged = rule_backtest(rule=urgent_refund_rule, days=30).judged

    assert (judged.made, judged.judged, judged.unnecessary) == (0, 0, [])
    assert [j.escalation_id for j in judged.missed_needed] == [missed.pk]


def test_command_lists_unnecessary_and_missed_escalations(judged_history):
    made_unnecessary, missed = judged_history
    out = StringIO()

    call_command("backtest_rule", "Urgent refunds", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[2:] == [
        "Receivers' feedback: 1 of these were escalated in the window, 1 judged: 0 needed, "
        "1 unnecessary; 1 needed escalation(s) of this rule missed.",
        f"unnecessary: escalation {made_unnecessary.pk} of #{made_unnecessary.ticket_id} "
        f"{made_unnecessary.created_at:%Y-%m-%d %H:%M} first_level Within policy",
        f"missed: escalation {missed.pk} of #{missed.ticket_id} "
        f"{missed.created_at:%Y-%m-%d %H:%M} needed_authority",
    ]
