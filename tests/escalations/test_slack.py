"""Slack targets against a real HTTP server on 127.0.0.1: 200, 500, 429, timeouts; nothing lost."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_q.models import Schedule

from escalations.delivery.engine import deliveries_due, delivery_send
from escalations.engine.evaluate import event_evaluate
from escalations.exceptions import EscalationConflict
from escalations.models import (
    AuditEvent,
    DeliveryAttempt,
    DeliveryStatus,
    SlackDelivery,
    TargetKind,
)
from escalations.services import slack_delivery_retry, slack_target_test
from escalations.tasks import delivery_send as delivery_send_task
from tests import factories
from tests.fakes.slack_server import fake_slack_serving, hang, rate_limited, status
from tickets import services as ticket_services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
PORTS = range(8150, 8170)


@pytest.fixture
def fake_slack():
    yield from fake_slack_serving(PORTS)


@pytest.fixture(autouse=True)
def fast_slack(settings):
    settings.KIMONDESK = {
        **settings.KIMONDESK,
        "SLACK_TIMEOUT_SECONDS": 1,
        "SLACK_MAX_ATTEMPTS": 3,
        "SLACK_BACKOFF_SECONDS": 30,
        "PUBLIC_URL": "https://desk.example.com",
    }


@pytest.fixture
def slack_target(team, fake_slack):
    return factories.TargetFactory(
        name="#escalations", kind=TargetKind.SLACK, slack_webhook_url=fake_slack.url, team=team
    )


@pytest.fixture
def escalate_to_slack(make_ticket, junior, slack_target, django_capture_on_commit_callbacks):
    """A refund rule with a Slack target fires; returns the delivery (sent on commit)."""
    factories.RuleFactory(
        name="Refunds to Slack",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "100.00", "currency": "USD"},
        target=slack_target,
    )
    ticket = make_ticket(holder=junior, subject="Card charged twice")

    def run() -> SlackDelivery:
        with django_capture_on_commit_callbacks(execute=True):
            ticket_services.refund_request_create(
                ticket=ticket, amount=Decimal("250.00"), currency="USD", actor=None
            )
        return SlackDelivery.objects.get()

    return run


def attempts(delivery: SlackDelivery) -> list[tuple[int | None, int | None]]:
    return [
        (a.status_code, a.retry_after_seconds)
        for a in DeliveryAttempt.objects.filter(delivery=delivery).order_by("id")
    ]


def test_slack_target_posts_block_kit_and_keeps_the_holder(escalate_to_slack, fake_slack, junior):
    delivery = escalate_to_slack()

    assert delivery.status == DeliveryStatus.SENT
    assert attempts(delivery) == [(200, None)]
    escalation = delivery.escalation
    ticket = Ticket.objects.get(pk=escalation.ticket_id)
    assert ticket.assignee == junior
    assert (escalation.from_agent, escalation.to_agent) == (junior, None)
    assert len(fake_slack.requests) == 1
    sent = fake_slack.requests[0]
    link = f"https://desk.example.com/tickets/{ticket.pk}/"
    assert (
        sent["text"]
        == f"Escalated: #{ticket.pk} Card charged twice (Refund at or over a threshold)"
    )
    assert [b["type"] for b in sent["blocks"]] == ["header", "section", "section", "actions"]
    assert sent["blocks"][1]["text"]["text"] == f"*<{link}|#{ticket.pk} Card charged twice>*"
    assert sent["blocks"][2]["text"]["text"] == escalation.summary_note.body
    assert sent["blocks"][3]["elements"][0]["url"] == link
    assert escalation.summary_note.body.splitlines()[3:5] == [
        f"Route: {junior} → Slack (#escalations), by rule “Refunds to Slack”",
        "Route note: Posted to Slack (#escalations); the ticket stays with its holder.",
    ]


def test_server_error_retries_with_backoff_then_sends(
    escalate_to_slack, fake_slack, django_capture_on_commit_callbacks
):
    fake_slack.queue(status(500))
    before = timezone.now()
    delivery = escalate_to_slack()
    # the first try failed: pending, retry scheduled 30 s after the try began (a one-off
    # Schedule row); the try began after `before` and before its attempt was recorded
    assert delivery.status == DeliveryStatus.PENDING
    assert attempts(delivery) == [(500, None)]
    assert delivery.last_error == "HTTP 500: error"
    first_try = DeliveryAttempt.objects.get().created_at
    assert before <= delivery.next_attempt_at - timedelta(seconds=30) <= first_try
    scheduled = Schedule.objects.get(name=f"delivery-{delivery.pk}-try-2")
    assert (scheduled.func, scheduled.args, scheduled.next_run) == (
        "escalations.tasks.delivery_send",
        f"({delivery.pk},)",
        delivery.next_attempt_at,
    )
    # a task run before it is due does nothing
    assert delivery_send_task(delivery.pk) == "skipped"
    assert attempts(delivery) == [(500, None)]

    # when the retry comes due
    delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert attempts(delivery) == [(500, None), (200, None)]
    assert len(fake_slack.requests) == 2


def test_rate_limit_honours_retry_after(escalate_to_slack, fake_slack):
    fake_slack.queue(rate_limited(7))
    delivery = escalate_to_slack()
    now = timezone.now()
    SlackDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    fake_slack.queue(rate_limited(7))

    delivery_send(delivery_id=delivery.pk, now=now)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert attempts(delivery) == [(429, 7), (429, 7)]
    assert delivery.next_attempt_at == now + timedelta(seconds=7)
    assert delivery.attempts == 2


def test_timeout_is_retried_and_recorded(escalate_to_slack, fake_slack):
    fake_slack.queue(hang(5))

    delivery = escalate_to_slack()

    assert delivery.status == DeliveryStatus.PENDING
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "timed out" in attempt.error
    assert 900 <= attempt.duration_ms < 3000
    assert delivery.attempts == 1


def test_gives_up_after_max_attempts_then_a_lead_retries(
    escalate_to_slack, fake_slack, lead, django_capture_on_commit_callbacks
):
    fake_slack.queue(status(502), status(503), status(500))
    delivery = escalate_to_slack()
    for _ in range(2):
        delivery.refresh_from_db()
        delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert attempts(delivery) == [(502, None), (503, None), (500, None)]

    with django_capture_on_commit_callbacks(execute=True):
        slack_delivery_retry(delivery=delivery, actor=lead)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(attempts(delivery)) == 4
    assert AuditEvent.objects.filter(kind="slack_delivery_retried", actor=lead).count() == 1


def test_client_error_fails_at_once(escalate_to_slack, fake_slack):
    fake_slack.queue(status(404, "no_service"))

    delivery = escalate_to_slack()

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "HTTP 404: no_service"
    assert delivery.next_attempt_at is None


def test_retry_needs_a_failed_delivery_and_a_lead(escalate_to_slack, junior, lead):
    delivery = escalate_to_slack()

    with pytest.raises(EscalationConflict):
        slack_delivery_retry(delivery=delivery, actor=lead)
    with pytest.raises(PermissionDenied):
        slack_delivery_retry(delivery=delivery, actor=junior)

    assert AuditEvent.objects.filter(kind="slack_delivery_retried").count() == 0


def test_nothing_is_lost_when_the_queue_drops_the_task(
    escalate_to_slack, fake_slack, make_ticket, junior
):
    # given a delivery written with its escalation but never sent (no commit callbacks ran)
    factories.RuleFactory(
        trigger_kind="tier_upgrade",
        target=SlackDelivery.objects.none()
        .model._meta.get_field("target")
        .related_model.objects.get(),
    )
    ticket = make_ticket(holder=junior)
    event = ticket_services.ticket_event_record(
        ticket=ticket, kind="tier_changed", data={"from": "free", "to": "premium", "upgrade": True}
    )
    event_evaluate(event_id=event.pk)
    delivery = SlackDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert fake_slack.requests == []

    # when the due sweep runs a minute later
    due = deliveries_due(now=timezone.now() + timedelta(minutes=2))
    for delivery_id in due:
        delivery_send(delivery_id=delivery_id)

    delivery.refresh_from_db()
    assert due == [delivery.pk]
    assert delivery.status == DeliveryStatus.SENT
    assert len(fake_slack.requests) == 1
    assert TicketEvent.objects.filter(kind="escalated").count() == 1


def test_target_test_message(
    slack_target, fake_slack, lead, junior, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = slack_target_test(target=slack_target, actor=lead)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert fake_slack.requests == [
        {
            "text": "KimonDesk test message for the target “#escalations”.",
            "blocks": [
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": "KimonDesk test message for the target “#escalations”.",
                    },
                }
            ],
        }
    ]
    with pytest.raises(PermissionDenied):
        slack_target_test(target=slack_target, actor=junior)
    assert SlackDelivery.objects.count() == 1


def test_the_webhook_url_never_leaks(escalate_to_slack, fake_slack, slack_target, caplog):
    fake_slack.queue(status(500), hang(5))
    caplog.set_level(logging.DEBUG)

    delivery = escalate_to_slack()
    delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    secret = "secret-token"
    assert secret in slack_target.slack_webhook_url
    stored = [
        json.dumps([a.before, a.after, a.data, a.object_repr]) for a in AuditEvent.objects.all()
    ]
    stored += [a.error for a in DeliveryAttempt.objects.all()]
    stored += [json.dumps(d.payload) + d.last_error for d in SlackDelivery.objects.all()]
    assert [s for s in stored if secret in s] == []
    assert [r.getMessage() for r in caplog.records if secret in r.getMessage()] == []
    assert len(DeliveryAttempt.objects.all()) == 2


def test_a_slack_url_to_a_private_address_is_refused_when_sending(
    escalate_to_slack, fake_slack, settings
):
    # Given a Slack target stored with a loopback URL, on a deployment that refuses them
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}

    # When an escalation posts to it
    delivery = escalate_to_slack()

    # Then nothing was sent, and the delivery failed at once with the reason (not the URL)
    delivery.refresh_from_db()
    assert fake_slack.requests == []
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
    assert delivery.last_error == "Refused: 127.0.0.1 is not a public address."
