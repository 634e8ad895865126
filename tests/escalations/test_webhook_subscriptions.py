"""Webhook subscriptions through the services: create, update and delete with their audit rows,
who is subscribed to an event, the stored payload and the signed request (cases found by the mutation run of
``escalations/delivery/webhooks.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from escalations.delivery import webhooks
from escalations.models import AuditEvent, Delivery, Webhook
from tests import factories

pytestmark = pytest.mark.django_db

URL = "https://crm.example.com/in"


def test_create_keeps_each_event_once_in_order_and_audits_without_the_secret(lead, team):
    hook = webhooks.webhook_create(
        actor=lead,
        url=URL,
        events=["sla.breached", "escalation.created", "sla.breached"],
        team=team,
        enabled=False,
    )

    stored = Webhook.objects.get()
    assert stored.pk == hook.pk
    assert (stored.url, stored.events, stored.team, stored.enabled, stored.created_by) == (
        URL,
        ["escalation.created", "sla.breached"],
        team,
        False,
        lead,
    )
    assert stored.secret == hook.secret
    assert len(stored.secret) == 64
    audit = AuditEvent.objects.get()
    assert (audit.kind, audit.actor, audit.object_id, audit.before) == (
        "webhook.created",
        lead,
        str(hook.pk),
        None,
    )
    assert audit.after["events"] == ["escalation.created", "sla.breached"]
    assert audit.after["secret"] == "••••"


def test_create_defaults_to_an_enabled_global_webhook(lead):
    hook = webhooks.webhook_create(actor=lead, url=URL, events=["sla.amber"])

    hook.refresh_from_db()
    assert (hook.team, hook.enabled) == (None, True)


def test_create_refuses_an_invalid_url_and_writes_nothing(lead):
    with pytest.raises(ValidationError) as refused:
        webhooks.webhook_create(actor=lead, url="ftp://crm.example.com", events=["sla.amber"])

    assert "url" in refused.value.message_dict
    assert not Webhook.objects.exists()
    assert not AuditEvent.objects.exists()


def test_update_sets_each_value_keeps_events_once_in_order_and_audits_both_sides(lead, team):
    hook = webhooks.webhook_create(actor=lead, url=URL, events=["sla.amber"], team=team)
    other = "https://crm.example.com/v2"

    updated = webhooks.webhook_update(
        webhook=hook,
        actor=lead,
        values={"url": other, "events": ["sla.breached", "sla.amber", "sla.breached"]},
    )

    stored = Webhook.objects.get()
    assert updated.pk == stored.pk
    assert (stored.url, stored.events, stored.enabled) == (
        other,
        ["sla.amber", "sla.breached"],
        True,
    )
    audit = AuditEvent.objects.get(kind="webhook.updated")
    assert (audit.actor, audit.object_id) == (lead, str(hook.pk))
    assert (audit.before["url"], audit.before["events"]) == (URL, ["sla.amber"])
    assert (audit.after["url"], audit.after["events"]) == (other, ["sla.amber", "sla.breached"])


def test_update_refuses_an_invalid_url_and_changes_nothing(lead):
    hook = webhooks.webhook_create(actor=lead, url=URL, events=["sla.amber"])

    with pytest.raises(ValidationError):
        webhooks.webhook_update(webhook=hook, actor=lead, values={"url": "ftp://x.example.com"})

    assert Webhook.objects.get().url == URL
    assert not AuditEvent.objects.filter(kind="webhook.updated").exists()


def test_delete_removes_the_webhook_and_audits_what_it_was(lead):
    hook = webhooks.webhook_create(actor=lead, url=URL, events=["sla.amber"])
    pk = hook.pk

    webhooks.webhook_delete(webhook=hook, actor=lead)

    assert not Webhook.objects.exists()
    audit = AuditEvent.objects.get(kind="webhook.deleted")
    assert (audit.actor, audit.object_id, audit.after) == (lead, str(pk), None)
    assert (audit.before["url"], audit.before["secret"]) == (URL, "••••")


def test_subscribed_are_the_enabled_global_and_own_team_webhooks_of_the_event(team):
    other_team = factories.TeamFactory(name="Elsewhere")

    def hook(**fields):
        return Webhook.objects.create(url=URL, secret="s", **fields)

    global_hook = hook(events=["sla.amber", "sla.breached"])
    own = hook(events=["sla.amber"], team=team)
    hook(events=["sla.amber"], team=other_team)
    hook(events=["sla.amber"], team=team, enabled=False)
    hook(events=["sla.breached"], team=team)

    assert webhooks.webhooks_subscribed(event="sla.amber", team_id=team.pk) == [global_hook, own]
    assert webhooks.webhooks_subscribed(event="sla.amber", team_id=None) == [global_hook]
    with pytest.raises(ValueError, match="Unknown") as unknown:
        webhooks.webhooks_subscribed(event="sla.green", team_id=team.pk)
    assert str(unknown.value) == "Unknown webhook event 'sla.green'."


def test_the_payload_is_stored_as_plain_json():
    payload = {"at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC), "amount": Decimal("12.50"), "n": 1}

    assert webhooks.webhook_payload(payload) == {
        "at": "2026-03-02T09:30:00Z",
        "amount": "12.50",
        "n": 1,
    }


def test_the_signed_request_names_its_headers_exactly_and_waits_as_the_policy_says(
    team, monkeypatch
):
    hook = Webhook.objects.create(url=URL, team=team, events=["sla.amber"], secret="s")
    delivery = Delivery.objects.create(
        kind="webhook", webhook=hook, event="sla.amber", payload={"t": 1}
    )
    monkeypatch.setattr(webhooks, "time", SimpleNamespace(time=lambda: 1700000000))
    policy = replace(webhooks.WEBHOOK_POLICY, timeout_seconds=3)

    request = webhooks.webhook_request(delivery=delivery, policy=policy)

    body = webhooks.webhook_body(delivery=delivery)
    assert (request.url, request.body, request.timeout_seconds) == (URL, body, 3)
    assert request.headers == {
        "Content-Type": "application/json",
        "User-Agent": "KimonDesk-Webhooks/1",
        "X-KimonDesk-Event": "sla.amber",
        "X-KimonDesk-Delivery": str(delivery.pk),
        "X-KimonDesk-Signature": webhooks.webhook_signature(
            secret="s", timestamp=1700000000, body=body
        ),
    }
