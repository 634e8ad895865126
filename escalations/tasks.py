"""django-q2 tasks: thin adapters that load ids and call the engine. Each is safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from .delivery import engine as delivery_engine
from .engine.acknowledge import escalations_unacknowledged_bump
from .engine.evaluate import evaluations_missed_requeue, event_evaluate


def evaluate_ticket_event(event_id: int) -> int:
    """Evaluate one ticket event; returns how many escalations/routings it produced."""
    outcomes = event_evaluate(event_id=event_id)
    return sum(1 for outcome in outcomes if getattr(outcome, "created", False))


def delivery_send(delivery_id: int) -> str:
    """Try one Slack or webhook delivery once (``skipped`` unless it is due and unclaimed)."""
    delivery = delivery_engine.delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "skipped"


def deliveries_due_sweep() -> int:
    """The safety net behind scheduled retries: queue every pending delivery that is due."""
    return delivery_engine.deliveries_due_enqueue(now=timezone.now())


def escalations_unacknowledged_sweep() -> int:
    return escalations_unacknowledged_bump()


def evaluations_missed_sweep() -> int:
    """Safety net for lost tasks: evaluate events that have no receipt yet."""
    return len(evaluations_missed_requeue(now=timezone.now()))
