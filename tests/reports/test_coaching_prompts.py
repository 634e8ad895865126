"""Coaching prompts: outliers for three months, sharp rises, with evidence and example tickets."""

from datetime import date

import pytest

from reports.selectors import agent_report, team_report
from tests import factories
from tests.reports.conftest import at, handled_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter():
    """Jan-Mar 2026: Ana escalates half her tickets every month; Dee rises in March."""
    team = factories.TeamFactory(name="Support")
    people = {
        name: factories.AgentFactory(username=name, name=name.title(), team=team)
        for name in ("ana", "bo", "cy", "dee")
    }
    queue = factories.QueueFactory(name="General", team=team)
    customer = factories.CustomerFactory(tier="standard")
    march_ana = []
    for month in (1, 2, 3):
        for name, escalations in (
            ("ana", 5),
            ("bo", 1),
            ("cy", 1),
            ("dee", 4 if month == 3 else 1),
        ):
            made = handled_month(
                agent=people[name],
                queue=queue,
                customer=customer,
                month=month,
                tickets=10,
                escalations=escalations,
            )
            if name == "ana" and month == 3:
                march_ana = made
    return {"team": team, **people, "march_ana": march_ana}


def test_team_prompts_name_the_outlier_and_the_sharp_rise_in_name_order(quarter):
    report = team_report(team=quarter["team"], month=date(2026, 3, 1))

    assert [(p.agent.username, p.kind) for p in report.prompts] == [
        ("ana", "above"),
        ("dee", "rise"),
    ]
    above = report.prompts[0]
    assert above.text.startswith(
        "Ana has chosen to escalate more than the team's usual for the same kind of tickets "
        "three months running (automatic escalations are not counted)."
    )
    assert "leaderboard" not in above.text
    assert above.evidence == [
        "2026-01: 50% adjusted (5 of 10 tickets escalated by choice, 50% unadjusted; "
        "0 automatic, not counted); team median 10%",
        "2026-02: 50% adjusted (5 of 10 tickets escalated by choice, 50% unadjusted; "
        "0 automatic, not counted); team median 10%",
        "2026-03: 50% adjusted (5 of 10 tickets escalated by choice, 50% unadjusted; "
        "0 automatic, not counted); team median 25%",
    ]
    # the three latest escalated tickets of March, newest first
    assert above.example_ticket_ids == [t.pk for t in quarter["march_ana"][4:1:-1]]


def test_a_ticket_escalated_twice_is_one_example(quarter):
    # Given Ana's newest March escalation is on a ticket she had escalated before
    newest = quarter["march_ana"][4]
    factories.BackdatedEscalationFactory(
        ticket=newest,
        initiated_by=quarter["ana"],
        from_agent=quarter["ana"],
        created_at=at(20, month=3, year=2026),
    )

    report = team_report(team=quarter["team"], month=date(2026, 3, 1))

    # Then each example ticket is listed once, the next escalated ticket filling the third place
    above = next(p for p in report.prompts if p.kind == "above")
    assert above.example_ticket_ids == [t.pk for t in quarter["march_ana"][4:1:-1]]


def test_agent_page_carries_only_prompts_about_that_agent(quarter):
    report = agent_report(agent=quarter["dee"], month=date(2026, 3, 1))

    assert [(p.agent.username, p.kind) for p in report.prompts] == [("dee", "rise")]
    assert len(report.trend) == 12
    assert [
        (row.window.label, row.tickets_handled, row.escalations) for row, _ in report.months[-3:]
    ] == [
        ("2026-01", 10, 1),
        ("2026-02", 10, 1),
        ("2026-03", 10, 4),
    ]


def test_steady_agent_gets_no_prompt(quarter):
    report = agent_report(agent=quarter["bo"], month=date(2026, 3, 1))

    assert report.prompts == []
