"""Outbound webhooks at the edges: signature checks, backoff, the envelope's bytes, the request
that leaves (headers, timeout, errors), disabled webhooks, global-only events and the due sweep's
bound."""

from __future__ import annotations

import urllib.error
from datetime import UTC, datetime, timedelta
from email.message import Message
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_q.models import Schedule

from escalations import webhooks
from escalations.models import Webhook, WebhookDelivery

from ..api.test_webhooks import Receiver

AT = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
HEADER = webhooks.webhook_signature(secret="k", timestamp=1700000000, body=b"{}")


@pytest.mark.parametrize(
    ("header", "now", "valid"),
    [
        pytest.param(HEADER, 1700000000 + 300, True, id="300-s-old-still-valid"),
        pytest.param(HEADER, 1700000000 - 300, True, id="300-s-ahead-still-valid"),
        pytest.param(HEADER, 1700000000 + 301, False, id="301-s-old"),
        pytest.param("garbage", 1700000000, False, id="not-key-value"),
        pytest.param("v1=abc", 1700000000, False, id="no-timestamp"),
        pytest.param("t=soon,v1=abc", 1700000000, False, id="timestamp-not-a-number"),
        pytest.param(HEADER + ",v0=a", 1700000000, False, id="extra-part"),
    ],
)
def test_signature_verification(header, now, valid):
    assert (
        webhooks.webhook_signature_verify(secret="k", header=header, body=b"{}", now=now) is valid
    )


def test_signature_verification_defaults_to_the_current_time(monkeypatch):
    monkeypatch.setattr(webhooks, "time", SimpleNamespace(time=lambda: 1700000100.0))

    assert webhooks.webhook_signature_verify(secret="k", header=HEADER, body=b"{}") is True


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (6, 960), (10, 15360), (11, 21600), (20, 21600)],
)
def test_backoff_doubles_from_30_seconds_up_to_6_hours(attempts, seconds):
    assert webhooks.webhook_backoff(attempts=attempts) == timedelta(seconds=seconds)


def test_the_envelope_is_json_with_sorted_keys():
    delivery = WebhookDelivery(
        pk=5, event="sla.amber", payload={"ticket": 9, "metric": "first_response"}, created_at=AT
    )

    assert webhooks.webhook_body(delivery=delivery) == (
        b'{"created_at": "2026-01-12T09:00:00Z", "data": {"metric": "first_response", '
        b'"ticket": 9}, "event": "sla.amber", "id": 5}'
    )


def test_secrets_are_64_hex_characters_and_never_repeat():
    first, second = webhooks.webhook_secret_generate(), webhooks.webhook_secret_generate()

    assert len(first) == 64
    assert int(first, 16) >= 0
    assert first != second


class FakeOpener:
    def __init__(self, error: Exception):
        self.error = error
        self.timeouts: list[float | None] = []

    def open(self, request, timeout=None):
        self.timeouts.append(timeout)
        raise self.error


def http_error(code: int, retry_after: str | None) -> urllib.error.HTTPError:
    headers = Message()
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return urllib.error.HTTPError("https://x.example.com", code, "no", headers, None)


@pytest.mark.parametrize(
    ("error", "result"),
    [
        pytest.param(http_error(429, "120"), (429, "HTTP 429", 120), id="retry-after-seconds"),
        pytest.param(http_error(503, None), (503, "HTTP 503", None), id="no-retry-after"),
        pytest.param(
            http_error(503, "Wed, 21 Oct 2026 07:28:00 GMT"),
            (503, "HTTP 503", None),
            id="retry-after-date-not-read",
        ),
        pytest.param(
            urllib.error.URLError("name not known"), (None, "name not known", None), id="url"
        ),
        pytest.param(OSError("connection reset"), (None, "connection reset", None), id="os"),
        pytest.param(OSError("e" * 600), (None, "e" * 500, None), id="long-error-cut"),
        pytest.param(
            urllib.error.HTTPError("https://x.example.com", 500, "no", None, None),
            (500, "HTTP 500", None),
            id="no-headers",
        ),
    ],
)
def test_a_failed_post_reports_code_error_and_retry_after(monkeypatch, error, result):
    opener = FakeOpener(error)
    monkeypatch.setattr(webhooks, "outbound_opener", lambda: opener)

    assert webhooks._post("https://x.example.com", b"{}", {}) == result
    assert opener.timeouts == [10]


@pytest.fixture
def receiver():
    server = Receiver(0)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.django_db
