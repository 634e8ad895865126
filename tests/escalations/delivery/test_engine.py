"""The one delivery engine, for both kinds: the claim (a lease against double sends), the due
list, queueing and scheduling, and what a try's outcome does to the delivery."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from escalations.delivery import engine
from escalations.delivery.http import OutboundResult
from escalations.delivery.policy import DeliveryPolicy, backoff_seconds, retry_worth_it
from escalations.delivery.webhooks import WEBHOOK_POLICY
from escalations.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from escalations.tasks import delivery_send as delivery_send_task
from tests import factories
from tests.fakes.slack_server import Answer, FakeSlack, fake_slack_serving, status

pytestmark = pytest.mark.django_db
PORTS = range(8820, 8840)
POLICY = DeliveryPolicy(
    max_attempts=3,
    backoff_seconds=10,
    backoff_max_seconds=25,
    timeout_seconds=5,
    final_client_errors=True,
)


@pytest.fixture
def server() -> Iterator[FakeSlack]:
    yield from fake_slack_serving(PORTS)


@pytest.fixture
def slack_target(team, server):
    return factories.TargetFactory(kind="slack", slack_webhook_url=server.url, team=team)


@pytest.fixture
def hook(team, server):
    return Webhook.objects.create(url=server.url, team=team, events=["sla.amber"], secret="s")


def slack(target, **fields) -> Delivery:
    return Delivery.objects.create(kind="slack", target=target, payload={"text": "x"}, **fields)


def webhook(hook, **fields) -> Delivery:
    return Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber", **fields)


def aged(delivery: Delivery, ago: timedelta) -> Delivery:
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - ago)
    return delivery


# --- Policy ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("attempts", "seconds"), [(0, 10.0), (1, 10.0), (2, 20.0), (3, 25.0), (9, 25.0)]
)
def test_backoff_doubles_up_to_the_cap(attempts, seconds):
    assert backoff_seconds(policy=POLICY, attempts=attempts) == seconds


@pytest.mark.parametrize(
    ("status_code", "final_client_errors", "worth_it"),
    [
        (None, True, True),
        (429, True, True),
        (500, True, True),
        (503, True, True),
        (499, True, False),
        (404, True, False),
        (302, True, False),
        (404, False, True),
        (302, False, True),
        (None, False, True),
    ],
)
def test_which_failures_are_worth_another_try(status_code, final_client_errors, worth_it):
    policy = DeliveryPolicy(1, 1, 1, 1, final_client_errors=final_client_errors)

    assert retry_worth_it(policy=policy, status_code=status_code) is worth_it


# --- The claim -------------------------------------------------------------------------------
def test_a_claim_leases_one_pending_due_delivery_once(slack_target):
    now = timezone.now()
    mine = slack(slack_target)
    other = slack(slack_target)
    sent = slack(slack_target, status="sent")
    later = slack(slack_target, next_attempt_at=now + timedelta(seconds=1))

    assert engine.delivery_claim(delivery_id=mine.pk, now=now, lease_seconds=70) is True
    assert engine.delivery_claim(delivery_id=mine.pk, now=now, lease_seconds=70) is False
    assert engine.delivery_claim(delivery_id=sent.pk, now=now, lease_seconds=70) is False
    assert engine.delivery_claim(delivery_id=later.pk, now=now, lease_seconds=70) is False
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.leased_until, mine.next_attempt_at) == (now + timedelta(seconds=70), None)
    assert other.leased_until is None
    # the lease of a worker that died expires
    lease_end = now + timedelta(seconds=70)
    assert engine.delivery_claim(delivery_id=mine.pk, now=lease_end, lease_seconds=70) is True


def test_a_duplicated_task_never_posts_twice(hook, server):
    delivery = webhook(hook)

    first = delivery_send_task(delivery.pk)
    second = delivery_send_task(delivery.pk)

    assert (first, second) == ("sent", "skipped")
    assert len(server.requests) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1


@pytest.mark.parametrize("kind", ["slack", "webhook"])
def test_a_delivery_another_worker_holds_is_left_alone(kind, slack_target, hook, server):
    now = timezone.now()
    held_until = now + timedelta(seconds=30)
    delivery = slack(slack_target) if kind == "slack" else webhook(hook)
    Delivery.objects.filter(pk=delivery.pk).update(leased_until=held_until)

    assert engine.delivery_send(delivery_id=delivery.pk, now=now) is None

    delivery.refresh_from_db()
    assert server.requests == []
    assert (delivery.attempts, delivery.leased_until) == (0, held_until)


def test_a_crashed_workers_delivery_is_swept_and_sent_once_its_lease_expires(hook, server):
    now = timezone.now()
    delivery = aged(webhook(hook), timedelta(minutes=5))
    Delivery.objects.filter(pk=delivery.pk).update(leased_until=now - timedelta(seconds=1))

    due = engine.deliveries_due(now=now)
    sent = engine.delivery_send(delivery_id=delivery.pk, now=now)

    assert due == [delivery.pk]
    assert sent is not None
    assert (sent.status, sent.attempts, sent.leased_until) == ("sent", 1, None)
    assert len(server.requests) == 1


def test_a_missing_delivery_is_skipped():
    assert engine.delivery_send(delivery_id=987654) is None
    assert delivery_send_task(987654) == "skipped"


# --- What a try does -------------------------------------------------------------------------
def test_a_success_records_the_attempt_and_clears_the_lease(slack_target, server):
    now = timezone.now()
    delivery = slack(slack_target)

    sent = engine.delivery_send(delivery_id=delivery.pk, now=now)

    assert sent is not None
    assert (sent.status, sent.sent_at, sent.attempts, sent.response_code) == ("sent", now, 1, 200)
    assert (sent.leased_until, sent.next_attempt_at, sent.last_error) == (None, None, "")
    assert list(sent.attempt_log.values_list("status_code", "error", "retry_after_seconds")) == [
        (200, "", None)
    ]


@pytest.mark.parametrize(
    ("kind", "answer", "status", "wait"),
    [
        pytest.param("slack", status(500), "pending", 30, id="slack-5xx-backs-off"),
        pytest.param("webhook", status(500), "pending", 30, id="webhook-5xx-backs-off"),
        pytest.param("slack", status(404), "failed", None, id="slack-4xx-is-final"),
        pytest.param("webhook", status(404), "pending", 30, id="webhook-4xx-retries"),
        pytest.param(
            "slack",
            Answer(status=429, body="x", headers={"Retry-After": "7"}),
            "pending",
            7,
            id="slack-retry-after-shorter-than-backoff",
        ),
        pytest.param(
            "webhook",
            Answer(status=503, body="x", headers={"Retry-After": "900"}),
            "pending",
            900,
            id="webhook-retry-after-longer-than-backoff",
        ),
    ],
)
def test_a_failed_try_retries_after_backoff_or_retry_after_or_fails(
    kind, answer, status, wait, slack_target, hook, server, django_capture_on_commit_callbacks
):
    now = timezone.now()
    delivery = slack(slack_target) if kind == "slack" else webhook(hook)
    server.queue(answer)

    with django_capture_on_commit_callbacks(execute=True):
        tried = engine.delivery_send(delivery_id=delivery.pk, now=now)

    assert tried is not None
    assert (tried.status, tried.attempts, tried.response_code) == (status, 1, answer.status)
    expected_at = None if wait is None else now + timedelta(seconds=wait)
    assert (tried.next_attempt_at, tried.leased_until) == (expected_at, None)
    scheduled = list(
        Schedule.objects.filter(func=engine.SEND_TASK).values_list(
            "name", "func", "args", "next_run"
        )
    )
    expected = [(f"delivery-{tried.pk}-try-2", engine.SEND_TASK, f"({tried.pk},)", expected_at)]
    assert scheduled == ([] if wait is None else expected)


def test_a_retry_after_date_is_read_at_the_time_of_the_try(hook, server):
    now = timezone.now().replace(microsecond=0)
    when = format_datetime(now + timedelta(seconds=120), usegmt=True)
    server.queue(Answer(status=503, body="", headers={"Retry-After": when}))

    tried = engine.delivery_send(delivery_id=webhook(hook).pk, now=now)

    assert tried is not None
    assert tried.next_attempt_at == now + timedelta(seconds=120)
    assert list(tried.attempt_log.values_list("retry_after_seconds", flat=True)) == [120]


def test_the_lease_lasts_the_timeout_plus_a_minute_while_the_request_runs(
    slack_target, monkeypatch
):
    now = timezone.now()
    delivery = slack(slack_target)
    seen = []

    def post(request, *, now):
        seen.append(Delivery.objects.get(pk=delivery.pk).leased_until)
        return OutboundResult(status_code=200, error="", retry_after_seconds=None, duration_ms=3)

    monkeypatch.setattr(engine, "delivery_post", post)

    engine.delivery_send(delivery_id=delivery.pk, now=now)

    assert seen == [now + timedelta(seconds=10 + 60)]


def test_a_refused_destination_fails_at_once_without_a_request(slack_target, server, settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}
    delivery = slack(slack_target)

    tried = engine.delivery_send(delivery_id=delivery.pk)

    assert tried is not None
    assert (tried.status, tried.attempts, tried.next_attempt_at) == ("failed", 1, None)
    assert server.requests == []
    assert list(tried.attempt_log.values_list("status_code", "error", "duration_ms")) == [
        (None, "Refused: 127.0.0.1 is not a public address.", 0)
    ]


@pytest.mark.parametrize("kind", ["slack", "webhook"])
def test_a_try_takes_a_fixed_number_of_queries(
    kind, slack_target, hook, server, django_assert_num_queries
):
    delivery = slack(slack_target) if kind == "slack" else webhook(hook)

    with django_assert_num_queries(7):
        engine.delivery_send(delivery_id=delivery.pk)

    assert len(server.requests) == 1


def test_the_last_allowed_try_fails_the_delivery_and_says_so(hook, server, caplog):
    delivery = webhook(hook, attempts=WEBHOOK_POLICY.max_attempts - 1)
    server.queue(status(500))
    caplog.set_level(logging.WARNING, logger="escalations.delivery.engine")

    tried = engine.delivery_send(delivery_id=delivery.pk)

    assert tried is not None
    assert (tried.status, tried.attempts, tried.next_attempt_at) == ("failed", 6, None)
    assert Schedule.objects.filter(func=engine.SEND_TASK).count() == 0
    assert [r.getMessage() for r in caplog.records] == [
        f"webhook delivery {delivery.pk} failed after 6 attempts"
    ]


def test_an_outcome_for_a_delivery_no_longer_pending_is_not_recorded(slack_target):
    delivery = slack(slack_target, status="sent")
    result = OutboundResult(
        status_code=500, error="HTTP 500", retry_after_seconds=None, duration_ms=1
    )

    kept = engine._record(
        delivery_id=delivery.pk, policy=POLICY, now=timezone.now(), result=result, give_up=False
    )

    assert (kept.status, kept.attempts) == ("sent", 0)
    assert DeliveryAttempt.objects.count() == 0


# --- The due list, queueing and scheduling ---------------------------------------------------
def test_the_due_list_holds_pending_unheld_deliveries_whose_time_came(slack_target, hook):
    now = timezone.now()
    lost = aged(slack(slack_target), timedelta(seconds=61))
    aged(webhook(hook), timedelta(seconds=59))  # its own task is still on the way
    retry = webhook(hook, next_attempt_at=now - timedelta(seconds=1))
    aged(slack(slack_target, next_attempt_at=now + timedelta(minutes=5)), timedelta(hours=1))
    held = aged(slack(slack_target), timedelta(minutes=5))
    Delivery.objects.filter(pk=held.pk).update(leased_until=now + timedelta(seconds=1))
    aged(slack(slack_target, status=DeliveryStatus.FAILED), timedelta(hours=1))
    webhook(hook, status=DeliveryStatus.SENT, next_attempt_at=now)

    assert engine.deliveries_due(now=now) == [lost.pk, retry.pk]


def test_the_due_sweep_queues_at_most_500_by_id(hook, monkeypatch):
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(kind="webhook", webhook=hook, event="sla.amber", next_attempt_at=now)
        for _ in range(501)
    )
    queued: list[int] = []
    monkeypatch.setattr(engine, "delivery_enqueue", lambda **kw: queued.append(kw["delivery_id"]))

    assert engine.deliveries_due_enqueue(now=now) == 500
    assert queued == sorted(Delivery.objects.values_list("pk", flat=True))[:500]


def test_a_delivery_queued_now_names_the_sweep_that_catches_a_broker_failure(monkeypatch):
    calls = []
    monkeypatch.setattr(
        engine, "task_enqueue_or_defer", lambda *args, **kwargs: calls.append((args, kwargs))
    )

    engine.delivery_enqueue(delivery_id=91)

    assert calls == [
        (("escalations.tasks.delivery_send", 91), {"swept_by": "the delivery due sweep"})
    ]


def test_a_later_try_is_scheduled_once_under_its_own_name():
    at = timezone.now() + timedelta(minutes=3)

    engine.delivery_schedule(delivery_id=92, attempt=2, at=at)
    engine.delivery_schedule(delivery_id=92, attempt=2, at=at)

    schedule = Schedule.objects.get(name="delivery-92-try-2")
    assert (schedule.func, schedule.args, schedule.schedule_type, schedule.repeats) == (
        "escalations.tasks.delivery_send",
        "(92,)",
        Schedule.ONCE,
        1,
    )
    assert schedule.next_run == at
    assert Schedule.objects.filter(func="escalations.tasks.delivery_send").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["slack", "webhook"])
def test_two_workers_at_once_post_once(kind, slack_target, hook, server):
    # Given one pending delivery and two workers that try it at the same moment
    delivery = slack(slack_target) if kind == "slack" else webhook(hook)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def work() -> None:
        barrier.wait()
        try:
            results.append(delivery_send_task(delivery.pk))
        finally:
            connection.close()

    # When both run
    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one posted and recorded, the other did nothing
    assert sorted(results) == ["sent", "skipped"]
    assert len(server.requests) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
