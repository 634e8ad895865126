"""django-q2 entry points of the API (thin adapters). ``PERIODIC_TASKS`` are registered after
``migrate`` by ``kimondesk.schedules``."""

from __future__ import annotations

from kimondesk.schedules import PeriodicTask

from . import idempotency


def idempotency_records_purge() -> int:
    return idempotency.idempotency_records_purge()


PERIODIC_TASKS = (PeriodicTask("idempotency-records-purge", idempotency_records_purge, 60),)
