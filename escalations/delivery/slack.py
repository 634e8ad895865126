"""What is particular to Slack deliveries: the Block Kit message, the test message, the target's
webhook URL (a secret: masked in every error text) and the retry policy read from the settings.

Tries after 30 s, 1.5, 3.5, 7.5, 15.5, 31.5 and 63.5 min by default: an outage of up to an hour
loses nothing. 5xx, 429, timeouts and connection errors retry; other 3xx/4xx fail at once.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from escalations.engine.triggers import excerpt
from escalations.models import Delivery, Escalation, Target, TriggerKey

from .http import OutboundRequest
from .policy import DeliveryPolicy

SLACK_DEFAULTS = {
    "SLACK_TIMEOUT_SECONDS": 10,
    "SLACK_MAX_ATTEMPTS": 8,
    "SLACK_BACKOFF_SECONDS": 30,
    "SLACK_BACKOFF_MAX_SECONDS": 3600,
}


def slack_setting(name: str) -> float:
    return float(settings.KIMONDESK.get(name, SLACK_DEFAULTS[name]))


def slack_policy() -> DeliveryPolicy:
    return DeliveryPolicy(
        max_attempts=int(slack_setting("SLACK_MAX_ATTEMPTS")),
        backoff_seconds=slack_setting("SLACK_BACKOFF_SECONDS"),
        backoff_max_seconds=slack_setting("SLACK_BACKOFF_MAX_SECONDS"),
        timeout_seconds=int(slack_setting("SLACK_TIMEOUT_SECONDS")) or 1,
        final_client_errors=True,
    )


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


def slack_request(*, delivery: Delivery, policy: DeliveryPolicy) -> OutboundRequest:
    """The POST to the target's incoming webhook: the message's text and blocks as JSON."""
    assert delivery.target is not None
    message = {
        key: delivery.payload[key]
        for key in ("text", "blocks")
        if delivery.payload.get(key) is not None
    }
    return OutboundRequest(
        url=delivery.target.slack_webhook_url,
        body=json.dumps(message).encode(),
        headers={"Content-Type": "application/json;charset=utf-8"},
        timeout_seconds=policy.timeout_seconds,
    )
