"""django-q2 entry points of the API (thin adapters)."""

from __future__ import annotations

from .idempotency import idempotency_records_purge


def idempotency_records_purge_task() -> int:
    return idempotency_records_purge()
