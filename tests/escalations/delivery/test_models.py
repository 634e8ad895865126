"""The delivery rows as the console lists them: each kind's name, and the Slack proxy that shows
and saves Slack deliveries only."""

from __future__ import annotations

import pytest
from django.utils.deprecation import RemovedInDjango60Warning

from escalations.delivery.models import SlackDelivery
from escalations.models import Delivery, Webhook
from tests import factories

pytestmark = pytest.mark.django_db
SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXX"


@pytest.fixture
def slack_target(team):
    return factories.TargetFactory(kind="slack", slack_webhook_url=SLACK_URL, team=team)


@pytest.fixture
def hook(team):
    return Webhook.objects.create(
        url="https://hooks.example.com/in", team=team, events=["sla.amber"], secret="s"
    )


def test_each_kind_of_delivery_names_itself_with_its_status(slack_target, hook):
    slack = Delivery.objects.create(kind="slack", target=slack_target, payload={"text": "x"})
    webhook = Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", status="failed"
    )

    assert str(slack) == f"Slack delivery {slack.pk} (pending)"
    assert str(webhook) == f"sla.amber to webhook {hook.pk} (failed)"


def test_the_slack_proxy_lists_slack_deliveries_only_and_saves_them_as_slack(slack_target, hook):
    listed = Delivery.objects.create(kind="slack", target=slack_target, payload={"text": "x"})
    Delivery.objects.create(kind="webhook", webhook=hook, event="sla.amber")

    saved = SlackDelivery(kind="webhook", target=slack_target, payload={"text": "y"})
    saved.save()

    assert Delivery.objects.get(pk=saved.pk).kind == "slack"
    assert sorted(SlackDelivery.objects.values_list("pk", flat=True)) == [listed.pk, saved.pk]


def test_the_slack_proxy_passes_on_which_fields_to_save(slack_target):
    delivery = SlackDelivery.objects.create(target=slack_target, payload={"text": "x"})
    delivery.status, delivery.payload = "sent", {"text": "changed"}

    delivery.save(update_fields=["status"])

    stored = Delivery.objects.get(pk=delivery.pk)
    assert (stored.kind, stored.status, stored.payload) == ("slack", "sent", {"text": "x"})


def test_the_slack_proxy_passes_on_positional_arguments_too(slack_target):
    delivery = SlackDelivery.objects.create(target=slack_target, payload={"text": "x"})
    delivery.status, delivery.payload = "failed", {"text": "changed"}

    # Django 5.2 still takes save()'s arguments by position, with a deprecation warning.
    with pytest.warns(RemovedInDjango60Warning):
        delivery.save(False, False, None, ["status"])

    stored = Delivery.objects.get(pk=delivery.pk)
    assert (stored.status, stored.payload) == ("failed", {"text": "x"})
