"""Outbound webhooks: subscriptions API, signed deliveries to a real HTTP server, retries."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from escalations.delivery import engine, webhooks
from escalations.models import AuditEvent, Delivery, DeliveryAttempt, Webhook
from escalations.tasks import delivery_send as delivery_send_task

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers with the queued status codes."""

    def __init__(self, port: int):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.location = ""  # sent with 3xx answers
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "path": self.path,
                    }
                )
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                if code == 429:
                    self.send_header("Retry-After", "600")
                if 300 <= code < 400:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kimondesk"


@pytest.fixture
def receiver():
    server = Receiver(0)  # any free port: runs side by side never collide
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_webhook_create_shows_the_secret_once_and_is_audited(client_for, lead):
    client = client_for(lead)

    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://crm.example.com/in", "events": ["escalation.created", "sla.breached"]},
        format="json",
    )
    read = client.get(f"/api/v1/webhooks/{created.json()['id']}/")

    assert created.status_code == 201
    webhook = Webhook.objects.get()
    assert created.json()["secret"] == webhook.secret
    assert len(webhook.secret) == 64
    assert "secret" not in read.json()
    assert read.json()["events"] == ["escalation.created", "sla.breached"]
    assert read.json()["team"] == lead.team_id
    event = AuditEvent.objects.get()
    assert (event.kind, event.after["secret"]) == ("webhook.created", "••••")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"url": "ftp://x.example.com", "events": ["sla.amber"]}, {"url"}, id="url"),
        pytest.param(
            {"url": "https://x.example.com", "events": ["ticket.deleted"]}, {"events"}, id="event"
        ),
        pytest.param({"url": "https://x.example.com", "events": []}, {"events"}, id="no-events"),
    ],
)
def test_bad_webhooks_name_the_field(client_for, lead, body, fields):
    response = client_for(lead).post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert Webhook.objects.count() == 0


def test_emit_writes_deliveries_for_subscribed_team_and_global_webhooks_only(
    team, other_team, django_capture_on_commit_callbacks, monkeypatch
):
    mine = Webhook.objects.create(
        url="https://a.example.com", team=team, events=["sla.amber"], secret="s"
    )
    global_hook = Webhook.objects.create(
        url="https://b.example.com", team=None, events=["sla.amber"], secret="s"
    )
    Webhook.objects.create(
        url="https://c.example.com", team=other_team, events=["sla.amber"], secret="s"
    )
    Webhook.objects.create(
        url="https://d.example.com", team=team, events=["sla.breached"], secret="s"
    )
    Webhook.objects.create(
        url="https://e.example.com", team=team, events=["sla.amber"], secret="s", enabled=False
    )
    queued = []
    monkeypatch.setattr(engine, "delivery_enqueue", lambda **kw: queued.append(kw["delivery_id"]))

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        engine.webhook_event_emit(event="sla.amber", payload={"ticket": 1}, team_id=team.pk)

    deliveries = Delivery.objects.order_by("webhook_id")
    assert [d.webhook for d in deliveries] == [mine, global_hook]
    assert queued == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(d.pk for d in deliveries)


def test_emit_refuses_unknown_events(team):
    with pytest.raises(ValueError, match="Unknown webhook event"):
        engine.webhook_event_emit(event="ticket.exploded", payload={}, team_id=team.pk)


def test_delivery_is_signed_and_logged(receiver, team, django_capture_on_commit_callbacks):
    # Given a webhook pointing at a real HTTP server on loopback
    hook = Webhook.objects.create(
        url=receiver.url, team=team, events=["escalation.created"], secret="shh"
    )

    # When an event is emitted and the transaction commits (the sync task queue sends it)
    with django_capture_on_commit_callbacks(execute=True):
        engine.webhook_event_emit(
            event="escalation.created", payload={"escalation": 5}, team_id=team.pk
        )

    # Then the receiver got one signed request it can verify, and the attempt is logged
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    signature = request["headers"][webhooks.SIGNATURE_HEADER.lower()]
    assert webhooks.webhook_signature_verify(secret="shh", header=signature, body=request["body"])
    assert not webhooks.webhook_signature_verify(
        secret="wrong", header=signature, body=request["body"]
    )
    envelope = json.loads(request["body"])
    delivery = Delivery.objects.get(webhook=hook)
    assert envelope["event"] == "escalation.created"
    assert envelope["data"] == {"escalation": 5}
    assert envelope["id"] == delivery.pk
    assert request["headers"]["x-kimondesk-event"] == "escalation.created"
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 1, 200)
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [200]


