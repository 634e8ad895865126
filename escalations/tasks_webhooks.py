"""django-q2 entry points for webhook deliveries (thin: load the id, call the service)."""

from __future__ import annotations

from escalations.webhooks import webhook_deliveries_due_sweep, webhook_delivery_send


def webhook_delivery_send_task(delivery_id: int) -> str:
    delivery = webhook_delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "missing"


def webhook_deliveries_due_sweep_task() -> int:
    return webhook_deliveries_due_sweep()
