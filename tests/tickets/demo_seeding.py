"""The module-scoped demo seed of the demo tests: seeded once, read by every test of a module,
and rolled back, so the next module starts from an empty database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from tickets.models import EventKind, TicketEvent


@contextmanager
def rolled_back_after(django_db_blocker: Any) -> Iterator[None]:
    """Inside: one transaction on the test database, rolled back on leaving."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def demo_trigger_events() -> dict[int, Any]:
    """The events the demo's engine escalations rest on (an SLA crossing, a tier change, the
    escalate tag), by id."""
    kinds = [EventKind.SLA_STATE_CHANGED, EventKind.TIER_CHANGED, EventKind.TAGS_CHANGED]
    return {e.pk: e for e in TicketEvent.objects.filter(kind__in=kinds)}
