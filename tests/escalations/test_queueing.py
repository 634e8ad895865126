"""A broker outage at commit time: the write stands, nothing raises, the sweeps pick the work up."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import redis

from escalations.delivery.engine import delivery_enqueue
from escalations.engine.evaluate import evaluations_missed_requeue
from escalations.models import DeliveryStatus, Escalation, EventEvaluation, SlackDelivery
from escalations.queueing import task_enqueue_or_defer
from tests import factories
from tickets import services as ticket_services
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

ANGRY = "This is unacceptable, I will cancel my account and switch to a competitor."


@pytest.fixture
def broker_down(monkeypatch):
    """``async_task`` raises as it does while Redis restarts; records what was attempted."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr("django_q.tasks.async_task", refuse)
    return attempts


def test_a_broker_error_is_logged_and_reported_not_raised(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="escalations.queueing"):
        queued = task_enqueue_or_defer("escalations.tasks.delivery_send", 7, swept_by="the sweep")

    assert queued is False
    assert broker_down == [("escalations.tasks.delivery_send", 7)]
    assert [r.getMessage() for r in caplog.records] == [
        "could not queue escalations.tasks.delivery_send(7,) (ConnectionError); "
        "the sweep will queue it"
    ]


def test_a_message_added_while_the_broker_is_down_is_kept_and_evaluated_by_the_sweep(
    make_ticket, junior, lead, lead_target, broker_down, django_capture_on_commit_callbacks,
    monkeypatch,
):  # fmt: skip
    # given a sentiment rule and a broker that refuses every task
    factories.RuleFactory(name="Angry", trigger_kind="sentiment_negative", target=lead_target)
    ticket = make_ticket(holder=junior)

    # when an angry customer message arrives: the evaluation cannot be queued on commit
    with django_capture_on_commit_callbacks(execute=True):
        message = ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    # then the message and its event are stored, without a receipt and without an escalation
    event = TicketEvent.objects.get(ticket=ticket, kind="message_added", data__message=message.pk)
    assert ("escalations.tasks.ticket_event_evaluate", event.pk) in broker_down
    assert not EventEvaluation.objects.filter(event=event).exists()
    assert Escalation.objects.count() == 0

    # when the broker is back and the receipts sweep runs
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        requeued = evaluations_missed_requeue(now=event.created_at + timedelta(seconds=31))

    # then the message escalates, once
    assert event.pk in requeued
    assert Escalation.objects.get().ticket_id == ticket.pk


def test_a_slack_delivery_that_cannot_be_queued_stays_pending(broker_down):
    target = factories.TargetFactory(
        name="#esc", kind="slack", slack_webhook_url="http://127.0.0.1:9/hook"
    )
    delivery = SlackDelivery.objects.create(target=target, escalation=None, payload={"text": "x"})

    delivery_enqueue(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert broker_down == [("escalations.tasks.delivery_send", delivery.pk)]
