"""The event's facts loaded for the triggers, and the missed-evaluation sweep's order, bound and
broker (cases found by the mutation run of ``escalations/engine/evaluate.py``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.currency.rates import RateFact
from escalations.engine import evaluate
from escalations.engine.context import ticket_context_build
from escalations.engine.evaluate import evaluations_missed_requeue, rule_fires, trigger_event_from
from escalations.models import ExchangeRate, Rule, RuleKind
from escalations.queueing import task_broker
from tests import factories
from tickets import services as ticket_services
from tickets.models import EventKind, TicketEvent

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def queued(monkeypatch):
    """The tasks the sweep queues, as ``(args, kwargs)``."""
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    return calls


def _refund_event(make_ticket, currency: str) -> TicketEvent:
    ticket = make_ticket()
    ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal("100.00"), currency=currency, actor=None
    )
    return TicketEvent.objects.get(ticket=ticket, kind=EventKind.REFUND_REQUESTED)


def _rate(team, base: str, quote: str, value: str, valid_from) -> RateFact:
    row = ExchangeRate.objects.create(
        team=team, base=base, quote=quote, rate=Decimal(value), valid_from=valid_from
    )
    return RateFact(base=base, quote=quote, rate=row.rate, valid_from=valid_from, team_id=team.pk)


def test_a_refund_loads_only_its_currencys_rates_in_force_on_its_day(make_ticket, team):
    event = _refund_event(make_ticket, "EUR")
    today = timezone.now().date()
    in_force = _rate(team, "EUR", "USD", "1.100000", today - timedelta(days=3))
    _rate(team, "GBP", "USD", "1.300000", today - timedelta(days=3))  # another currency
    _rate(team, "EUR", "JPY", "160.000000", today + timedelta(days=2))  # not yet in force

    facts = trigger_event_from(event, team_id=team.pk, with_rates=True)

    assert [(r.base, r.quote, r.rate, r.valid_from) for r in facts.rates] == [
        (in_force.base, in_force.quote, in_force.rate, in_force.valid_from)
    ]


def test_rates_are_loaded_only_when_asked_for_and_only_for_a_refund(make_ticket, team):
    event = _refund_event(make_ticket, "EUR")
    _rate(team, "EUR", "USD", "1.100000", timezone.now().date() - timedelta(days=3))
    created = TicketEvent.objects.get(ticket=event.ticket, kind=EventKind.TICKET_CREATED)

    assert trigger_event_from(event, team_id=team.pk).rates == ()
    assert trigger_event_from(created, team_id=team.pk, with_rates=True).rates == ()


def test_an_agents_message_is_not_loaded_as_a_customer_message(make_ticket, junior):
    ticket = make_ticket(holder=junior)
    ticket_services.message_add(
        ticket=ticket, author_type="agent", author=junior, body="We are looking into it."
    )
    agent_event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_ADDED).latest(
        "id"
    )
    customer_event = TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.MESSAGE_ADDED
    ).earliest("id")

    assert agent_event.data.get("author_type") == "agent"
    assert trigger_event_from(agent_event).extra == {}
    assert trigger_event_from(customer_event).extra["body"] == (
        "Hello, I have a question about my invoice."
    )


def test_missed_events_are_queued_oldest_first_then_by_id(make_ticket, queued, monkeypatch):
    # The later ticket is created first (lower ids); each ticket's two events share an instant.
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(seconds=10))
    later = make_ticket()
    monkeypatch.setattr(timezone, "now", lambda: START)
    earlier = make_ticket()
    monkeypatch.setattr(timezone, "now", real_now)

    def ids(ticket):
        events = TicketEvent.objects.filter(ticket=ticket).order_by("id")
        return list(events.values_list("pk", flat=True))

    assert TicketEvent.objects.get(pk=ids(earlier)[1]).created_at == START
    missed = evaluations_missed_requeue(now=START + timedelta(minutes=1))

    assert missed == [*ids(earlier), *ids(later)]
    assert [args for args, _ in queued] == [
        ("escalations.tasks.ticket_event_evaluate", event_id) for event_id in missed
    ]


def test_missed_events_are_queued_on_this_processs_broker(make_ticket, queued):
    make_ticket()

    missed = evaluations_missed_requeue(now=timezone.now() + timedelta(minutes=1))

    assert len(missed) == 2
    broker = task_broker()
    assert [kwargs for _, kwargs in queued] == [{"broker": broker}, {"broker": broker}]


def test_the_sweep_queues_at_most_a_thousand_events_by_default(make_ticket, queued):
    ticket = make_ticket()
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=ticket, kind=EventKind.MESSAGE_ADDED, data={}) for _ in range(1000)
    )
    first = list(TicketEvent.objects.order_by("created_at", "id").values_list("pk", flat=True))

    missed = evaluations_missed_requeue(now=timezone.now() + timedelta(minutes=1))

    assert len(first) == 1002
    assert missed == first[:1000]
    assert len(queued) == 1000


ANGRY = "This is unacceptable, I will cancel my account and switch to a competitor."


def _angry_facts(make_ticket, junior):
    ticket = make_ticket(holder=junior)
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_ADDED).latest("id")
    return trigger_event_from(event), ticket_context_build(ticket_id=ticket.pk)


def test_a_trigger_fires_only_for_rules_of_its_own_kind(make_ticket, junior, lead_target):
    facts, ctx = _angry_facts(make_ticket, junior)
    escalation = Rule(kind=RuleKind.ESCALATION, trigger_kind="sentiment_negative", conditions=[])
    routing = Rule(kind=RuleKind.ROUTING, trigger_kind="sentiment_negative", conditions=[])

    assert rule_fires(rule=escalation, event=facts, ctx=ctx) is not None
    assert rule_fires(rule=routing, event=facts, ctx=ctx) is None


def test_a_rule_with_invalid_trigger_params_is_skipped_with_a_warning(make_ticket, junior, caplog):
    facts, ctx = _angry_facts(make_ticket, junior)
    rule = Rule(
        pk=77,
        kind=RuleKind.ESCALATION,
        trigger_kind="sentiment_negative",
        trigger_params=["not", "a", "mapping"],
        conditions=[],
    )

    with caplog.at_level(logging.WARNING, logger="escalations.engine.evaluate"):
        assert rule_fires(rule=rule, event=facts, ctx=ctx) is None

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "rule 77 has invalid trigger params; skipped")
    ]


def test_rates_are_loaded_only_when_a_rule_names_another_currency(
    make_ticket, team, lead_target, monkeypatch
):
    calls: list[dict] = []
    real = evaluate.exchange_rate_facts

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(evaluate, "exchange_rate_facts", spy)
    rule = factories.RuleFactory(
        name="Big refunds",
        team=team,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "100000.00"},
        target=lead_target,
    )
    event = _refund_event(make_ticket, "EUR")

    assert evaluate.event_evaluate(event_id=event.pk) == []
    assert calls == []

    rule.trigger_params = {"amount": "100000.00", "currency": "USD"}
    rule.save()
    assert evaluate.event_evaluate(event_id=event.pk) == []
    assert [call["currency"] for call in calls] == ["EUR"]


def test_a_rule_failing_to_evaluate_is_logged_with_its_event_and_rule(
    make_ticket, junior, lead_target, monkeypatch, caplog
):
    rule = factories.RuleFactory(trigger_kind="sentiment_negative", target=lead_target)

    def explode(**kwargs):
        raise ArithmeticError("poisoned rule")

    monkeypatch.setattr(evaluate, "rule_fires", explode)
    ticket = make_ticket(holder=junior)
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_ADDED).latest("id")

    with caplog.at_level(logging.ERROR, logger="escalations.sweeps"):
        assert evaluate.event_evaluate(event_id=event.pk) == []

    assert [r.getMessage() for r in caplog.records] == [
        f"Evaluation of event {event.pk}: rule {rule.pk} failed and was skipped; "
        "the sweep carries on"
    ]


def test_a_broker_outage_names_the_sweep_that_will_queue_the_evaluation(
    make_ticket, junior, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("django_q.tasks.async_task", down)
    with (
        caplog.at_level(logging.WARNING, logger="escalations.queueing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    event = TicketEvent.objects.get(kind=EventKind.MESSAGE_ADDED, data__message=message.pk)
    assert [r.getMessage() for r in caplog.records if r.name == "escalations.queueing"] == [
        f"could not queue escalations.tasks.ticket_event_evaluate({event.pk},) "
        "(ConnectionError); the evaluation receipts sweep will queue it"
    ]
