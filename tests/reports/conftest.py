from datetime import UTC, datetime

import pytest

from tests import factories
from tickets.models import EventKind


def at(day: int, hour: int = 12, month: int = 3, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def held(ticket, agent, when, kind=EventKind.NOTE_ADDED, actor=None, **data):
    """An event recorded while ``agent`` held ``ticket``."""
    return factories.TicketEventFactory(
        ticket=ticket, assignee=agent, actor=actor or agent, kind=kind, created_at=when, data=data
    )


def handled_month(*, agent, queue, customer, month, tickets, escalations, year=2026):
    """``agent`` handles ``tickets`` tickets in ``month`` and escalates ``escalations`` of them."""
    made = []
    for i in range(tickets):
        ticket = factories.TicketFactory(queue=queue, customer=customer)
        held(ticket, agent, at(3, month=month, year=year))
        if i < escalations:
            factories.BackdatedEscalationFactory(
                ticket=ticket,
                initiated_by=agent,
                from_agent=agent,
                created_at=at(4 + i, month=month, year=year),
            )
        made.append(ticket)
    return made


@pytest.fixture
def small_team(db):
    """Team "Support" (UTC) with lead Lee, juniors Ana and Bo; March 2026 activity."""
    team = factories.TeamFactory(name="Support")
    lee = factories.LeadFactory(username="lee", name="Lee Lead", team=team)
    ana = factories.AgentFactory(username="ana", name="Ana Alves", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo Berg", team=team)
    queue = factories.QueueFactory(name="General", team=team)
    customer = factories.CustomerFactory(tier="standard")
    handled_month(agent=ana, queue=queue, customer=customer, month=3, tickets=4, escalations=1)
    handled_month(agent=bo, queue=queue, customer=customer, month=3, tickets=2, escalations=0)
    return {"team": team, "lee": lee, "ana": ana, "bo": bo, "queue": queue, "customer": customer}
