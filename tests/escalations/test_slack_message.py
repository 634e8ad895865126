"""Slack delivery's parts, one at a time: the Block Kit message, backoff, Retry-After, masking the
webhook URL in error texts, the claim on a delivery, the due list, queueing and scheduling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from escalations import slack
from escalations.models import Escalation, SlackDelivery, Target
from tests import factories
from tickets.models import Note, Ticket

SECRET = "https://hooks.slack.com/services/T000/B000/secret-token"


def escalation(
    subject: str = "Printer on fire", summary: str | None = "Tried: restart."
) -> Escalation:
    ticket = Ticket(pk=42, subject=subject)
    note = Note(body=summary) if summary is not None else None
    return Escalation(ticket=ticket, trigger="sla_breach", summary_note=note)


def test_the_message_carries_the_summary_and_a_link_to_the_ticket(settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "PUBLIC_URL": "https://desk.example.com/"}

    message = slack.slack_message_build(escalation=escalation())

    url = "https://desk.example.com/tickets/42/"
    assert message == {
        "text": "Escalated: #42 Printer on fire (SLA breached)",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Escalated: SLA breached"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*<{url}|#42 Printer on fire>*"},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": "Tried: restart."}},
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


def test_a_long_subject_and_summary_are_cut_and_no_summary_shows_the_trigger():
    long = escalation(subject="s" * 300, summary="x" * 3000)
    bare = escalation(summary=None)

    long_blocks = slack.slack_message_build(escalation=long)["blocks"]
    bare_blocks = slack.slack_message_build(escalation=bare)["blocks"]

    assert long_blocks[1]["text"]["text"].endswith("|#42 " + "s" * 119 + "…>*")
    assert long_blocks[2]["text"]["text"] == "x" * 2900
    assert bare_blocks[2]["text"]["text"] == "SLA breached"


def test_the_test_message_names_the_target():
    message = slack.slack_test_message_build(target=Target(name="On-call"))

    text = "KimonDesk test message for the target “On-call”."
    assert message == {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(0, 30.0), (1, 30.0), (2, 60.0), (3, 120.0), (7, 1920.0), (8, 3600.0), (30, 3600.0)],
)
def test_backoff_doubles_from_30_seconds_up_to_an_hour(attempt, seconds):
    assert slack.backoff_seconds(attempt) == seconds


def test_backoff_follows_the_settings(settings):
    settings.KIMONDESK = {
        **settings.KIMONDESK,
        "SLACK_BACKOFF_SECONDS": 5,
        "SLACK_BACKOFF_MAX_SECONDS": 15,
    }

    assert [slack.backoff_seconds(n) for n in (1, 2, 3, 4)] == [5.0, 10.0, 15.0, 15.0]
    assert slack.slack_setting("SLACK_MAX_ATTEMPTS") == 8.0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        pytest.param({"Retry-After": "30"}, 30, id="seconds"),
        pytest.param({"retry-after": ["12.7"]}, 12, id="list-and-fraction"),
        pytest.param({"X-Other": "1", "RETRY-AFTER": "-4"}, 0, id="negative-is-now"),
        pytest.param({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, None, id="date-not-read"),
        pytest.param({"Content-Type": "text/plain"}, None, id="absent"),
    ],
)
def test_retry_after(headers, seconds):
    assert slack._retry_after(headers) == seconds


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param(f"POST {SECRET} failed", "POST <webhook> failed", id="whole-url"),
        pytest.param("404 for /services/T000/B000/secret-token", "404 for <webhook>", id="path"),
        pytest.param("token secret-token refused", "token <webhook> refused", id="last-segment"),
        pytest.param("HTTP 500: oops", "HTTP 500: oops", id="nothing-to-mask"),
    ],
)
def test_the_webhook_url_is_masked_in_error_texts(text, masked):
    assert slack._scrub(text, SECRET) == masked


def test_short_parts_are_not_masked_and_no_secret_masks_nothing():
    assert slack._scrub("a b c", "https://x.io/a/b") == "a b c"
    assert slack._scrub("abcdefgh", "") == "abcdefgh"
    assert slack._scrub("see /hooks/abcdefgh/", "https://x.io/hooks/abcdefgh/") == "see <webhook>/"


def test_a_token_of_exactly_8_characters_is_masked():
    assert slack._scrub("token abcdefgh", "https://x.io/hooks/abcdefgh") == "token <webhook>"


@pytest.fixture
def slack_target(db):
    return factories.TargetFactory(kind="slack", slack_webhook_url=SECRET)


def pending(target, *, created_ago: timedelta, next_attempt_in: timedelta | None) -> SlackDelivery:
    now = timezone.now()
    delivery = SlackDelivery.objects.create(
        target=target, next_attempt_at=None if next_attempt_in is None else now + next_attempt_in
    )
    SlackDelivery.objects.filter(pk=delivery.pk).update(created_at=now - created_ago)
    return delivery


def test_a_claim_leases_one_pending_delivery_for_the_timeout_plus_a_minute(slack_target):
    now = timezone.now()
    mine = pending(slack_target, created_ago=timedelta(0), next_attempt_in=None)
    other = pending(slack_target, created_ago=timedelta(0), next_attempt_in=None)
    sent = SlackDelivery.objects.create(target=slack_target, status="sent")

    assert slack._claim(delivery_id=mine.pk, now=now) is True
    assert slack._claim(delivery_id=mine.pk, now=now) is False
    assert slack._claim(delivery_id=sent.pk, now=now) is False
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.next_attempt_at == now + timedelta(seconds=70)
    assert other.next_attempt_at is None
    assert slack._claim(delivery_id=mine.pk, now=now + timedelta(seconds=70)) is True


def test_the_due_list_holds_pending_deliveries_whose_time_came(slack_target):
    lost = pending(slack_target, created_ago=timedelta(seconds=90), next_attempt_in=None)
    pending(slack_target, created_ago=timedelta(seconds=30), next_attempt_in=None)
    retry = pending(
        slack_target, created_ago=timedelta(hours=1), next_attempt_in=-timedelta(seconds=1)
    )
    pending(slack_target, created_ago=timedelta(hours=1), next_attempt_in=timedelta(minutes=5))
    SlackDelivery.objects.create(target=slack_target, status="failed")

    due = slack.slack_deliveries_due(now=timezone.now())

    assert sorted(due) == sorted([lost.pk, retry.pk])


def test_the_due_list_takes_the_longest_waiting_100(slack_target):
    now = timezone.now()
    SlackDelivery.objects.bulk_create(
        SlackDelivery(target=slack_target, next_attempt_at=now - timedelta(seconds=n))
        for n in range(1, 102)
    )
    newest = SlackDelivery.objects.order_by("-next_attempt_at").first()

    due = slack.slack_deliveries_due(now=now)

    assert len(due) == 100
    assert newest is not None
    assert newest.pk not in due
    waits = dict(SlackDelivery.objects.values_list("pk", "next_attempt_at"))
    assert [waits[pk] for pk in due] == sorted(waits[pk] for pk in due)


def test_a_delivery_queued_now_names_the_sweep_that_catches_a_broker_failure(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "escalations.queueing.task_enqueue_or_defer",
        lambda *args, **kwargs: calls.append((args, kwargs)),
    )

    slack.slack_delivery_enqueue(delivery_id=91)

    assert calls == [(("escalations.tasks.slack_deliver", 91), {"swept_by": "the Slack due sweep"})]


@pytest.mark.django_db
def test_a_later_try_is_scheduled_once_under_its_own_name():
    at = timezone.now() + timedelta(minutes=3)

    slack.slack_delivery_schedule(delivery_id=92, attempt=2, at=at)
    slack.slack_delivery_schedule(delivery_id=92, attempt=2, at=at)

    schedule = Schedule.objects.get(name="slack-delivery-92-try-2")
    assert (schedule.func, schedule.args, schedule.schedule_type, schedule.repeats) == (
        "escalations.tasks.slack_deliver",
        "(92,)",
        Schedule.ONCE,
        1,
    )
    assert schedule.next_run == at
    assert Schedule.objects.filter(func="escalations.tasks.slack_deliver").count() == 1
