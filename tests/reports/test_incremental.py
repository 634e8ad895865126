"""The rollup kept current by each escalation and ticket event, in the transaction that records it."""

import re
import threading
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from escalations.engine.escalate import EscalationRequest, escalation_execute
from escalations.services import escalation_create_manual
from reports.models import AgentMonthCell, AgentMonthRefresh, AgentMonthTicket
from reports.selectors import month_current, team_agents, team_months
from reports.services import (
    agent_month_cells_ensure,
    agent_month_cells_refresh,
    agent_month_escalation_count,
    agent_month_event_count,
)
from tests import factories
from tests.reports.conftest import held
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def figures(team, month, *, rollup):
    (current,) = team_months(
        team=team, last=month, months=1, agents=team_agents(team=team), rollup=rollup
    )
    return sorted(
        (r.agent.username, r.tickets_handled, r.manual, r.automatic, r.by_trigger)
        for r in current.rows
    )


def assigned_ticket(*, queue, lead, agent, subject="Invoice wrong"):
    ticket = ticket_services.ticket_create(
        subject=subject, customer=factories.CustomerFactory(), body="Hi", queue=queue
    )
    ticket_services.ticket_update(ticket=ticket, actor=lead, assignee=agent)
    return ticket


def escalate_by_hand(ticket, agent):
    return escalation_create_manual(
        ticket=ticket,
        actor=agent,
        tried="Re-issued the invoice",
        diagnosis="Tax rate wrong for the customer's country",
        authority_needed="Credit note above my limit",
    )


def escalate_by_rule(ticket, team):
    rule = factories.RuleFactory(name="Angry customer", team=team, kind="escalation", target=None)
    outcome = escalation_execute(
        request=EscalationRequest(
            ticket_id=ticket.pk,
            trigger="sentiment_negative",
            occurrence="message:1",
            sentence="The customer's message reads as angry.",
            rule=rule,
        )
    )
    assert outcome.created
    return outcome.escalation


def test_escalations_and_events_update_the_rollup_in_their_transaction(team, lead, junior, queue):
    # Given the month was computed (the page was viewed) before anything happened
    month = month_current(team=team)
    agent_month_cells_ensure(team=team, last=month, months=1)
    refreshed_at = AgentMonthRefresh.objects.get(team=team, month=month).refreshed_at

    # When the junior takes two tickets, escalates one by hand, and a rule fires on the other
    first = assigned_ticket(queue=queue, lead=lead, agent=junior)
    second = assigned_ticket(queue=queue, lead=lead, agent=junior, subject="Angry")
    escalate_by_hand(first, junior)
    escalate_by_rule(second, team)

    # Then the rollup has them at once, without a recompute, exactly as the event log says
    assert AgentMonthRefresh.objects.get(team=team, month=month).refreshed_at == refreshed_at
    live = figures(team, month, rollup=False)
    assert live == [
        ("junior", 2, 1, 1, {"manual": 1, "sentiment_negative": 1}),
        ("lead", 2, 0, 0, {}),
    ]
    assert figures(team, month, rollup=True) == live
    assert AgentMonthTicket.objects.filter(team=team, month=month).count() == 4
    # and the repair recomputes the same rows
    cells_before = sorted(
        AgentMonthCell.objects.filter(team=team, month=month).values_list(
            "agent_id", "kind", "priority", "tier", "queue_id", "trigger", "by_hand", "count"
        )
    )
    agent_month_cells_refresh(team=team, month=month)
    assert (
        sorted(
            AgentMonthCell.objects.filter(team=team, month=month).values_list(
                "agent_id", "kind", "priority", "tier", "queue_id", "trigger", "by_hand", "count"
            )
        )
        == cells_before
    )
    assert AgentMonthTicket.objects.filter(team=team, month=month).count() == 4


def test_a_ticket_is_handled_once_however_many_events(team, lead, junior, queue):
    ticket = assigned_ticket(queue=queue, lead=lead, agent=junior)
    for n in range(3):
        ticket_services.note_add(ticket=ticket, body=f"Note {n}", author=junior)

    month = month_current(team=team)
    assert figures(team, month, rollup=True) == [
        ("junior", 1, 0, 0, {}),
        ("lead", 0, 0, 0, {}),
    ]
    assert AgentMonthCell.objects.get(team=team, month=month, agent=junior).count == 1


