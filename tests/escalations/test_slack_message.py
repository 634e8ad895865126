"""What is particular to Slack deliveries: the Block Kit message, the test message, the policy read
from the settings and the request that leaves. The shared parts (backoff, Retry-After, masking, the
claim, the due list, queueing) are tested in ``tests/escalations/delivery/``."""

from __future__ import annotations

import json

import pytest

from escalations.delivery import slack
from escalations.delivery.engine import slack_delivery_create
from escalations.delivery.policy import DeliveryPolicy, backoff_seconds
from escalations.models import Escalation, Target
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
    assert backoff_seconds(policy=slack.slack_policy(), attempts=attempt) == seconds


def test_the_policy_follows_the_settings(settings):
    settings.KIMONDESK = {
        **settings.KIMONDESK,
        "SLACK_BACKOFF_SECONDS": 5,
        "SLACK_BACKOFF_MAX_SECONDS": 15,
        "SLACK_TIMEOUT_SECONDS": 0.5,
    }

    policy = slack.slack_policy()

    assert [backoff_seconds(policy=policy, attempts=n) for n in (1, 2, 3, 4)] == [
        5.0,
        10.0,
        15.0,
        15.0,
    ]
    assert policy == DeliveryPolicy(
        max_attempts=8,
        backoff_seconds=5.0,
        backoff_max_seconds=15.0,
        timeout_seconds=1,
        final_client_errors=True,
    )


@pytest.mark.django_db
def test_the_request_posts_text_and_blocks_as_json_to_the_target():
    target = factories.TargetFactory(kind="slack", slack_webhook_url=SECRET)
    payload = {"text": "hi", "blocks": [{"type": "divider"}], "extra": 1}
    delivery = slack_delivery_create(target=target, escalation=None, payload=payload)
    text_only = slack_delivery_create(target=target, escalation=None, payload={"text": "t"})

    request = slack.slack_request(delivery=delivery, policy=slack.slack_policy())
    bare = slack.slack_request(delivery=text_only, policy=slack.slack_policy())

    assert (request.url, request.timeout_seconds) == (SECRET, 10)
    assert request.headers == {"Content-Type": "application/json;charset=utf-8"}
    assert json.loads(request.body) == {"text": "hi", "blocks": [{"type": "divider"}]}
    assert json.loads(bare.body) == {"text": "t"}
    assert (delivery.kind, delivery.target, delivery.webhook) == ("slack", target, None)
