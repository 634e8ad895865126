"""Slack deliveries: the ticket link under a public URL ending in "X", the request's timeout from
the policy given, and the header's length (cases found by the mutation run of
``escalations/delivery/slack.py``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from escalations.delivery import slack
from escalations.delivery.engine import slack_delivery_create
from escalations.models import Escalation, TriggerKey
from tests import factories
from tickets.models import Ticket


def test_the_ticket_link_drops_only_the_public_urls_trailing_slashes(settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "PUBLIC_URL": "https://desk.example.com/helpX//"}

    assert slack.ticket_url(42) == "https://desk.example.com/helpX/tickets/42/"


@pytest.mark.django_db
def test_the_request_waits_as_long_as_the_policy_given_says():
    target = factories.TargetFactory(kind="slack", slack_webhook_url="https://hooks.example.com/x")
    delivery = slack_delivery_create(target=target, escalation=None, payload={"text": "t"})
    policy = replace(slack.slack_policy(), timeout_seconds=3)

    assert slack.slack_request(delivery=delivery, policy=policy).timeout_seconds == 3


def test_every_trigger_fits_in_the_header_uncut():
    # Slack refuses a header over 150 characters; no trigger's label comes near it.
    for key in TriggerKey.values:
        escalation = Escalation(ticket=Ticket(pk=1, subject="s"), trigger=key)
        header = slack.slack_message_build(escalation=escalation)["blocks"][0]["text"]["text"]
        assert header == f"Escalated: {TriggerKey(key).label}"
        assert len(header) < 150
