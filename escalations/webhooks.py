"""Outbound webhooks: signed JSON to integrations for the events they subscribed to.

``webhook_event_emit`` is called inside the transaction of the change it announces: it writes one
``WebhookDelivery`` per subscribed webhook and queues sending for after the commit. Sending
happens in a django-q2 task (``escalations.tasks_webhooks``), outside any transaction; failures
are retried with exponential backoff and every try is logged as a ``DeliveryAttempt``.

Signature: ``X-KimonDesk-Signature: t=<unix seconds>,v1=<hex>``, where ``v1`` is
HMAC-SHA256(secret, ``"<t>.<raw body>"``). Receivers recompute it and reject old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from escalations.audit import audit_record, audit_snapshot
from escalations.models import DeliveryAttempt, DeliveryStatus, Webhook, WebhookDelivery
from escalations.outbound import OutboundRefused, outbound_destination_check, outbound_opener
from tickets.models import Agent, Team

WEBHOOK_EVENTS: tuple[str, ...] = (
    "escalation.created",
    "escalation.acknowledged",
    "sla.amber",
    "sla.breached",
    "ticket.created",
)
SIGNATURE_HEADER = "X-KimonDesk-Signature"
SEND_TASK = "escalations.tasks_webhooks.webhook_delivery_send_task"
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
TIMEOUT_SECONDS = 10
SIGNATURE_TOLERANCE_SECONDS = 300


# --- Signing -------------------------------------------------------------------------------
def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def webhook_signature_verify(
    *, secret: str, header: str, body: bytes, now: float | None = None
) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header)


# --- Subscriptions -------------------------------------------------------------------------
def webhook_secret_generate() -> str:
    return secrets.token_hex(32)


@transaction.atomic
def webhook_create(
    *, actor: Agent, url: str, events: list[str], team: Team | None = None, enabled: bool = True
) -> Webhook:
    """Register a webhook; its ``secret`` is readable on the returned object (show it once)."""
    webhook = Webhook(
        url=url,
        events=sorted(set(events)),
        team=team,
        enabled=enabled,
        secret=webhook_secret_generate(),
        created_by=actor,
    )
    webhook.full_clean()
    webhook.save()
    audit_record(kind="webhook.created", actor=actor, obj=webhook, after=audit_snapshot(webhook))
    return webhook


@transaction.atomic
def webhook_update(*, webhook: Webhook, actor: Agent, values: dict[str, Any]) -> Webhook:
    before = audit_snapshot(webhook)
    for field, value in values.items():
        setattr(webhook, field, sorted(set(value)) if field == "events" else value)
    webhook.full_clean()
    webhook.save()
    audit_record(
        kind="webhook.updated",
        actor=actor,
        obj=webhook,
        before=before,
        after=audit_snapshot(webhook),
    )
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor: Agent) -> None:
    audit_record(kind="webhook.deleted", actor=actor, obj=webhook, before=audit_snapshot(webhook))
    webhook.delete()


# --- Emitting ------------------------------------------------------------------------------
def webhook_event_emit(*, event: str, payload: dict[str, Any], team_id: int | None) -> None:
    """Create a delivery for each enabled webhook subscribed to ``event`` (the team's own
    webhooks and the global ones) and queue sending after commit. Call inside a transaction."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    scope = Q(team__isnull=True) | Q(team_id=team_id) if team_id else Q(team__isnull=True)
    hooks = [h for h in Webhook.objects.filter(scope, enabled=True) if event in h.events]
    if not hooks:
        return
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=hook, event=event, payload=data) for hook in hooks
    )
    for delivery in deliveries:
        transaction.on_commit(partial(webhook_delivery_enqueue, delivery_id=delivery.pk))


def webhook_delivery_enqueue(*, delivery_id: int, at: datetime | None = None) -> None:
    """Hand a delivery to the task queue now, or at ``at`` (a one-off schedule). If the broker
    is down the delivery stays pending and the due sweep queues it."""
    from django_q.models import Schedule
    from django_q.tasks import schedule

    from escalations.queueing import task_enqueue_or_defer

    if at is None:
        task_enqueue_or_defer(SEND_TASK, delivery_id, swept_by="the webhook due sweep")
    else:
        schedule(SEND_TASK, delivery_id, schedule_type=Schedule.ONCE, next_run=at, repeats=1)


def webhook_deliveries_due_sweep(*, now: datetime | None = None) -> int:
    """Queue pending deliveries that should have been tried by now: retries whose time came and
    first tries that never left (a crash between commit and enqueue). Safe to run twice: the send
    skips deliveries that are no longer pending. Returns how many were queued."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=BACKOFF_BASE_SECONDS)
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=stale)
    )
    ids = list(due.order_by("id").values_list("pk", flat=True)[:500])
    for delivery_id in ids:
        webhook_delivery_enqueue(delivery_id=delivery_id)
    return len(ids)


# --- Sending -------------------------------------------------------------------------------
def webhook_body(*, delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True).encode()


def webhook_backoff(*, attempts: int) -> timedelta:
    """30 s, 60 s, 120 s, … after the n-th failed try (capped at 6 h)."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, int | None]:
    """POST (scheme and address checked by the caller, no redirects followed); returns
    (status code, error text, Retry-After seconds)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with outbound_opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, "", None
    except urllib.error.HTTPError as exc:
        retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
        return (
            exc.code,
            f"HTTP {exc.code}",
            int(retry_after) if retry_after.isascii() and retry_after.isdigit() else None,
        )
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500], None


def webhook_delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one pending delivery (no transaction around the network call); safe to run twice:
    a delivery that is no longer pending is left alone."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery
    body = webhook_body(delivery=delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "KimonDesk-Webhooks/1",
        "X-KimonDesk-Event": delivery.event,
        "X-KimonDesk-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: webhook_signature(
            secret=delivery.webhook.secret, timestamp=timestamp, body=body
        ),
    }
    started = time.monotonic()
    refusal = "" if delivery.webhook.enabled else "Webhook disabled."
    if not refusal:
        try:
            outbound_destination_check(delivery.webhook.url)
        except OutboundRefused as exc:
            refusal = f"Refused: {exc}"
    if refusal:
        status_code, error, retry_after = None, refusal, None
    else:
        status_code, error, retry_after = _post(delivery.webhook.url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    return _webhook_delivery_record_attempt(
        delivery_id=delivery.pk,
        status_code=status_code,
        error=error,
        retry_after=retry_after,
        duration_ms=duration_ms,
        give_up=bool(refusal),
    )


@transaction.atomic
def _webhook_delivery_record_attempt(
    *,
    delivery_id: int,
    status_code: int | None,
    error: str,
    retry_after: int | None,
    duration_ms: int,
    give_up: bool,
) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery
    now = timezone.now()
    DeliveryAttempt.objects.create(
        webhook_delivery=delivery,
        status_code=status_code,
        error=error,
        retry_after_seconds=retry_after,
        duration_ms=duration_ms,
    )
    delivery.attempts += 1
    delivery.response_code = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    elif give_up or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        wait = webhook_backoff(attempts=delivery.attempts)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=min(retry_after, BACKOFF_MAX_SECONDS)))
        delivery.next_attempt_at = now + wait
        transaction.on_commit(
            partial(webhook_delivery_enqueue, delivery_id=delivery.pk, at=delivery.next_attempt_at)
        )
    delivery.save()
    return delivery
