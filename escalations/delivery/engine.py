"""The one delivery engine: create, queue, claim, send, record the attempt, retry or give up.

A delivery row is written (``pending``) inside the transaction of the change it announces and its
send is queued on commit, so nothing is lost: the row is there even if the queue drops the task,
and the due sweep queues it again. Each try is one ``DeliveryAttempt``.

Exactly one worker tries a delivery at a time: ``delivery_claim`` takes a lease with one
conditional UPDATE (pending, due, and not leased by a live worker); a duplicated task or a second
worker gets nothing and posts nothing. A worker that crashes mid-try leaves a lease that expires
(the timeout plus a minute), after which the due sweep queues the delivery again.

After a failed try the delivery waits for the receiver's ``Retry-After`` if it sent one, else for
the kind's backoff, and a one-off django-q2 ``Schedule`` queues the next try (the worker never
sleeps). No network I/O happens inside a transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import schedule

from escalations.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryKind,
    DeliveryStatus,
    Escalation,
    SlackDelivery,
    Target,
)
from escalations.outbound import OutboundRefused
from escalations.queueing import task_enqueue_or_defer

from .http import OutboundRequest, OutboundResult, delivery_post, url_mask
from .policy import DeliveryPolicy, backoff_seconds, retry_worth_it
from .slack import slack_message_build, slack_policy, slack_request
from .webhooks import (
    WEBHOOK_POLICY,
    webhook_payload,
    webhook_refusal,
    webhook_request,
    webhooks_subscribed,
)

logger = logging.getLogger(__name__)

SEND_TASK = "escalations.tasks.delivery_send"
LEASE_GRACE_SECONDS = 60
"""A lease outlives the request's timeout by this much: time to record the attempt."""
FIRST_TRY_GRACE = timedelta(minutes=1)
"""A delivery never tried is left to its own task this long before the due sweep queues it."""
DUE_SWEEP_MAX = 500


def delivery_policy(kind: str) -> DeliveryPolicy:
    return slack_policy() if kind == DeliveryKind.SLACK else WEBHOOK_POLICY


# --- Creating and queueing -------------------------------------------------------------------
def slack_delivery_create(
    *, target: Target, escalation: Escalation | None, payload: dict[str, Any] | None = None
) -> SlackDelivery:
    """A pending Slack delivery; the caller queues it with ``delivery_enqueue`` on commit."""
    if payload is None:
        assert escalation is not None
        payload = slack_message_build(escalation=escalation)
    return SlackDelivery.objects.create(target=target, escalation=escalation, payload=payload)


def webhook_event_emit(*, event: str, payload: dict[str, Any], team_id: int | None) -> None:
    """Create a delivery for each enabled webhook subscribed to ``event`` (the team's own
    webhooks and the global ones) and queue sending after commit. Call inside a transaction."""
    hooks = webhooks_subscribed(event=event, team_id=team_id)
    if not hooks:
        return
    data = webhook_payload(payload)
    deliveries = Delivery.objects.bulk_create(
        Delivery(kind=DeliveryKind.WEBHOOK, webhook=hook, event=event, payload=data)
        for hook in hooks
    )
    for delivery in deliveries:
        transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk))


def delivery_enqueue(*, delivery_id: int) -> None:
    """Queue one send now (call from ``transaction.on_commit``). If the broker is down the
    delivery stays pending and the due sweep queues it."""
    task_enqueue_or_defer(SEND_TASK, delivery_id, swept_by="the delivery due sweep")


def delivery_schedule(*, delivery_id: int, attempt: int, at: datetime) -> None:
    """Queue a later try: a one-off django-q2 Schedule (checked about every 30 s)."""
    try:
        schedule(
            SEND_TASK,
            delivery_id,
            name=f"delivery-{delivery_id}-try-{attempt}",
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=at,
        )
    except IntegrityError:
        # Already scheduled by an earlier run of the same task.
        return


def _due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _unleased(now: datetime) -> Q:
    return Q(leased_until__isnull=True) | Q(leased_until__lte=now)


