"""SLA crossings are announced to subscribed integrations as ``sla.amber`` and ``sla.breached``."""

from __future__ import annotations

from datetime import timedelta

from escalations.models import Delivery, Webhook
from escalations.sla.services import sla_sweep

from .conftest import T0


def test_amber_and_breach_crossings_each_create_one_webhook_delivery(
    policy, make_ticket, now, team
):
    Webhook.objects.create(url="https://hooks.example.com/a", events=["sla.amber"], secret="s1")
    Webhook.objects.create(
        url="https://hooks.example.com/b", team=team, events=["sla.breached"], secret="s2"
    )
    ticket = make_ticket()

    now.at = T0 + timedelta(minutes=46)
    sla_sweep()
    now.at = T0 + timedelta(minutes=61)
    sla_sweep()
    sla_sweep()

    deliveries = list(
        Delivery.objects.order_by("id").values_list("webhook__url", "event", "payload")
    )
    assert [(url, event) for url, event, _ in deliveries] == [
        ("https://hooks.example.com/a", "sla.amber"),
        ("https://hooks.example.com/b", "sla.breached"),
    ]
    assert deliveries[1][2] == {
        "ticket": ticket.pk,
        "metric": "first_response",
        "from": "amber",
        "to": "red",
        "due_at": (T0 + timedelta(minutes=60)).isoformat().replace("+00:00", "Z"),
    }
