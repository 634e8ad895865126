"""The periodic work after ``migrate``, and what ``/readyz`` says of it.

``EscalationsConfig.ready`` connects ``schedules_ensure_after_migrate`` to ``post_migrate``:
every app's periodic tasks get their ``Schedule`` rows (``kimondesk.schedules``, where each
app's ``PERIODIC_TASKS`` are collected) and the SLA sweeper chain is started;
``manage.py ensure_schedules`` does the same by hand. ``/readyz`` reports missing schedules and
a stalled SLA sweeper (``schedules_health``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

from escalations.models import TaskLease
from escalations.sla.sweeper import LEASE_NAME, sla_sweeper_ensure
from kimondesk.schedules import periodic_tasks, schedules_missing
from kimondesk.schedules import schedules_ensure as periodic_schedules_ensure

logger = logging.getLogger(__name__)


def schedules_ensure() -> list[str]:
    """Create or update one ``Schedule`` per periodic task, then start the SLA sweeper chain
    (crossings are noticed within seconds only while one runs); returns the schedules' names."""
    names = periodic_schedules_ensure()
    sla_sweeper_ensure()
    return names


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
    if missing := schedules_missing():
        raise LookupError(f"missing schedules: {', '.join(missing)}")
    lease = TaskLease.objects.filter(name=LEASE_NAME).values("renewed_at").first()
    renewed_at = lease["renewed_at"] if lease else None
    if renewed_at is None or timezone.now() - renewed_at > timedelta(seconds=stall_seconds):
        raise TimeoutError("the SLA sweeper has not run recently")
    return {"schedules": len(periodic_tasks()), "sla_sweeper_renewed_at": renewed_at.isoformat()}
