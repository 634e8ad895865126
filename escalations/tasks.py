"""django-q2 tasks of the escalations app: thin adapters that load ids and call the engine, the
SLA clocks or the deliveries. Each is safe to run twice. ``PERIODIC_TASKS`` are this app's
schedules (registered after ``migrate`` by ``kimondesk.schedules``)."""

from __future__ import annotations

from django.utils import timezone

from kimondesk.schedules import PeriodicTask

from .delivery import engine as delivery_engine
from .engine.acknowledge import escalations_unacknowledged_bump
from .engine.evaluate import evaluations_missed_requeue, event_evaluate
from .models import SLAPolicy
from .sla.services import sla_policy_changed, sla_sweep
from .sla.sweeper import sla_sweeper_enqueue, sla_sweeper_ensure, sla_sweeper_run


def ticket_event_evaluate(event_id: int) -> int:
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


def sla_sweeper_step(holder: str) -> int:
    """One link of the SLA sweeper chain; queues its successor while it keeps the lease."""
    run = sla_sweeper_run(holder=holder)
    if run.keep_going:
        sla_sweeper_enqueue(holder=holder)
    return run.crossings


def sla_sweeper_watchdog() -> int:
    """Every minute (a ``Schedule``): sweep once and restart the chain if it is gone."""
    crossings = sla_sweep()
    sla_sweeper_ensure()
    return crossings


def sla_policy_recompute(policy_id: int) -> int:
    """Recompute open tickets' clocks after a policy change, outside the request."""
    policy = SLAPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        return 0
    return sla_policy_changed(policy=policy)


PERIODIC_TASKS = (
    PeriodicTask("escalations-unacknowledged-sweep", escalations_unacknowledged_sweep, 1),
    # Slack and webhook deliveries whose retry is due, or whose task was lost.
    PeriodicTask("deliveries-due-sweep", deliveries_due_sweep, 1),
    PeriodicTask("evaluations-missed-sweep", evaluations_missed_sweep, 1),
    # Restarts the SLA sweeper chain if it was lost (see escalations.sla.sweeper).
    PeriodicTask("sla-sweeper-watchdog", sla_sweeper_watchdog, 1),
)
