"""Registration of the SLA sweeper's django-q2 schedule (idempotent; ``make run`` calls it)."""

from __future__ import annotations

from django_q.models import Schedule

from .sweeper import sla_sweeper_ensure

WATCHDOG_NAME = "sla-sweeper-watchdog"
WATCHDOG_FUNC = "escalations.tasks_sla.sla_sweeper_watchdog_task"


def sla_schedules_ensure() -> None:
    """The once-a-minute watchdog schedule, and a sweeper chain started right away."""
    Schedule.objects.update_or_create(
        name=WATCHDOG_NAME,
        defaults={
            "func": WATCHDOG_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    sla_sweeper_ensure()
