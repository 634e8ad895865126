"""Slack delivery: a Block Kit message per escalation, sent by a django-q2 task.

A delivery row is written (``pending``) inside the escalation's transaction and the send is queued
on commit, so nothing is lost: the row is there even if the queue drops the task, and the due sweep
picks it up. Each try is one ``DeliveryAttempt``. 5xx, timeouts and connection errors retry with
exponential backoff; 429 waits for ``Retry-After`` by rescheduling (the worker never sleeps on it);
other 4xx fail at once. The webhook URL is a secret: it never reaches logs, errors, audit or the API.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from slack_sdk.webhook import WebhookClient

from .engine.triggers import excerpt
from .models import DeliveryAttempt, DeliveryStatus, Escalation, SlackDelivery, Target, TriggerKey
from .outbound import OutboundRefused, outbound_destination_check

logger = logging.getLogger(__name__)
# slack_sdk logs the request URL (the secret) at debug level: its logger is a detached one that
# emits nothing. Every outcome is recorded as a ``DeliveryAttempt`` instead.
sdk_logger = logging.Logger("escalations.slack.sdk", level=logging.CRITICAL + 1)

# Tries after 30 s, 1.5, 3.5, 7.5, 15.5, 31.5 and 63.5 min: an outage of up to an hour loses
# nothing (5 tries ended at 7.5 min, so a 10-minute outage failed the delivery).
SLACK_DEFAULTS = {
    "SLACK_TIMEOUT_SECONDS": 10,
    "SLACK_MAX_ATTEMPTS": 8,
    "SLACK_BACKOFF_SECONDS": 30,
    "SLACK_BACKOFF_MAX_SECONDS": 3600,
}


def slack_setting(name: str) -> float:
    return float(settings.KIMONDESK.get(name, SLACK_DEFAULTS[name]))


def ticket_url(ticket_id: int) -> str:
    return f"{settings.KIMONDESK['PUBLIC_URL'].rstrip('/')}/tickets/{ticket_id}/"


def slack_message_build(*, escalation: Escalation) -> dict[str, Any]:
    """The Block Kit message: the summary note and a link to the ticket."""
    ticket = escalation.ticket
    label = TriggerKey(escalation.trigger).label
    summary = escalation.summary_note.body if escalation.summary_note else ""
    url = ticket_url(ticket.pk)
    title = f"#{ticket.pk} {excerpt(ticket.subject, 120)}"
    return {
        "text": f"Escalated: {title} ({label})",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": f"Escalated: {label}"[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*<{url}|{title}>*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": summary[:2900] or label}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open ticket"},
                        "url": url,
                    }
                ],
            },
        ],
    }


def slack_test_message_build(*, target: Target) -> dict[str, Any]:
    text = f"KimonDesk test message for the target “{target.name}”."
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def slack_delivery_create(
    *, target: Target, escalation: Escalation | None, payload: dict[str, Any] | None = None
) -> SlackDelivery:
    """A pending delivery; the caller queues it with ``slack_delivery_enqueue`` on commit."""
    if payload is None:
        assert escalation is not None
        payload = slack_message_build(escalation=escalation)
    return SlackDelivery.objects.create(target=target, escalation=escalation, payload=payload)


def slack_delivery_enqueue(*, delivery_id: int) -> None:
    """Queue one send now (call from ``transaction.on_commit``). If the broker is down the
    delivery stays pending and the due sweep sends it."""
    from .queueing import task_enqueue_or_defer

    task_enqueue_or_defer(
        "escalations.tasks.slack_deliver", delivery_id, swept_by="the Slack due sweep"
    )


def slack_delivery_schedule(*, delivery_id: int, attempt: int, at: datetime) -> None:
    """Queue a later try: a one-off django-q2 Schedule (checked about every 30 s)."""
    from django_q.models import Schedule
    from django_q.tasks import schedule

    try:
        schedule(
            "escalations.tasks.slack_deliver",
            delivery_id,
            name=f"slack-delivery-{delivery_id}-try-{attempt}",
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=at,
        )
    except IntegrityError:
        # Already scheduled by an earlier run of the same task.
        return


def backoff_seconds(attempt: int) -> float:
    """Exponential: base, 2 * base, 4 * base, ... capped."""
    base = slack_setting("SLACK_BACKOFF_SECONDS")
    return float(min(base * 2 ** max(attempt - 1, 0), slack_setting("SLACK_BACKOFF_MAX_SECONDS")))


def _retry_after(headers: dict[str, Any]) -> int | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(int(float(str(raw))), 0)
            except ValueError:
                return None
    return None


def _scrub(text: str, secret: str) -> str:
    """Mask the webhook URL in an error text: whole, its path, or its last segment (the token),
    as a server or proxy may echo any of them."""
    if not secret:
        return text
    path = urlsplit(secret).path.rstrip("/")
    for part in (secret, path, path.rsplit("/", 1)[-1]):
        if len(part) >= 8:
            text = text.replace(part, "<webhook>")
    return text


def _claim(*, delivery_id: int, now: datetime) -> bool:
    """Take the delivery for one try; a second worker (a duplicate task) gets False."""
    lease = now + timedelta(seconds=slack_setting("SLACK_TIMEOUT_SECONDS") + 60)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (
        SlackDelivery.objects.filter(due, pk=delivery_id, status=DeliveryStatus.PENDING).update(
            next_attempt_at=lease
        )
        == 1
    )


def slack_delivery_send(*, delivery_id: int, now: datetime | None = None) -> SlackDelivery | None:
    """Try to send one delivery once, record the attempt and decide what happens next.

    Safe to run twice: a delivery already sent, failed, or being tried is left alone.
    """
    now = now or timezone.now()
    if not _claim(delivery_id=delivery_id, now=now):
        return None
    delivery = SlackDelivery.objects.select_related("target").get(pk=delivery_id)
    url = delivery.target.slack_webhook_url
    try:
        outbound_destination_check(url)
    except OutboundRefused as exc:
        return _record(
            now=now,
            delivery=delivery,
            status_code=None,
            error=_scrub(f"Refused: {exc}", url),
            retry_after=None,
            duration_ms=0,
            give_up=True,
        )
    client = WebhookClient(
        url,
        timeout=int(slack_setting("SLACK_TIMEOUT_SECONDS")) or 1,
        retry_handlers=[],
        logger=sdk_logger,
    )
    status_code: int | None = None
    error = ""
    retry_after: int | None = None
    started = time.monotonic()
    try:
        response = client.send(
            text=delivery.payload.get("text"), blocks=delivery.payload.get("blocks")
        )
        status_code = response.status_code
        if status_code >= 300:
            error = _scrub(f"HTTP {status_code}: {str(response.body)[:200]}", url)
        if status_code == 429:
            retry_after = _retry_after(dict(response.headers or {}))
    except Exception as exc:  # timeouts, refused connections, DNS: all worth another try
        error = _scrub(f"{type(exc).__name__}: {exc}", url)[:500]
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(
        now=now,
        delivery=delivery,
        status_code=status_code,
        error=error,
        retry_after=retry_after,
        duration_ms=duration_ms,
    )


@transaction.atomic
def _record(
    *,
    now: datetime,
    delivery: SlackDelivery,
    status_code: int | None,
    error: str,
    retry_after: int | None,
    duration_ms: int,
    give_up: bool = False,
) -> SlackDelivery:
    DeliveryAttempt.objects.create(
        slack_delivery=delivery,
        status_code=status_code,
        error=error,
        retry_after_seconds=retry_after,
        duration_ms=duration_ms,
    )
    delivery.attempts += 1
    delivery.last_error = error
    next_at: datetime | None = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    elif give_up:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    elif status_code == 429 or status_code is None or status_code >= 500:
        if delivery.attempts >= slack_setting("SLACK_MAX_ATTEMPTS"):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            wait = retry_after if status_code == 429 and retry_after is not None else None
            next_at = now + timedelta(
                seconds=wait if wait is not None else backoff_seconds(delivery.attempts)
            )
            delivery.next_attempt_at = next_at
    else:
        # 4xx other than 429: the webhook is gone or refused; a lead can fix it and retry.
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    delivery.save(update_fields=["attempts", "last_error", "status", "sent_at", "next_attempt_at"])
    if delivery.status == DeliveryStatus.FAILED:
        logger.warning("Slack delivery %s failed after %s attempts", delivery.pk, delivery.attempts)
    if next_at is not None:
        delivery_id, attempt, at = delivery.pk, delivery.attempts + 1, next_at
        transaction.on_commit(
            lambda: slack_delivery_schedule(delivery_id=delivery_id, attempt=attempt, at=at)
        )
    return delivery


def slack_deliveries_due(*, now: datetime) -> list[int]:
    """Pending deliveries whose time has come (the safety net behind scheduled retries)."""
    return list(
        SlackDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1))
            | Q(next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:100]
    )