def test_up_level_steps_and_agents_without_team_add_nothing(team, junior):
    ticket = factories.TicketFactory(queue__team=team)
    first = factories.EscalationFactory(ticket=ticket, initiated_by=junior, from_agent=junior)
    up_level = factories.EscalationFactory(
        ticket=ticket, trigger="unacknowledged", from_agent=junior, parent=first
    )
    loner = factories.AgentFactory(username="loner", team=None)
    loners = factories.EscalationFactory(ticket=ticket, initiated_by=loner, from_agent=loner)

    agent_month_escalation_count(escalation=up_level, ticket=ticket)
    agent_month_escalation_count(escalation=loners, ticket=ticket)

    assert AgentMonthCell.objects.count() == 0
    assert AgentMonthTicket.objects.count() == 0


def page_figures(html, agent):
    """The figures of one agent's rows on the overview, by section."""
    row = re.search(rf'<tr data-agent="{agent.username}">(.*?)</tr>', html, re.S).group(1)
    handoff = re.search(rf'<tr data-agent="{agent.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = dict(re.findall(r'data-figure="([a-z-]+)">([^<]*)<', row + handoff))
    return cells


def test_the_figures_on_one_page_agree_right_after_an_escalation(client, team, lead, junior, queue):
    # Given the lead looked at the month a minute ago (the rollup is computed)
    month = month_current(team=team)
    client.force_login(lead)
    query = {"team": team.pk, "month": f"{month:%Y-%m}"}
    assert client.get(reverse("reports:overview"), query).status_code == 200

    # When the junior escalates by hand and a rule fires on another of their tickets
    escalate_by_hand(assigned_ticket(queue=queue, lead=lead, agent=junior), junior)
    escalate_by_rule(assigned_ticket(queue=queue, lead=lead, agent=junior, subject="x"), team)
    overview = client.get(reverse("reports:overview"), query)
    agent_page = client.get(reverse("reports:agent", args=[junior.pk]), {"month": query["month"]})

    # Then every section says the same, at once: 2 handled, 1 by choice (50%), 1 automatic
    assert page_figures(overview.content.decode(), junior) == {
        "handled": "2",
        "manual": "1",
        "rate": "50.0%",
        "automatic": "1",
        "handoff-escalations": "1",
    }
    agent_html = agent_page.content.decode()
    assert dict(re.findall(r'data-figure="([a-z-]+)">([^<]*)<', agent_html)) == {
        "handled": "2",
        "manual": "1",
        "rate": "50.0%",
        "automatic": "1",
        "handoff-escalations": "1",
    }
    as_of = timezone.localtime(overview.context["report"].as_of)
    assert f"All figures on this page as of {as_of:%-d %B %Y, %H:%M}" in overview.content.decode()


# --- The month boundary in the team's timezone, with mix adjustment ----------------------------
def berlin(day, hour, minute=0, month=3):
    """A Berlin wall-clock time (CET/CEST) as the UTC instant it is."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(
        UTC
    )


@pytest.fixture
def berlin_team():
    """Hand-computed March 2026 in Berlin (CEST from 29 March, UTC+2):

    - Ana: 2 urgent + 2 normal tickets; escalates an urgent one by hand at 23:30 on 31 March
      (21:30 UTC: March); a rule fires on one of her normal tickets (automatic).
    - Bo: 4 normal tickets; escalates one by hand on 15 March, and another at 00:30 on 1 April
      Berlin (22:30 UTC on 31 March: April in Berlin, March in UTC).
    Cells (by choice): urgent 1/2 = 0.5, normal 1/6; team rate 2/8 = 0.25.
    Ana: rate 1/4; expected 2*0.5 + 2/6 = 4/3; adjusted 1/(4/3)*0.25 = 0.1875; automatic 1/4.
    Bo: rate 1/4; expected 4/6; adjusted 1/(2/3)*0.25 = 0.375.
    Medians: 0.25 unadjusted, (0.1875 + 0.375)/2 = 0.28125 adjusted. April: Bo 1 of 1.
    """
    team = factories.TeamFactory(name="Berlin", timezone="Europe/Berlin")
    ana = factories.AgentFactory(username="ana", name="Ana", team=team)
    bo = factories.AgentFactory(username="bo", name="Bo", team=team)
    queue = factories.QueueFactory(team=team)
    customer = factories.CustomerFactory(tier="standard")

    def tickets(priority, n):
        return factories.TicketFactory.create_batch(
            n, queue=queue, customer=customer, priority=priority
        )

    ana_urgent, ana_normal, bo_normal = (
        tickets("urgent", 2),
        tickets("normal", 2),
        tickets("normal", 4),
    )
    events = [held(t, ana, berlin(10, 12)) for t in ana_urgent + ana_normal]
    events += [held(t, bo, berlin(10, 12)) for t in bo_normal]
    escalations = [
        factories.BackdatedEscalationFactory(
            ticket=ana_urgent[0], initiated_by=ana, from_agent=ana, created_at=berlin(31, 23, 30)
        ),
        factories.BackdatedEscalationFactory(
            ticket=ana_normal[0],
            trigger="sentiment_negative",
            from_agent=ana,
            created_at=berlin(20, 9),
        ),
        factories.BackdatedEscalationFactory(
            ticket=bo_normal[0], initiated_by=bo, from_agent=bo, created_at=berlin(15, 9)
        ),
        factories.BackdatedEscalationFactory(
            ticket=bo_normal[1],
            initiated_by=bo,
            from_agent=bo,
            created_at=berlin(1, 0, 30, month=4),
        ),
    ]
    return {"team": team, "events": events, "escalations": escalations}


MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def assert_berlin_figures(team, *, rollup):
    march, april = team_months(
        team=team, last=APRIL, months=2, agents=team_agents(team=team), rollup=rollup
    )
    ana, bo = march.rows
    assert (ana.tickets_handled, ana.manual, ana.automatic) == (4, 1, 1)
    assert (ana.rate, ana.automatic_rate) == (0.25, 0.25)
    assert ana.expected == pytest.approx(4 / 3)
    assert ana.adjusted_rate == pytest.approx(0.1875)
    assert (bo.tickets_handled, bo.manual, bo.automatic, bo.rate) == (4, 1, 0, 0.25)
    assert bo.expected == pytest.approx(2 / 3)
    assert bo.adjusted_rate == pytest.approx(0.375)
    assert (march.team_rate, march.team_median) == (0.25, 0.25)
    assert march.team_median_adjusted == pytest.approx(0.28125)
    assert [(r.tickets_handled, r.manual, r.rate) for r in april.rows] == [
        (0, 0, None),
        (1, 1, 1.0),
    ]


@pytest.mark.parametrize("source", ["live", "recomputed", "incremental"])
def test_month_boundary_in_berlin_with_mix_adjustment(berlin_team, source):
    team = berlin_team["team"]
    if source == "recomputed":
        agent_month_cells_refresh(team=team, month=MARCH)
        agent_month_cells_refresh(team=team, month=APRIL)
    if source == "incremental":
        for event in berlin_team["events"]:
            agent_month_event_count(event=event, ticket=event.ticket)
        for escalation in berlin_team["escalations"]:
            agent_month_escalation_count(escalation=escalation, ticket=escalation.ticket)

    assert_berlin_figures(team, rollup=source != "live")


# --- Concurrency (PostgreSQL: row locks and unique indexes as in production) -------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_escalations_into_a_new_cell_both_count(team, junior, queue, customer):
    # Given two of the junior's tickets in the same mix cell, and no rollup row for it yet
    tickets = factories.TicketFactory.create_batch(2, queue=queue, customer=customer)
    barrier = threading.Barrier(2)
    errors = []

    def escalate(ticket):
        try:
            with transaction.atomic():
                escalation = factories.EscalationFactory(
                    ticket=ticket, initiated_by=junior, from_agent=junior
                )
                barrier.wait(timeout=10)
                agent_month_escalation_count(escalation=escalation, ticket=ticket)
                time.sleep(0.3)  # keep the transaction open while the other one inserts
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    # When both escalations add to the rollup at the same moment
    threads = [threading.Thread(target=escalate, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then neither count is lost: one row per cell, 2 escalations and 2 handled tickets
    assert errors == []
    assert sorted(AgentMonthCell.objects.filter(agent=junior).values_list("kind", "count")) == [
        ("escalations", 2),
        ("handled", 2),
    ]
