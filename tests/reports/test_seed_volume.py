"""The volume generator writes consistent rows the report can read."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from escalations.models import Escalation
from reports.selectors import team_report
from reports.volume import volume_generate
from tickets.models import Team, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_volume_generate_writes_tickets_events_and_escalations():
    calls = []

    result = volume_generate(
        tickets=400,
        agents=12,
        teams=2,
        customers=50,
        months=3,
        now=datetime(2026, 3, 31, 12, tzinfo=UTC),
        progress=lambda label, done, total: calls.append((label, done, total)),
    )

    assert (result.tickets, result.events) == (400, 2000)
    assert Ticket.objects.count() == 400
    assert TicketEvent.objects.count() == 2000
    assert Escalation.objects.count() == result.escalations
    assert ("tickets", 400, 400) in calls
    assert ("events", 2000, 2000) in calls
    team = Team.objects.order_by("pk").first()
    report = team_report(team=team, month=date(2026, 2, 1))
    assert len(report.month.rows) == 6
    assert (sum(r.tickets_handled for r in report.month.rows), result.escalations) == (79, 49)


def test_seed_volume_command_prints_a_summary():
    out = StringIO()

    call_command("seed_volume", tickets=50, agents=6, teams=2, customers=10, months=1, stdout=out)

    assert "Generated 50 tickets, 250 events" in out.getvalue()
    assert Ticket.objects.count() == 50
