"""django-q2 tasks: thin adapters that load ids and call the engine. Each is safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from .engine.acknowledge import escalations_unacknowledged_bump
from .engine.evaluate import evaluations_missed_requeue, event_evaluate
from .slack import slack_deliveries_due, slack_delivery_send
from .sweeps import sweep_row_isolated


def evaluate_ticket_event(event_id: int) -> int:
    """Evaluate one ticket event; returns how many escalations/routings it produced."""
    outcomes = event_evaluate(event_id=event_id)
    return sum(1 for outcome in outcomes if getattr(outcome, "created", False))


def slack_deliver(delivery_id: int) -> str:
    delivery = slack_delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "skipped"


def slack_deliveries_due_sweep() -> int:
    """The safety net behind scheduled retries: send every pending delivery that is due."""
    due = slack_deliveries_due(now=timezone.now())
    for delivery_id in due:
        with sweep_row_isolated(sweep="Slack retry sweep", row=f"delivery {delivery_id}"):
            slack_delivery_send(delivery_id=delivery_id)
    return len(due)


def escalations_unacknowledged_sweep() -> int:
    return escalations_unacknowledged_bump()


def evaluations_missed_sweep() -> int:
    """Safety net for lost tasks: evaluate events that have no receipt yet."""
    return len(evaluations_missed_requeue(now=timezone.now()))