def test_signature_format_and_stale_timestamps():
    header = webhooks.webhook_signature(secret="k", timestamp=1700000000, body=b'{"a":1}')

    assert header.startswith("t=1700000000,v1=")
    assert len(header.split("v1=")[1]) == 64
    assert webhooks.webhook_signature_verify(
        secret="k", header=header, body=b'{"a":1}', now=1700000100
    )
    assert not webhooks.webhook_signature_verify(
        secret="k", header=header, body=b'{"a":1}', now=1700000400
    )
    assert not webhooks.webhook_signature_verify(
        secret="k", header=header, body=b'{"a":2}', now=1700000100
    )


def test_failed_delivery_is_retried_with_backoff_until_it_succeeds(receiver, team):
    # Given a receiver that fails twice (500, then 429 with Retry-After) and then accepts
    hook = Webhook.objects.create(url=receiver.url, team=team, events=["sla.breached"], secret="s")
    delivery = Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.breached", payload={"t": 1}
    )
    receiver.answers = [500, 429]

    # When the task runs, then each retry runs when it comes due, then a duplicate runs
    before = timezone.now()
    first = delivery_send_task(delivery.pk)
    early = delivery_send_task(delivery.pk)
    delivery.refresh_from_db()
    first_retry_at = delivery.next_attempt_at
    second = engine.delivery_send(delivery_id=delivery.pk, now=first_retry_at)
    delivery.refresh_from_db()
    second_retry_at = delivery.next_attempt_at
    third = engine.delivery_send(delivery_id=delivery.pk, now=second_retry_at)
    again = delivery_send_task(delivery.pk)

    # Then it backed off 30 s, then honoured Retry-After (600 s), then was sent exactly once more
    assert (first, early, again) == ("pending", "skipped", "skipped")
    assert second is not None
    assert third is not None
    assert (second.status, third.status) == ("pending", "sent")
    assert timedelta(seconds=29) < first_retry_at - before < timedelta(seconds=40)
    assert second_retry_at - first_retry_at == timedelta(seconds=600)
    assert list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("status_code", flat=True)
    ) == [500, 429, 200]
    assert len(receiver.requests) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 3, None)


def test_a_failure_schedules_the_retry_after_commit(team, django_capture_on_commit_callbacks):
    # Given nothing listens on the webhook's port
    hook = Webhook.objects.create(
        url="http://127.0.0.1:8298/nobody", team=team, events=["sla.amber"], secret="s"
    )
    delivery = Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber", payload={})

    with django_capture_on_commit_callbacks(execute=True):
        engine.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    schedule = Schedule.objects.get(func=engine.SEND_TASK)
    assert (delivery.status, delivery.attempts, attempt.status_code) == ("pending", 1, None)
    assert attempt.error != ""
    assert schedule.func == engine.SEND_TASK
    assert schedule.args == f"({delivery.pk},)"
    assert schedule.next_run == delivery.next_attempt_at


def test_delivery_gives_up_after_the_last_attempt(receiver, team):
    hook = Webhook.objects.create(url=receiver.url, team=team, events=["sla.amber"], secret="s")
    delivery = Delivery.objects.create(
        kind="webhook",
        webhook=hook,
        event="sla.amber",
        payload={},
        attempts=webhooks.WEBHOOK_POLICY.max_attempts - 1,
    )
    receiver.answers = [503]

    assert delivery_send_task(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.next_attempt_at) == (
        "failed",
        503,
        None,
    )


