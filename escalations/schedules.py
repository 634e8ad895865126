"""Every periodic django-q2 task of KimonDesk, in one place.

``schedules_ensure`` creates or updates the ``Schedule`` rows idempotently. It runs by itself after
every ``migrate`` (``EscalationsConfig.ready`` connects it to ``post_migrate``), so a deployment that
migrates and starts ``qcluster`` has its sweeps without remembering another command;
``manage.py ensure_schedules`` does the same by hand. ``/readyz`` reports missing schedules and a
stalled SLA sweeper (``schedules_health``). Add a periodic task by adding a line here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_q.models import Schedule

from escalations.models import TaskLease
from escalations.sla.sweeper import LEASE_NAME, sla_sweeper_ensure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    func: str
    minutes: int


SCHEDULES: tuple[PeriodicTask, ...] = (
    PeriodicTask(
        "escalations-unacknowledged-sweep", "escalations.tasks.escalations_unacknowledged_sweep", 1
    ),
    # Slack and webhook deliveries whose retry is due, or whose task was lost.
    PeriodicTask("deliveries-due-sweep", "escalations.tasks.deliveries_due_sweep", 1),
    PeriodicTask("evaluations-missed-sweep", "escalations.tasks.evaluations_missed_sweep", 1),
    # Restarts the SLA sweeper chain if it was lost (see escalations.sla.sweeper).
    PeriodicTask("sla-sweeper-watchdog", "escalations.tasks_sla.sla_sweeper_watchdog_task", 1),
    PeriodicTask("reports-rollup-refresh", "reports.tasks.refresh_recent_months", 15),
    # Customer mail by IMAP, and replies whose send is due (retries, lost tasks): tickets/mail/.
    PeriodicTask("mail-mailboxes-poll", "tickets.mail.tasks.mailboxes_poll_task", 1),
    PeriodicTask("mail-replies-due-sweep", "tickets.mail.tasks.reply_mails_due_sweep", 1),
    PeriodicTask(
        "idempotency-records-purge", "kimondesk.api.tasks.idempotency_records_purge_task", 60
    ),
)


def schedules_ensure() -> list[str]:
    """Create or update one ``Schedule`` per periodic task; returns the names."""
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
    # Crossings are noticed within seconds only while a sweeper chain runs: start one now.
    sla_sweeper_ensure()
    return [task.name for task in SCHEDULES]


def schedules_ensure_after_migrate(**kwargs: Any) -> None:
    """``post_migrate`` receiver: the schedules exist whenever the database is migrated. Starting
    the sweeper chain needs the task broker; if it is down now, the once-a-minute watchdog
    starts the chain later, so a failure here is logged, not raised."""
    try:
        schedules_ensure()
    except Exception:
        logger.exception("periodic schedules could not be ensured after migrate")


def schedules_health(*, stall_seconds: float) -> dict[str, Any]:
    """What ``/readyz`` says of the periodic work: raises when a schedule is missing or the SLA
    sweeper has not renewed its lease for ``stall_seconds`` (the chain is lost and the watchdog
    has not restarted it: no worker runs, or the scheduler is stuck)."""
    wanted = {task.name for task in SCHEDULES}
    present = set(Schedule.objects.filter(name__in=wanted).values_list("name", flat=True))
    if missing := sorted(wanted - present):
        raise LookupError(f"missing schedules: {', '.join(missing)}")
    lease = TaskLease.objects.filter(name=LEASE_NAME).values("renewed_at").first()
    renewed_at = lease["renewed_at"] if lease else None
    if renewed_at is None or timezone.now() - renewed_at > timedelta(seconds=stall_seconds):
        raise TimeoutError("the SLA sweeper has not run recently")
    return {"schedules": len(present), "sla_sweeper_renewed_at": renewed_at.isoformat()}
