"""Engine changes announced to integrations: ``ticket.created`` and ``escalation.acknowledged``."""

from __future__ import annotations

import pytest

from escalations.models import Delivery, Webhook
from escalations.services import escalation_acknowledge, escalation_create_manual
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(db):
    return Webhook.objects.create(
        url="https://hooks.example.com/all",
        events=["ticket.created", "escalation.acknowledged"],
        secret="s",
    )


def test_a_ticket_created_through_the_service_is_announced_once(hook, customer, queue):
    ticket = ticket_services.ticket_create(
        subject="Invoice", customer=customer, body="Hello", queue=queue, tags=["billing"]
    )

    delivery = Delivery.objects.get()
    assert delivery.event == "ticket.created"
    assert delivery.payload["ticket"] | {"created_at": None} == {
        "id": ticket.pk,
        "subject": "Invoice",
        "status": "new",
        "priority": "normal",
        "queue": queue.pk,
        "customer": customer.pk,
        "tags": ["billing"],
        "created_at": None,
    }


def test_an_acknowledgement_is_announced_and_an_unsubscribed_event_is_not(
    hook, make_ticket, junior, lead
):
    ticket = make_ticket(holder=junior)
    Delivery.objects.all().delete()
    escalation = escalation_create_manual(
        ticket=ticket,
        actor=junior,
        tried="Resent the invoice",
        diagnosis="Billing bug",
        authority_needed="Credit note",
    )
    assert Delivery.objects.count() == 0  # escalation.created is not subscribed

    escalation_acknowledge(escalation=escalation, actor=lead)

    delivery = Delivery.objects.get()
    assert delivery.event == "escalation.acknowledged"
    keys = ("escalation", "ticket", "acknowledged_by", "acknowledged_on_behalf_of")
    assert {k: delivery.payload[k] for k in keys} == {
        "escalation": escalation.pk,
        "ticket": ticket.pk,
        "acknowledged_by": lead.pk,
        "acknowledged_on_behalf_of": None,
    }
