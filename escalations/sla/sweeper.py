"""The SLA sweeper: a self-perpetuating django-q2 task chain that notices crossings in seconds.

django-q2's scheduler looks at ``Schedule`` rows only about every 30 s, so a schedule alone
would announce a crossing up to a minute late. Instead one task runs a short loop for
``SLA_SWEEPER_LIFETIME_SECONDS`` (well below the cluster's ``timeout``): sweep, then sleep until
the next pending crossing instant (at most ``SLA_SWEEP_INTERVAL_SECONDS``), and at the end it
enqueues its own successor. A lease row (``TaskLease`` ``sla-sweeper``), renewed on every loop,
makes sure only one chain runs; a once-a-minute ``Schedule`` (the watchdog) starts a new chain
when the lease has expired (a lost chain, a restarted cluster).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_q import tasks as django_q_tasks
from django_q.conf import Conf

from escalations.models import TaskLease
from kimondesk.conf import kimondesk_settings

from .services import sla_next_crossing_at, sla_sweep

logger = logging.getLogger(__name__)

LEASE_NAME = "sla-sweeper"
SWEEPER_TASK = "escalations.tasks.sla_sweeper_step"
# Never spin: even when crossings are due back to back, wait this long between sweeps.
MIN_WAIT_SECONDS = 0.2


@dataclass(frozen=True)
class SweeperSettings:
    interval: float
    lifetime: float
    lease: float

    @classmethod
    def current(cls) -> SweeperSettings:
        conf = kimondesk_settings()
        lifetime = conf.sla_sweeper_lifetime_seconds
        if Conf.TIMEOUT:
            # The cluster kills a task that outlives ``timeout``: hand over well before it.
            lifetime = min(lifetime, max(1.0, Conf.TIMEOUT - 10.0))
        return cls(
            interval=conf.sla_sweep_interval_seconds,
            lifetime=lifetime,
            lease=conf.sla_sweeper_lease_seconds,
        )


@dataclass(frozen=True)
class SweeperRun:
    sweeps: int
    crossings: int
    keep_going: bool


def sla_sweeper_lease_take(*, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take or renew the sweeper lease; True for exactly one holder at a time."""
    now = now or timezone.now()
    free_or_ours = Q(holder=holder) | Q(expires_at__isnull=True) | Q(expires_at__lte=now)
    values = {"holder": holder, "expires_at": now + timedelta(seconds=seconds), "renewed_at": now}
    if TaskLease.objects.filter(free_or_ours, name=LEASE_NAME).update(**values):
        return True
    if TaskLease.objects.filter(name=LEASE_NAME).exists():
        return False
    TaskLease.objects.bulk_create([TaskLease(name=LEASE_NAME)], ignore_conflicts=True)
    return TaskLease.objects.filter(free_or_ours, name=LEASE_NAME).update(**values) == 1


def sla_sweeper_lease_release(*, holder: str) -> None:
    TaskLease.objects.filter(name=LEASE_NAME, holder=holder).update(expires_at=None, holder="")


def sla_sweeper_is_alive(*, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return TaskLease.objects.filter(name=LEASE_NAME, expires_at__gt=now).exists()


def sla_sweeper_run(
    *,
    holder: str,
    conf: SweeperSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> SweeperRun:
    """One link of the chain: sweep until the lifetime is used up or the lease is lost."""
    conf = conf or SweeperSettings.current()
    started = monotonic()
    sweeps = crossings = 0
    while True:
        if not sla_sweeper_lease_take(holder=holder, seconds=conf.lease):
            logger.info("SLA sweeper %s lost its lease; stopping", holder)
            return SweeperRun(sweeps, crossings, keep_going=False)
        crossings += sla_sweep()
        sweeps += 1
        used = monotonic() - started
        if used >= conf.lifetime:
            return SweeperRun(sweeps, crossings, keep_going=True)
        wait = conf.interval
        next_at = sla_next_crossing_at()
        if next_at is not None:
            until = (next_at - timezone.now()).total_seconds()
            wait = min(conf.interval, max(MIN_WAIT_SECONDS, until))
        sleep(max(0.0, min(wait, conf.lifetime - used)))


def sla_sweeper_enqueue(*, holder: str | None = None) -> str | None:
    """Queue a link of the chain (a new chain without ``holder``); None in sync mode."""
    if Conf.SYNC:
        # Run inline, a chain would never return: sync mode sweeps from the watchdog only.
        return None
    holder = holder or uuid.uuid4().hex
    django_q_tasks.async_task(SWEEPER_TASK, holder, save=False, group=LEASE_NAME)
    return holder


def sla_sweeper_ensure() -> bool:
    """Start a chain unless a live one holds the lease; True when one was started."""
    if sla_sweeper_is_alive():
        return False
    return sla_sweeper_enqueue() is not None
