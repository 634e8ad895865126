"""Report pages: permissions, content, CSV exports and constant query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.selectors import month_current, month_shift
from reports.services import agent_month_cells_ensure
from tests import factories
from tests.reports.conftest import at, handled_month

pytestmark = pytest.mark.django_db

MARCH = {"month": "2026-03"}


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


# --- Permissions ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "args"),
    [("reports:overview", ()), ("reports:rules", ()), ("reports:export", ("rates",))],
    ids=["overview", "rules", "csv"],
)
def test_junior_is_refused_team_pages_with_the_reason_and_their_own_page(
    client, small_team, name, args
):
    ana = small_team["ana"]

    response = get(client, ana, name, *args, **MARCH)

    assert response.status_code == 403
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert '<h1 id="refusal-h">Team reports are for team leads and admins.</h1>' in html
    assert f'href="/reports/agents/{ana.pk}/">Open your own coaching report</a>' in html
    assert "Ana Alves" not in html.split("</header>")[1]  # no figures of anyone leak


def test_agent_without_team_is_refused_without_a_dead_link(client, db):
    loner = factories.AgentFactory(username="loner", team=None)

    response = get(client, loner, "reports:overview")

    assert response.status_code == 403
    assert "Open your own coaching report" not in response.content.decode()


def test_junior_sees_their_own_page_only(client, small_team):
    ana, bo = small_team["ana"], small_team["bo"]

    own = get(client, ana, "reports:agent", ana.pk, **MARCH)
    other = get(client, ana, "reports:agent", bo.pk, **MARCH)
    other_csv = get(client, ana, "reports:agent_export", bo.pk, **MARCH)

    assert own.status_code == 200
    assert "Escalations of Ana Alves, March 2026" in own.content.decode()
    assert "<svg" in own.content.decode()
    assert (other.status_code, other_csv.status_code) == (404, 404)


def test_senior_cannot_open_a_teammates_page(client, small_team):
    senior = factories.SeniorFactory(username="sam", team=small_team["team"])

    response = get(client, senior, "reports:agent", small_team["ana"].pk, **MARCH)

    assert response.status_code == 404


def test_lead_sees_their_team_but_not_another(client, small_team):
    other_team = factories.TeamFactory(name="Other")
    stranger = factories.AgentFactory(username="zed", team=other_team)
    lee = small_team["lee"]

    own = get(client, lee, "reports:overview", **MARCH)
    other = get(client, lee, "reports:overview", team=other_team.pk, **MARCH)
    stranger_page = get(client, lee, "reports:agent", stranger.pk, **MARCH)
    member_page = get(client, lee, "reports:agent", small_team["ana"].pk, **MARCH)

    assert own.status_code == 200
    assert own.context["team"] == small_team["team"]
    assert (other.status_code, stranger_page.status_code, member_page.status_code) == (
        404,
        404,
        200,
    )


def test_admin_sees_any_team(client, small_team, admin_user):
    factories.TeamFactory(name="Another")

    response = get(client, admin_user, "reports:overview", team=small_team["team"].pk, **MARCH)

    assert response.status_code == 200
    assert [t.name for t in response.context["teams"]] == ["Another", "Support"]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("reports:overview"))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-13"}, "month: Enter a month as YYYY-MM"),
        ({"team": "x", "month": "2026-03"}, "team: Enter a team id"),
    ],
    ids=["month", "team"],
)
def test_bad_filters_are_a_400_naming_the_field(client, small_team, params, message):
    response = get(client, small_team["lee"], "reports:overview", **params)

    assert response.status_code == 400
    assert response.content.decode().startswith(message)


def test_unknown_export_table_is_404(client, small_team):
    response = get(client, small_team["lee"], "reports:export", "salaries", **MARCH)

    assert response.status_code == 404


# --- Content ----------------------------------------------------------------------------------
def test_overview_lists_agents_by_name_with_both_rates(client, small_team):
    response = get(client, small_team["lee"], "reports:overview", **MARCH)

    rows = response.context["report"].month.rows
    assert [(r.agent.username, r.tickets_handled, r.escalations) for r in rows] == [
        ("ana", 4, 1),
        ("bo", 2, 0),
        ("lee", 0, 0),
    ]
    html = response.content.decode()
    assert "Coaching rate" in html
    assert "Rate adjusted for mix" in html
    assert 'team median <strong data-figure="team-median">12.5%</strong>' in html
    assert "the customer, not the agent, triggered these" in html
    assert "How these figures are counted" in html


def test_rules_page_lists_the_team_rules(client, small_team):
    factories.RuleFactory(name="Refunds over 500", team=small_team["team"], kind="escalation")

    response = get(client, small_team["lee"], "reports:rules", **MARCH)

    assert response.status_code == 200
    assert [s.label for s in response.context["stats"]] == ["Refunds over 500"]


# --- CSV --------------------------------------------------------------------------------------
def csv_lines(response):
    return response.content.decode().splitlines()


def test_rates_csv_has_exact_rows(client, small_team):
    ana, bo, lee = small_team["ana"], small_team["bo"], small_team["lee"]

    response = get(client, lee, "reports:export", "rates", **MARCH)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="escalation-rates-2026-03.csv"'
    assert csv_lines(response) == [
        "agent_id,agent,month,tickets_handled,escalations,rate,expected_escalations,adjusted_rate,manual,automatic,automatic_rate,by_trigger",
        f"{ana.pk},Ana Alves,2026-03,4,1,0.2500,0.6667,0.2500,1,0,0.0000,manual=1",
        f"{bo.pk},Bo Berg,2026-03,2,0,0.0000,0.3333,0.0000,0,0,0.0000,",
        f"{lee.pk},Lee Lead,2026-03,0,0,,,,0,0,,",
        ",team median,2026-03,,,0.1250,,0.1250,,,,",
    ]


def test_handoff_csv_has_exact_rows(client, small_team):
    ana, bo, lee = small_team["ana"], small_team["bo"], small_team["lee"]

    response = get(client, lee, "reports:export", "handoff", **MARCH)

    assert csv_lines(response) == [
        "agent_id,agent,month,escalations,complete_handoffs,complete_handoff_rate,acknowledged,acknowledged_within_15_min,avg_minutes_to_acknowledge,avg_minutes_to_first_action,bounced,solved_by_holder,avoidable,avoidable_rate",
        f"{ana.pk},Ana Alves,2026-03,1,1,1.0000,0,0,,,0,0,0,0.0000",
        f"{bo.pk},Bo Berg,2026-03,0,0,,0,0,,,0,0,0,",
        f"{lee.pk},Lee Lead,2026-03,0,0,,0,0,,,0,0,0,",
    ]


def test_rules_and_prompts_csv_have_exact_rows(client, small_team):
    rule = factories.RuleFactory(
        name="Refunds over 500", team=small_team["team"], kind="escalation"
    )
    lee = small_team["lee"]

    rules = get(client, lee, "reports:export", "rules", **MARCH)
    prompts = get(client, lee, "reports:export", "prompts", **MARCH)

    # A rule writes no handoff: its handoff cells are empty, not 0.
    assert csv_lines(rules)[1:] == [f"{rule.pk},Refunds over 500,2026-03,0,,,0,0,,,0,0,0,"]
    assert csv_lines(prompts) == ["agent_id,agent,month,kind,prompt,evidence,example_tickets"]


def test_agent_trend_csv_has_twelve_months(client, small_team):
    ana = small_team["ana"]

    lines = csv_lines(get(client, ana, "reports:agent_export", ana.pk, **MARCH))

    assert len(lines) == 13
    assert lines[1] == f"{ana.pk},Ana Alves,2025-04,0,0,,,,0,0,,,,"
    assert (
        lines[-1]
        == f"{ana.pk},Ana Alves,2026-03,4,1,0.2500,0.6667,0.2500,1,0,0.0000,manual=1,0.1250,0.1250"
    )


# --- Query counts -----------------------------------------------------------------------------
def build_team(n):
    team = factories.TeamFactory(name=f"Team of {n}")
    lead = factories.LeadFactory(username=f"lead{n}", name="Lead", team=team)
    queue = factories.QueueFactory(name="General", team=team)
    customer = factories.CustomerFactory()
    rule = factories.RuleFactory(team=team, kind="escalation")
    for i in range(n):
        agent = factories.AgentFactory(username=f"a{n}-{i}", team=team)
        for month in (1, 2, 3):
            # the first agent escalates every ticket: a coaching prompt with example tickets
            handled_month(
                agent=agent,
                queue=queue,
                customer=customer,
                month=month,
                tickets=5,
                escalations=5 if i == 0 else 1,
            )
        factories.BackdatedEscalationFactory(
            ticket=factories.TicketFactory(queue=queue, customer=customer),
            trigger="sentiment_negative",
            rule=rule,
            from_agent=agent,
            created_at=at(20),
        )
    # the months are computed into the rollup once; the pages then only read it
    agent_month_cells_ensure(team=team, last=date(2026, 3, 1), months=12)
    return team, lead


def count_queries(client, user, name, *args, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "kind", "queries"),
    [
        # the pages read in one transaction: + SAVEPOINT and RELEASE inside the test's own;
        # pages count the header's unread notifications once (CSV exports have no header);
        # every request reads the signed-in agent's team once (the time zone it is shown in)
        # + the 12-month team trend; + 3 for the escalation topics (escalations, their tags,
        # the team's macro uses)
        ("reports:overview", "team", 16),
        # rules: 5 for rule health, 5 for precision from feedback (per rule and per trigger),
        # 1 for the messages not scored for sentiment, 1 for the currencies of refund rules
        # (refunds and rates are read only when some rule has a currency)
        ("reports:rules", "team", 14),
        ("reports:export", "csv", 12),
        # agent: 12, and 3 for the outcome of their escalations (escalations, events, thresholds),
        # and 3 for their escalation topics (escalations, their tags, the team's macro uses)
        ("reports:agent", "agent", 18),
        ("reports:agent_export", "agent", 11),
    ],
    ids=["overview", "rules", "prompts-csv", "agent", "agent-csv"],
)
def test_pages_run_the_same_queries_for_n_and_3n_agents(client, name, kind, queries):
    small_team, small_lead = build_team(2)
    big_team, big_lead = build_team(6)

    def run(team, lead):
        if kind == "team":
            return count_queries(client, lead, name, team=team.pk, **MARCH)
        if kind == "csv":
            return count_queries(client, lead, name, "prompts", team=team.pk, **MARCH)
        member = team.agents.get(username__endswith="-0")
        return count_queries(client, lead, name, member.pk, **MARCH)

    assert (run(small_team, small_lead), run(big_team, big_lead)) == (queries, queries)


def test_admin_without_any_team_gets_404_not_403(client, admin_user):
    response = get(client, admin_user, "reports:overview", **MARCH)

    assert response.status_code == 404


# --- Default month ------------------------------------------------------------------------------
def test_pages_open_on_the_last_complete_month_and_offer_the_running_one(client, small_team):
    running = month_current(team=small_team["team"])
    last_complete = month_shift(month=running, months=-1)

    overview = get(client, small_team["lee"], "reports:overview")
    agent_page = get(client, small_team["ana"], "reports:agent", small_team["ana"].pk)

    assert overview.context["month"] == last_complete
    assert agent_page.context["report"].current.window.month == last_complete
    for response in (overview, agent_page):
        html = response.content.decode()
        assert (
            f"Showing <strong>{last_complete:%B %Y}</strong>, the last complete month "
            "(the default)." in html
        )
        assert f'month={running:%Y-%m}">this month so far ({running:%B %Y})</a>' in html


def test_the_running_month_is_one_click_away_and_says_so(client, small_team):
    running = month_current(team=small_team["team"])
    last_complete = month_shift(month=running, months=-1)

    html = get(
        client, small_team["lee"], "reports:overview", month=f"{running:%Y-%m}"
    ).content.decode()

    assert f"Showing <strong>{running:%B %Y} so far</strong>: the month is still running." in html
    assert (
        f'team={small_team["team"].pk}&amp;month={last_complete:%Y-%m}">the last complete month '
        f"({last_complete:%B %Y})</a>" in html
    )


def test_overview_shows_the_spread_and_the_trend_as_charts_with_tables(client, small_team):
    response = get(client, small_team["lee"], "reports:overview", **MARCH)

    html = response.content.decode()
    assert 'aria-labelledby="chart-distribution-title chart-distribution-desc"' in html
    assert 'aria-labelledby="chart-trend-title chart-trend-desc"' in html
    # Ana 25%, Bo 0% (Lee handled nothing: no rate); median 12.5%
    assert [(b.label, b.agents) for b in response.context["bins"] if b.agents] == [
        ("0 to 5%", 1),
        ("20 to 25%", 1),
    ]
    assert "Team median 12.5%</text>" in html
    trend = response.context["report"].trend
    assert [m.window.label for m in trend] == [f"2025-{m:02d}" for m in range(4, 13)] + [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert html.count('<tr><th scope="row">2026-03</th>') == 1
