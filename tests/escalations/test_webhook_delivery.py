"""What is particular to webhook deliveries: signature checks, the policy, the envelope's bytes, the
request that leaves (headers), disabled webhooks and global-only events. The shared parts
(backoff, Retry-After, the claim, the due sweep) are tested in ``tests/escalations/delivery/``."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from escalations.delivery import engine, http, webhooks
from escalations.delivery.policy import backoff_seconds
from escalations.models import Delivery, Webhook

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
    assert backoff_seconds(policy=webhooks.WEBHOOK_POLICY, attempts=attempts) == seconds


def test_every_answer_but_2xx_is_retried_up_to_six_tries_of_10_seconds():
    policy = webhooks.WEBHOOK_POLICY

    assert (policy.max_attempts, policy.timeout_seconds, policy.final_client_errors) == (
        6,
        10,
        False,
    )


def test_the_envelope_is_json_with_sorted_keys():
    delivery = Delivery(
        pk=5,
        kind="webhook",
        event="sla.amber",
        payload={"ticket": 9, "metric": "first_response"},
        created_at=AT,
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
    delivery = Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", payload={"t": 1}
    )
    ticks = iter([100.0, 102.5])
    monkeypatch.setattr(webhooks, "time", SimpleNamespace(time=lambda: 1700000000))
    monkeypatch.setattr(http, "time", SimpleNamespace(monotonic=lambda: next(ticks)))

    sent = engine.delivery_send(delivery_id=delivery.pk)

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
    delivery = Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber")

    sent = engine.delivery_send(delivery_id=delivery.pk)

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
    monkeypatch.setattr(engine, "delivery_enqueue", lambda **kw: None)

    engine.webhook_event_emit(event="ticket.created", payload={}, team_id=None)

    assert [d.webhook for d in Delivery.objects.all()] == [global_hook]
