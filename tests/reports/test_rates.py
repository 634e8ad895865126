"""The rate arithmetic on hand-built months."""

from datetime import UTC, date, datetime

import pytest

from reports.selectors import month_parse, team_months
from tests import factories
from tickets.models import EventKind

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def at(day: int, hour: int = 12, month: int = 3, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def held(ticket, agent, when, kind=EventKind.NOTE_ADDED, **data):
    return factories.TicketEventFactory(
        ticket=ticket, assignee=agent, actor=agent, kind=kind, created_at=when, data=data
    )


def month_rows(team, agents, month=MARCH, months=1):
    return team_months(team=team, last=month, months=months, agents=agents)[-1]


def test_coaching_rate_counts_only_agent_initiated_escalations_automatic_shown_beside():
    # Given Ana held 4 tickets in March; she escalated one by hand and a rule fired on another
    team = factories.TeamFactory(name="Billing")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    tickets = factories.TicketFactory.create_batch(4, queue__team=team)
    for ticket in tickets:
        held(ticket, ana, at(5))
    factories.BackdatedEscalationFactory(
        ticket=tickets[0], initiated_by=ana, from_agent=ana, created_at=at(6)
    )
    factories.BackdatedEscalationFactory(
        ticket=tickets[1], trigger="sla_breach", from_agent=ana, created_at=at(7)
    )

    # When
    row = month_rows(team, [ana]).rows[0]

    # Then
    assert (row.tickets_handled, row.escalations, row.manual, row.automatic) == (4, 2, 1, 1)
    assert (row.rate, row.automatic_rate) == (0.25, 0.25)
    assert row.by_trigger == {"manual": 1, "sla_breach": 1}


def test_escalate_tag_counts_as_the_agents_choice_customer_triggers_do_not():
    # Given Bo held 5 tickets in March: one escalated by the escalate tag (a rule fired on his
    # tag), one by hand, three by rules on the customer (sentiment, refund, tier upgrade)
    team = factories.TeamFactory(name="Billing")
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    tickets = factories.TicketFactory.create_batch(5, queue__team=team)
    for ticket in tickets:
        held(ticket, bo, at(5))
    triggers = ["escalate_tag", "manual", "sentiment_negative", "refund_threshold", "tier_upgrade"]
    for day, (ticket, trigger) in enumerate(zip(tickets, triggers, strict=True), start=6):
        factories.BackdatedEscalationFactory(
            ticket=ticket,
            trigger=trigger,
            initiated_by=bo if trigger == "manual" else None,
            from_agent=bo,
            created_at=at(day),
        )

    # When
    month = month_rows(team, [bo])
    row = month.rows[0]

    # Then: 2 of 5 are his choice (40%); 3 of 5 automatic (60%) beside it, not in it
    assert (row.escalations, row.manual, row.automatic) == (5, 2, 3)
    assert (row.rate, row.automatic_rate) == (0.4, 0.6)
    assert (month.team_rate, month.team_median, month.team_automatic_rate) == (0.4, 0.4, 0.6)
    assert row.adjusted_rate == 0.4


def test_agent_with_zero_tickets_has_no_rate_and_is_left_out_of_the_median():
    team = factories.TeamFactory(name="Billing")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    cy = factories.AgentFactory(username="cy", name="Cy", team=team)
    for agent, n_tickets, n_escalations in ((ana, 4, 1), (bo, 2, 1)):
        for i in range(n_tickets):
            ticket = factories.TicketFactory(queue__team=team)
            held(ticket, agent, at(3))
            if i < n_escalations:
                factories.BackdatedEscalationFactory(
                    ticket=ticket, initiated_by=agent, from_agent=agent, created_at=at(4)
                )

    month = month_rows(team, [ana, bo, cy])

    assert [(r.agent.username, r.tickets_handled, r.rate) for r in month.rows] == [
        ("ana", 4, 0.25),
        ("bo", 2, 0.5),
        ("cy", 0, None),
    ]
    assert month.team_median == 0.375
    assert month.team_rate == pytest.approx(2 / 6)


def test_ticket_that_changed_hands_mid_month_counts_for_both_holders_once_each():
    # Given a ticket Ana held from February, handed to Bo on 10 March, which Bo then escalated
    team = factories.TeamFactory(name="Billing")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    ticket = factories.TicketFactory(queue__team=team)
    held(ticket, ana, at(20, month=2))
    held(ticket, bo, at(10), kind=EventKind.ASSIGNED, **{"from": ana.pk, "to": bo.pk})
    held(ticket, bo, at(11))
    held(ticket, bo, at(12))
    factories.BackdatedEscalationFactory(
        ticket=ticket, trigger="sentiment_negative", from_agent=bo, created_at=at(13)
    )

    month = month_rows(team, [ana, bo])

    assert [(r.agent.username, r.tickets_handled, r.escalations) for r in month.rows] == [
        ("ana", 1, 0),
        ("bo", 1, 1),
    ]


def test_up_level_escalations_and_other_agents_escalations_are_not_counted():
    team = factories.TeamFactory(name="Billing")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    lead = factories.LeadFactory(username="lee", name="Lee", team=team)
    ticket = factories.TicketFactory(queue__team=team)
    held(ticket, ana, at(2))
    first = factories.BackdatedEscalationFactory(
        ticket=ticket, initiated_by=ana, from_agent=ana, to_agent=lead, created_at=at(3)
    )
    factories.BackdatedEscalationFactory(
        ticket=ticket,
        trigger="unacknowledged",
        from_agent=ana,
        parent=first,
        chain_position=2,
        created_at=at(3, 14),
    )

    month = month_rows(team, [ana, lead])

    assert [(r.agent.username, r.tickets_handled, r.escalations) for r in month.rows] == [
        ("ana", 1, 1),
        ("lee", 0, 0),
    ]


def test_month_boundary_follows_the_team_timezone():
    # Given a UTC+1 team (Paris, winter time): 28 Feb 23:30 UTC is 1 March 00:30 local
    team = factories.TeamFactory(name="Paris", timezone="Europe/Paris")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    late_feb_utc = factories.TicketFactory(queue__team=team)
    held(late_feb_utc, ana, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    factories.BackdatedEscalationFactory(
        ticket=late_feb_utc,
        initiated_by=ana,
        from_agent=ana,
        created_at=datetime(2026, 2, 28, 23, 45, tzinfo=UTC),
    )
    last_evening = factories.TicketFactory(queue__team=team)
    # 31 March 22:30 UTC is 1 April 00:30 in Paris (summer time, UTC+2): April, not March
    held(last_evening, ana, datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    early_march = factories.TicketFactory(queue__team=team)
    held(early_march, ana, datetime(2026, 2, 28, 22, 59, tzinfo=UTC))  # 23:59 on 28 Feb, Paris

    february, march, april = team_months(team=team, last=date(2026, 4, 1), months=3, agents=[ana])

    assert (february.rows[0].tickets_handled, february.rows[0].escalations) == (1, 0)
    assert (march.rows[0].tickets_handled, march.rows[0].escalations) == (1, 1)
    assert (april.rows[0].tickets_handled, april.rows[0].escalations) == (1, 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-03", date(2026, 3, 1)), ("", date(2020, 1, 1)), (None, date(2020, 1, 1))],
    ids=["month", "blank", "missing"],
)
def test_month_parse_accepts_year_month_or_falls_back(value, expected):
    assert month_parse(value=value, default=date(2020, 1, 1)) == expected


@pytest.mark.parametrize("value", ["2026-13", "March", "2026-3-1", "1900-01"])
def test_month_parse_names_the_month_field(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        month_parse(value=value, default=date(2020, 1, 1))
    assert list(error.value.message_dict) == ["month"]