def test_the_request_names_its_content_client_event_and_delivery(receiver, team, monkeypatch):
    hook = Webhook.objects.create(url=receiver.url, team=team, events=["sla.amber"], secret="s")
    delivery = WebhookDelivery.objects.create(webhook=hook, event="sla.amber", payload={"t": 1})
    ticks = iter([100.0, 102.5])
    monkeypatch.setattr(
        webhooks, "time", SimpleNamespace(time=lambda: 1700000000, monotonic=lambda: next(ticks))
    )

    sent = webhooks.webhook_delivery_send(delivery_id=delivery.pk)

    headers = receiver.requests[0]["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "KimonDesk-Webhooks/1"
    assert headers["x-kimondesk-event"] == "sla.amber"
    assert headers["x-kimondesk-delivery"] == str(delivery.pk)
    assert headers["x-kimondesk-signature"].startswith("t=1700000000,v1=")
    assert sent is not None
    assert list(sent.attempt_log.values_list("duration_ms", "status_code", "error")) == [
        (2500, 200, "")
    ]


@pytest.mark.django_db
def test_a_disabled_webhooks_delivery_fails_at_once_without_a_request(receiver, team):
    hook = Webhook.objects.create(
        url=receiver.url, team=team, events=["sla.amber"], secret="s", enabled=False
    )
    delivery = WebhookDelivery.objects.create(webhook=hook, event="sla.amber")

    sent = webhooks.webhook_delivery_send(delivery_id=delivery.pk)

    assert receiver.requests == []
    assert sent is not None
    assert (sent.status, sent.attempts, sent.next_attempt_at) == ("failed", 1, None)
    assert list(sent.attempt_log.values_list("error", flat=True)) == ["Webhook disabled."]


@pytest.mark.django_db
def test_an_event_without_a_team_reaches_global_webhooks_only(team, monkeypatch):
    global_hook = Webhook.objects.create(
        url="https://g.example.com", team=None, events=["ticket.created"], secret="s"
    )
    Webhook.objects.create(
        url="https://t.example.com", team=team, events=["ticket.created"], secret="s"
    )
    monkeypatch.setattr(webhooks, "webhook_delivery_enqueue", lambda **kw: None)

    webhooks.webhook_event_emit(event="ticket.created", payload={}, team_id=None)

    assert [d.webhook for d in WebhookDelivery.objects.all()] == [global_hook]


@pytest.mark.django_db
def test_a_retry_is_scheduled_once_at_its_time(team):
    at = timezone.now() + timedelta(minutes=2)

    webhooks.webhook_delivery_enqueue(delivery_id=77, at=at)

    schedule = Schedule.objects.get(func=webhooks.SEND_TASK)
    assert (schedule.func, schedule.args, schedule.schedule_type, schedule.repeats) == (
        webhooks.SEND_TASK,
        "(77,)",
        Schedule.ONCE,
        1,
    )
    assert schedule.next_run == at


@pytest.mark.django_db
def test_the_due_sweep_leaves_an_old_delivery_whose_retry_is_not_due(team, monkeypatch):
    hook = Webhook.objects.create(
        url="https://a.example.com", team=team, events=["sla.amber"], secret="s"
    )
    now = timezone.now()
    later = WebhookDelivery.objects.create(
        webhook=hook, event="sla.amber", next_attempt_at=now + timedelta(minutes=5)
    )
    WebhookDelivery.objects.filter(pk=later.pk).update(created_at=now - timedelta(hours=1))
    queued: list[int] = []
    monkeypatch.setattr(
        webhooks, "webhook_delivery_enqueue", lambda **kw: queued.append(kw["delivery_id"])
    )
    monkeypatch.setattr(webhooks.timezone, "now", lambda: now)

    assert webhooks.webhook_deliveries_due_sweep() == 0
    assert queued == []


@pytest.mark.django_db
def test_the_due_sweep_queues_at_most_500_at_a_time(team, monkeypatch):
    hook = Webhook.objects.create(
        url="https://a.example.com", team=team, events=["sla.amber"], secret="s"
    )
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=hook, event="sla.amber", next_attempt_at=now) for _ in range(501)
    )
    queued: list[int] = []
    monkeypatch.setattr(
        webhooks, "webhook_delivery_enqueue", lambda **kw: queued.append(kw["delivery_id"])
    )

    assert webhooks.webhook_deliveries_due_sweep(now=now) == 500
    assert queued == sorted(queued)
    assert len(queued) == 500


def test_a_delivery_queued_now_names_the_sweep_that_catches_a_broker_failure(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "escalations.queueing.task_enqueue_or_defer",
        lambda *args, **kwargs: calls.append((args, kwargs)),
    )

    webhooks.webhook_delivery_enqueue(delivery_id=78)

    assert calls == [((webhooks.SEND_TASK, 78), {"swept_by": "the webhook due sweep"})]
