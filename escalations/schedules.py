"""Every periodic django-q2 task of KimonDesk, in one place.

``schedules_ensure`` creates or updates the ``Schedule`` rows idempotently; ``manage.py
ensure_schedules`` (run by ``make run``) calls it. Add a periodic task by adding a line here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    func: str
    minutes: int


SCHEDULES: tuple[PeriodicTask, ...] = (
    PeriodicTask(
        "escalations-unacknowledged-sweep", "escalations.tasks.escalations_unacknowledged_sweep", 1
    ),
    PeriodicTask("slack-deliveries-due-sweep", "escalations.tasks.slack_deliveries_due_sweep", 1),
    PeriodicTask("evaluations-missed-sweep", "escalations.tasks.evaluations_missed_sweep", 1),
    # Restarts the SLA sweeper chain if it was lost (see escalations.sla.sweeper).
    PeriodicTask("sla-sweeper-watchdog", "escalations.tasks_sla.sla_sweeper_watchdog_task", 1),
    PeriodicTask("reports-rollup-refresh", "reports.tasks.refresh_recent_months", 15),
    PeriodicTask(
        "webhook-deliveries-due-sweep",
        "escalations.tasks_webhooks.webhook_deliveries_due_sweep_task",
        1,
    ),
    PeriodicTask(
        "idempotency-records-purge", "kimondesk.api.tasks.idempotency_records_purge_task", 60
    ),
)


def schedules_ensure() -> list[str]:
    """Create or update one ``Schedule`` per periodic task; returns the names."""
    from django_q.models import Schedule

    for task in SCHEDULES:
        Schedule.objects.update_or_create(
            name=task.name,
            defaults={
                "func": task.func,
                "schedule_type": Schedule.MINUTES,
                "minutes": task.minutes,
                "repeats": -1,
            },
        )
    from escalations.sla.sweeper import sla_sweeper_ensure

    # Crossings are noticed within seconds only while a sweeper chain runs: start one now.
    sla_sweeper_ensure()
    return [task.name for task in SCHEDULES]
