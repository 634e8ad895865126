from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from escalations.models import SLAClock
from escalations.sla.selectors import sla_calendar_cache_clear
from tests import factories
from tickets.services import ticket_create

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # a Monday


class FrozenNow:
    """``timezone.now`` under the test's control (``auto_now`` fields follow it too)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> datetime:
        self.at += timedelta(**kwargs)
        return self.at


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Frozen clocks and reused ids could otherwise meet a calendar built in another test.
    sla_calendar_cache_clear()


@pytest.fixture
def now(monkeypatch) -> FrozenNow:
    frozen = FrozenNow(T0)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def policy(db):
    """A 24/7 policy: first response 60 min (urgent 30), next response 30, resolution 8 h."""
    policy = factories.SLAPolicyFactory(name="Standard", order=10)
    for metric, priority, minutes in [
        ("first_response", None, 60),
        ("first_response", "urgent", 30),
        ("next_response", None, 30),
        ("resolution", None, 480),
    ]:
        factories.SLATargetFactory(policy=policy, metric=metric, priority=priority, minutes=minutes)
    return policy


@pytest.fixture
def make_ticket(queue, customer, now):
    def make(**kwargs):
        kwargs.setdefault("subject", "Printer on fire")
        kwargs.setdefault("customer", customer)
        kwargs.setdefault("queue", queue)
        kwargs.setdefault("body", "It is still burning.")
        return ticket_create(**kwargs)

    return make


def clock_of(ticket, metric: str = "first_response") -> SLAClock:
    return SLAClock.objects.get(ticket=ticket, metric=metric)
