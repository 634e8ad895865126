"""What is particular to Slack deliveries: the Block Kit message, the test message, the target's
webhook URL (a secret: masked in every error text) and the retry policy read from the settings.

Tries after 30 s, 1.5, 3.5, 7.5, 15.5, 31.5 and 63.5 min by default: an outage of up to an hour
loses nothing. 5xx, 429, timeouts and connection errors retry; other 3xx/4xx fail at once.
"""

from __future__ import annotations

import json
from typing import Any

from escalations.engine.triggers import excerpt
from escalations.models import Delivery, Escalation, Target, TriggerKey
from kimondesk.conf import kimondesk_settings

from .http import OutboundRequest
from .policy import DeliveryPolicy


def slack_policy() -> DeliveryPolicy:
    """The retry policy of Slack deliveries, from the settings (``kimondesk/conf.py``)."""
    conf = kimondesk_settings()
    return DeliveryPolicy(
        max_attempts=conf.slack_max_attempts,
        backoff_seconds=conf.slack_backoff_seconds,
        backoff_max_seconds=conf.slack_backoff_max_seconds,
        timeout_seconds=int(conf.slack_timeout_seconds) or 1,
        final_client_errors=True,
    )


def ticket_url(ticket_id: int) -> str:
    return f"{kimondesk_settings().public_url.rstrip('/')}/tickets/{ticket_id}/"


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