def test_deliveries_endpoint_lists_attempts(client_for, lead, team):
    hook = Webhook.objects.create(
        url="https://a.example.com", team=team, events=["sla.amber"], secret="s"
    )
    sent = Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", payload={"n": 1}, status="sent"
    )
    DeliveryAttempt.objects.create(delivery=sent, status_code=200, duration_ms=12)
    Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", payload={"n": 2}, status="failed"
    )

    everything = client_for(lead).get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()
    only_sent = client_for(lead).get(f"/api/v1/webhooks/{hook.pk}/deliveries/?status=sent").json()

    assert everything["count"] == 2
    assert [d["id"] for d in only_sent["results"]] == [sent.pk]
    assert only_sent["results"][0]["attempt_log"][0]["status_code"] == 200


def test_due_sweep_queues_only_pending_deliveries_whose_time_came(team, monkeypatch):
    hook = Webhook.objects.create(
        url="https://a.example.com", team=team, events=["sla.amber"], secret="s"
    )
    now = timezone.now()
    due_retry = Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", next_attempt_at=now - timedelta(seconds=1)
    )
    Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", next_attempt_at=now + timedelta(minutes=5)
    )
    lost = Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber")
    Delivery.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=5))
    Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber"
    )  # just created: its task runs
    Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", status="sent", next_attempt_at=now
    )
    queued = []
    monkeypatch.setattr(engine, "delivery_enqueue", lambda **kw: queued.append(kw["delivery_id"]))

    assert engine.deliveries_due_enqueue(now=now) == 2
    assert queued == [due_retry.pk, lost.pk]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://127.0.0.1:6379/",
        "https://10.0.0.5/hook",
        "http://localhost:5432/",
    ],
)
def test_webhooks_to_private_addresses_are_refused(client_for, lead, settings, url):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}
    client = client_for(lead)
    kept = Webhook.objects.create(
        url="https://crm.example.com/in", team=lead.team, events=["sla.amber"], secret="s"
    )

    created = client.post("/api/v1/webhooks/", {"url": url, "events": ["sla.amber"]}, format="json")
    repointed = client.patch(f"/api/v1/webhooks/{kept.pk}/", {"url": url}, format="json")

    assert created.status_code == repointed.status_code == 400
    assert set(created.json()) == set(repointed.json()) == {"url"}
    assert list(Webhook.objects.values_list("url", flat=True)) == ["https://crm.example.com/in"]
    assert not AuditEvent.objects.exists()


def test_delivery_to_a_name_resolving_privately_is_refused_once_and_not_sent(
    receiver, team, settings, monkeypatch
):
    # Given a webhook whose public-looking name now resolves to this machine (DNS rebinding)
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}
    from escalations import outbound

    monkeypatch.setattr(
        outbound.socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(2, 1, 6, "", ("127.0.0.1", port))],
    )
    port = receiver.server.server_address[1]
    hook = Webhook.objects.create(
        url=f"http://crm.example.com:{port}/in", team=team, events=["sla.amber"], secret="s"
    )
    delivery = Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber", payload={})

    # When the delivery task runs
    status = delivery_send_task(delivery.pk)

    # Then nothing was sent, and the delivery failed for good with the reason on record
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert status == "failed"
    assert (delivery.attempts, delivery.next_attempt_at) == (1, None)
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert attempt.error == (
        "Refused: crm.example.com resolves to 127.0.0.1, which is not a public address."
    )


def test_redirects_are_not_followed(receiver, team):
    # Given a receiver that answers with a redirect to another local address
    hook = Webhook.objects.create(url=receiver.url, team=team, events=["sla.amber"], secret="s")
    delivery = Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber", payload={})
    receiver.answers = [302]
    receiver.location = receiver.url.replace("/hooks/kimondesk", "/internal/admin")

    # When the delivery task runs
    status = delivery_send_task(delivery.pk)

    # Then only the webhook URL was requested, and the redirect counts as a failed try
    delivery.refresh_from_db()
    assert [r["path"] for r in receiver.requests] == ["/hooks/kimondesk"]
    assert (status, delivery.response_code, delivery.attempts) == ("pending", 302, 1)
