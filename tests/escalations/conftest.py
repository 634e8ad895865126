from __future__ import annotations

import pytest

from escalations.models import TargetKind
from tests import factories
from tickets import services as ticket_services


@pytest.fixture
def pushes(monkeypatch):
    """The escalation engine's live pushes, in order: ``("ticket", id, event)`` /
    ``("agent", id, event)``. The ticket's own live events (messages, field changes, queue rows:
    ``tests/tickets/live/test_events.py``) are left out, so the engine's are seen exactly."""
    sent: list[tuple[str, int, dict]] = []

    def record(pushes):
        for group, event in pushes:
            kind, _, pk = group.partition(".")
            if kind in ("ticket", "agent") and event["type"].startswith("escalation."):
                sent.append((kind, int(pk), event))

    monkeypatch.setattr("tickets.realtime.push_many", record)
    return sent


@pytest.fixture
def make_ticket(customer, queue):
    """A ticket created through the services (its events recorded), held by ``holder``."""

    def make(*, holder=None, body="Hello, I have a question about my invoice.", **kwargs):
        ticket = ticket_services.ticket_create(
            subject=kwargs.pop("subject", "Invoice question"),
            customer=kwargs.pop("customer", customer),
            body=body,
            queue=kwargs.pop("queue", queue),
            **kwargs,
        )
        if holder is not None:
            ticket = ticket_services.ticket_update(ticket=ticket, actor=None, assignee=holder)
        return ticket

    return make


@pytest.fixture
def lead_target(team):
    return factories.TargetFactory(name="Lead", kind=TargetKind.TEAM_LEAD, team=team)


@pytest.fixture
def senior_target(team, senior):
    return factories.TargetFactory(name="Senior", kind=TargetKind.AGENT, agent=senior, team=team)
