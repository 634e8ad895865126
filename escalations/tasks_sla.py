"""django-q2 task adapters for SLA clocks: each loads ids and calls one service."""

from __future__ import annotations

from escalations.models import SLAPolicy
from escalations.sla.services import sla_policy_changed, sla_sweep
from escalations.sla.sweeper import sla_sweeper_enqueue, sla_sweeper_ensure, sla_sweeper_run


def sla_sweeper_task(holder: str) -> int:
    """One link of the sweeper chain; queues its successor while it keeps the lease."""
    run = sla_sweeper_run(holder=holder)
    if run.keep_going:
        sla_sweeper_enqueue(holder=holder)
    return run.crossings


def sla_sweeper_watchdog_task() -> int:
    """Every minute (a ``Schedule``): sweep once and restart the chain if it is gone."""
    crossings = sla_sweep()
    sla_sweeper_ensure()
    return crossings


def sla_policy_changed_task(policy_id: int) -> int:
    """Recompute open tickets' clocks after a policy change, outside the request."""
    policy = SLAPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        return 0
    return sla_policy_changed(policy=policy)
