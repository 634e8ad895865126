"""What is particular to webhook deliveries: the subscriptions (create, update, delete, who is
subscribed to an event), the envelope and its signature, and the retry policy.

Signature: ``X-KimonDesk-Signature: t=<unix seconds>,v1=<hex>``, where ``v1`` is
HMAC-SHA256(secret, ``"<t>.<raw body>"``). Receivers recompute it and reject old timestamps.
Every answer that is not 2xx is tried again, up to six tries, 30 s apart and doubling (at most
6 h); a disabled webhook or a refused destination fails at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from escalations.audit import audit_record, audit_snapshot
from escalations.models import Delivery, Webhook
from kimondesk.compiled_queries import CompiledQuery
from tickets.models import Agent, Team

from .http import OutboundRequest
from .policy import DeliveryPolicy

WEBHOOK_EVENTS: tuple[str, ...] = (
    "escalation.created",
    "escalation.acknowledged",
    "sla.amber",
    "sla.breached",
    "ticket.created",
)
SIGNATURE_HEADER = "X-KimonDesk-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
WEBHOOK_POLICY = DeliveryPolicy(
    max_attempts=6,
    backoff_seconds=30,
    backoff_max_seconds=6 * 3600,
    timeout_seconds=10,
    final_client_errors=False,
)


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


_webhooks_global = CompiledQuery(lambda: Webhook.objects.filter(team__isnull=True, enabled=True))
_webhooks_global_or_team = CompiledQuery(
    lambda *, team_id: Webhook.objects.filter(
        Q(team__isnull=True) | Q(team_id=team_id), enabled=True
    ),
    team_id=int,
)


def webhooks_subscribed(*, event: str, team_id: int | None) -> list[Webhook]:
    """The enabled webhooks subscribed to ``event``: the team's own and the global ones."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    hooks = _webhooks_global_or_team.all(team_id=team_id) if team_id else _webhooks_global.all()
    return [h for h in hooks if event in h.events]


def webhook_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The event's data as stored: plain JSON (dates and decimals as strings)."""
    data: dict[str, Any] = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return data


# --- Sending -------------------------------------------------------------------------------
def webhook_body(*, delivery: Delivery) -> bytes:
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True).encode()


def webhook_refusal(*, delivery: Delivery) -> str:
    """Why the delivery must not be sent at all ('' when it may)."""
    assert delivery.webhook is not None
    return "" if delivery.webhook.enabled else "Webhook disabled."


def webhook_request(*, delivery: Delivery, policy: DeliveryPolicy) -> OutboundRequest:
    """The signed POST of the delivery's envelope."""
    assert delivery.webhook is not None
    body = webhook_body(delivery=delivery)
    signature = webhook_signature(
        secret=delivery.webhook.secret, timestamp=int(time.time()), body=body
    )
    return OutboundRequest(
        url=delivery.webhook.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "KimonDesk-Webhooks/1",
            "X-KimonDesk-Event": delivery.event,
            "X-KimonDesk-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature,
        },
        timeout_seconds=policy.timeout_seconds,
    )