def deliveries_due(*, now: datetime) -> list[int]:
    """Pending deliveries whose time has come and that no live worker holds: retries whose
    time came, first tries that never left (a crash between commit and enqueue, a dropped task)
    and tries whose worker died (an expired lease)."""
    first_try_lost = Q(next_attempt_at__isnull=True, created_at__lte=now - FIRST_TRY_GRACE)
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(first_try_lost | Q(next_attempt_at__lte=now))
        .filter(_unleased(now))
        .order_by("id")
        .values_list("pk", flat=True)[:DUE_SWEEP_MAX]
    )


def deliveries_due_enqueue(*, now: datetime) -> int:
    """The safety net behind scheduled retries: queue every due delivery. Safe to run twice:
    a delivery's task does nothing unless it wins the claim."""
    due = deliveries_due(now=now)
    for delivery_id in due:
        delivery_enqueue(delivery_id=delivery_id)
    return len(due)


# --- Sending ---------------------------------------------------------------------------------
def delivery_claim(*, delivery_id: int, now: datetime, lease_seconds: float) -> bool:
    """Take the delivery for one try (one conditional UPDATE); a duplicate task, a second worker
    or a try before it is due gets False."""
    claimed = (
        Delivery.objects.filter(_due(now), _unleased(now), pk=delivery_id)
        .filter(status=DeliveryStatus.PENDING)
        .update(leased_until=now + timedelta(seconds=lease_seconds))
    )
    return claimed == 1


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Try to send one delivery once, record the attempt and decide what happens next.

    Safe to run twice: a delivery already sent, failed, not yet due or being tried is left alone
    (``None``)."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("target", "webhook").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    policy = delivery_policy(delivery.kind)
    lease_seconds = policy.timeout_seconds + LEASE_GRACE_SECONDS
    if not delivery_claim(delivery_id=delivery_id, now=now, lease_seconds=lease_seconds):
        return None
    request: OutboundRequest | None = None
    refusal = ""
    if delivery.kind == DeliveryKind.WEBHOOK:
        refusal = webhook_refusal(delivery=delivery)
        if not refusal:
            request = webhook_request(delivery=delivery, policy=policy)
    else:
        request = slack_request(delivery=delivery, policy=policy)
    if request is not None:
        try:
            result = delivery_post(request, now=now)
        except OutboundRefused as exc:
            refusal = url_mask(f"Refused: {exc}", request.url)
    if refusal:
        result = OutboundResult(
            status_code=None, error=refusal, retry_after_seconds=None, duration_ms=0
        )
    return _record(
        delivery_id=delivery_id, policy=policy, now=now, result=result, give_up=bool(refusal)
    )


@transaction.atomic
def _record(
    *,
    delivery_id: int,
    policy: DeliveryPolicy,
    now: datetime,
    result: OutboundResult,
    give_up: bool,
) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery
    DeliveryAttempt.objects.create(
        delivery=delivery,
        status_code=result.status_code,
        error=result.error,
        retry_after_seconds=result.retry_after_seconds,
        duration_ms=result.duration_ms,
    )
    delivery.attempts += 1
    delivery.last_error = result.error
    delivery.response_code = result.status_code
    delivery.leased_until = None
    delivery.next_attempt_at = None
    if result.ok:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
    elif (
        give_up
        or not retry_worth_it(policy=policy, status_code=result.status_code)
        or delivery.attempts >= policy.max_attempts
    ):
        delivery.status = DeliveryStatus.FAILED
    else:
        wait = (
            result.retry_after_seconds
            if result.retry_after_seconds is not None
            else backoff_seconds(policy=policy, attempts=delivery.attempts)
        )
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        transaction.on_commit(
            partial(
                delivery_schedule,
                delivery_id=delivery.pk,
                attempt=delivery.attempts + 1,
                at=delivery.next_attempt_at,
            )
        )
    delivery.save(
        update_fields=[
            "attempts",
            "last_error",
            "response_code",
            "leased_until",
            "status",
            "sent_at",
            "next_attempt_at",
        ]
    )
    if delivery.status == DeliveryStatus.FAILED:
        logger.warning(
            "%s delivery %s failed after %s attempts", delivery.kind, delivery.pk, delivery.attempts
        )
    return delivery
