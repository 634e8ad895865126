"""The rate adjusted for ticket mix (indirect standardisation), with exact numbers."""

from datetime import date

import pytest

from reports.selectors import team_months
from tests import factories
from tests.reports.conftest import handled_month

pytestmark = pytest.mark.django_db


def test_adjusted_rate_compares_each_agent_with_the_team_on_the_same_ticket_mix():
    # Given general tickets (normal, standard) escalate rarely and enterprise tickets
    # (urgent, enterprise tier) often; Bo works only enterprise tickets
    team = factories.TeamFactory(name="Support")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    cy = factories.AgentFactory(username="cy", name="Cy", team=team)
    general = factories.QueueFactory(name="General", team=team)
    enterprise = factories.QueueFactory(name="Enterprise", team=team)
    standard = factories.CustomerFactory(tier="standard")
    big = factories.CustomerFactory(tier="enterprise")
    handled_month(agent=ana, queue=general, customer=standard, month=3, tickets=10, escalations=1)
    handled_month(agent=cy, queue=general, customer=standard, month=3, tickets=5, escalations=1)
    bo_tickets = handled_month(
        agent=bo, queue=enterprise, customer=big, month=3, tickets=10, escalations=5
    )
    cy_big = handled_month(
        agent=cy, queue=enterprise, customer=big, month=3, tickets=5, escalations=1
    )
    from tickets.models import Ticket

    Ticket.objects.filter(pk__in=[t.pk for t in bo_tickets + cy_big]).update(priority="urgent")

    # When
    (march,) = team_months(team=team, last=date(2026, 3, 1), months=1, agents=[ana, bo, cy])

    # Then: cell rates are 2/15 (general) and 6/15 (enterprise); the team rate is 8/30
    assert march.team_rate == pytest.approx(8 / 30)
    ana_row, bo_row, cy_row = march.rows
    assert (ana_row.rate, bo_row.rate, cy_row.rate) == (0.1, 0.5, 0.2)
    assert ana_row.expected == pytest.approx(10 * 2 / 15)
    assert bo_row.expected == pytest.approx(10 * 6 / 15)
    assert cy_row.expected == pytest.approx(5 * 2 / 15 + 5 * 6 / 15)
    assert ana_row.adjusted_rate == pytest.approx(0.2)
    assert bo_row.adjusted_rate == pytest.approx(1 / 3)
    assert cy_row.adjusted_rate == pytest.approx(0.2)
    assert march.team_median == 0.2
    assert march.team_median_adjusted == pytest.approx(0.2)


def test_single_cell_team_adjusted_rate_equals_the_rate():
    team = factories.TeamFactory(name="Support")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    queue = factories.QueueFactory(name="General", team=team)
    customer = factories.CustomerFactory(tier="standard")
    handled_month(agent=ana, queue=queue, customer=customer, month=3, tickets=4, escalations=1)
    handled_month(agent=bo, queue=queue, customer=customer, month=3, tickets=4, escalations=3)

    (march,) = team_months(team=team, last=date(2026, 3, 1), months=1, agents=[ana, bo])

    assert [r.adjusted_rate for r in march.rows] == [pytest.approx(0.25), pytest.approx(0.75)]
    assert [r.expected for r in march.rows] == [pytest.approx(2.0), pytest.approx(2.0)]
