"""The AgentMonthCell rollup: same figures as the live aggregation, refreshed when due."""

from datetime import UTC, date, datetime, timedelta

import pytest

from reports.models import AgentMonthCell, AgentMonthRefresh
from reports.selectors import team_agents, team_months
from reports.services import (
    agent_month_cells_ensure,
    agent_month_cells_refresh,
    agent_month_cells_refresh_recent,
)
from reports.tasks import reports_rollup_refresh
from tests import factories
from tests.reports.conftest import at, handled_month, held

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
APRIL_2 = datetime(2026, 4, 2, 9, tzinfo=UTC)


def figures(months):
    def agent_figures(r):
        return (
            r.agent.pk,
            r.tickets_handled,
            r.escalations,
            r.manual,
            r.automatic,
            r.by_trigger,
            r.expected,
            r.adjusted_rate,
        )

    return [
        (
            m.window.label,
            m.team_median,
            m.team_median_adjusted,
            m.team_rate,
            [agent_figures(r) for r in m.rows],
        )
        for m in months
    ]


def test_rollup_gives_the_live_figures(small_team):
    team = small_team["team"]
    bo = small_team["bo"]
    ticket = factories.TicketFactory(queue=small_team["queue"])
    held(ticket, bo, at(20))
    factories.BackdatedEscalationFactory(
        ticket=ticket, trigger="sla_breach", from_agent=bo, created_at=at(21)
    )
    agents = team_agents(team=team)

    computed = agent_month_cells_ensure(team=team, last=MARCH, months=2, now=APRIL_2)

    assert computed == [date(2026, 2, 1), MARCH]
    live = team_months(team=team, last=MARCH, months=2, agents=agents)
    rolled = team_months(team=team, last=MARCH, months=2, agents=agents, rollup=True)
    assert figures(rolled) == figures(live)


def test_refresh_twice_writes_the_same_rows(small_team):
    team = small_team["team"]

    first = agent_month_cells_refresh(team=team, month=MARCH, now=APRIL_2)
    second = agent_month_cells_refresh(team=team, month=MARCH, now=APRIL_2)

    # Ana: one handled cell and one escalation cell; Bo: one handled cell
    assert (first, second) == (3, 3)
    assert AgentMonthCell.objects.filter(team=team).count() == 3
    assert AgentMonthRefresh.objects.filter(team=team).count() == 1


def test_ensure_skips_final_months_and_refreshes_a_stale_running_month(small_team):
    team = small_team["team"]
    agent_month_cells_ensure(team=team, last=MARCH, months=1, now=APRIL_2)
    # March ended before that refresh: final. April is running: refreshed on the 2nd at 09:00.
    agent_month_cells_ensure(team=team, last=date(2026, 4, 1), months=1, now=APRIL_2)

    ten_minutes_on = agent_month_cells_ensure(
        team=team, last=date(2026, 4, 1), months=2, now=APRIL_2 + timedelta(minutes=10)
    )
    an_hour_on = agent_month_cells_ensure(
        team=team, last=date(2026, 4, 1), months=2, now=APRIL_2 + timedelta(hours=1)
    )

    assert ten_minutes_on == []
    assert an_hour_on == []


def test_month_computed_while_running_is_recomputed_after_its_end(small_team):
    team = small_team["team"]
    agent_month_cells_ensure(team=team, last=MARCH, months=1, now=at(25))
    handled_month(
        agent=small_team["bo"],
        queue=small_team["queue"],
        customer=small_team["customer"],
        month=3,
        tickets=1,
        escalations=1,
    )

    recomputed = agent_month_cells_ensure(team=team, last=MARCH, months=1, now=APRIL_2)

    assert recomputed == [MARCH]
    (march,) = team_months(
        team=team, last=MARCH, months=1, agents=team_agents(team=team), rollup=True
    )
    assert [(r.agent.username, r.tickets_handled, r.escalations) for r in march.rows] == [
        ("ana", 4, 1),
        ("bo", 3, 1),
        ("lee", 0, 0),
    ]


def test_scheduled_refresh_covers_the_current_and_previous_month_of_every_team(small_team):
    factories.TeamFactory(name="Other")

    written = agent_month_cells_refresh_recent(now=APRIL_2)

    assert written == 3
    assert sorted(
        AgentMonthRefresh.objects.values_list("team__name", "month").order_by("team__name", "month")
    ) == [
        ("Other", date(2026, 3, 1)),
        ("Other", date(2026, 4, 1)),
        ("Support", date(2026, 3, 1)),
        ("Support", date(2026, 4, 1)),
    ]


def test_the_task_calls_the_scheduled_refresh(small_team):
    assert reports_rollup_refresh() == 0
    assert AgentMonthRefresh.objects.filter(team=small_team["team"]).count() == 2


def test_backfill_command_computes_every_team_month_once(small_team):
    from io import StringIO

    from django.core.management import call_command

    factories.TeamFactory(name="Other")
    out = StringIO()

    call_command("reports_backfill", months=3, stdout=out)
    call_command("reports_backfill", months=3, stdout=out)

    assert out.getvalue() == "Computed 6 team-months.\nComputed 0 team-months.\n"
    assert AgentMonthRefresh.objects.count() == 6
