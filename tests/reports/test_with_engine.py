"""The report reads what the escalation engine writes (a manual escalation end to end)."""

import pytest

from escalations.services import escalation_acknowledge, escalation_create_manual
from reports.selectors import handoff_by_agent, month_current, team_agents, team_months
from tests import factories
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def test_manual_escalation_through_the_engine_is_counted_for_the_holder(team, lead, junior, queue):
    ticket = ticket_services.ticket_create(
        subject="Invoice wrong", customer=factories.CustomerFactory(), body="Hi", queue=queue
    )
    ticket_services.ticket_update(ticket=ticket, actor=lead, assignee=junior)
    escalation = escalation_create_manual(
        ticket=ticket,
        actor=junior,
        tried="Re-issued the invoice",
        diagnosis="Tax rate wrong for the customer's country",
        authority_needed="Credit note above my limit",
    )
    escalation_acknowledge(escalation=escalation, actor=lead)
    ticket_services.note_add(ticket=ticket, body="Taking it from here", author=lead)
    month = month_current(team=team)
    agents = team_agents(team=team)

    (current,) = team_months(team=team, last=month, months=1, agents=agents)
    handoff = handoff_by_agent(agents=agents, window=current.window)

    rows = {r.agent.username: r for r in current.rows}
    assert (rows["junior"].tickets_handled, rows["junior"].escalations) == (1, 1)
    assert (rows["junior"].manual, rows["junior"].automatic) == (1, 0)
    assert rows["junior"].by_trigger == {"manual": 1}
    assert (rows["lead"].tickets_handled, rows["lead"].escalations) == (1, 0)
    by_name = {s.label: s for s in handoff}
    junior_stats = by_name[str(junior)]
    assert (junior_stats.escalations, junior_stats.complete, junior_stats.acknowledged) == (1, 1, 1)
    assert junior_stats.avg_first_action is not None
