"""Changelists run a fixed number of queries however many rows they show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.audit import audit_record
from escalations.models import SlackDelivery, TargetKind
from tests import factories

N = 3


def add_rows(team, count, start):
    """``count`` more rows of every listed model for ``team``, with escalations on the rules."""
    queue = factories.QueueFactory(name=f"Queue {start}", team=team)
    for i in range(start, start + count):
        agent = factories.SeniorFactory(username=f"senior{i}", team=team)
        target = factories.TargetFactory(
            name=f"Target {i}", team=team, kind=TargetKind.AGENT, agent=agent
        )
        rule = factories.RuleFactory(name=f"Rule {i}", team=team, target=target)
        ticket = factories.TicketFactory(queue=queue)
        factories.EscalationFactory(ticket=ticket, rule=rule, trigger="sentiment_negative")
        old = factories.EscalationFactory(ticket=ticket, rule=rule, trigger="sentiment_negative")
        old.created_at = timezone.now() - timedelta(days=45)
        old.save()
        calendar = factories.CalendarFactory(name=f"Cal {i}", team=team)
        policy = factories.SLAPolicyFactory(name=f"SLA {i}", team=team, calendar=calendar)
        factories.SLATargetFactory(policy=policy)
        factories.QueueFactory(name=f"Q {i}", team=team).members.add(agent)
        SlackDelivery.objects.create(target=target)
        audit_record(kind="rule.changed", obj=rule, before={}, after={})


CHANGELISTS = [
    "/admin/escalations/rule/",
    "/admin/escalations/target/",
    "/admin/escalations/slapolicy/",
    "/admin/escalations/calendar/",
    "/admin/escalations/slackdelivery/",
    "/admin/escalations/auditevent/",
    "/admin/escalations/escalation/",
    "/admin/tickets/queue/",
    "/admin/tickets/agent/",
]


@pytest.mark.parametrize("url", CHANGELISTS)
@pytest.mark.parametrize("role", ["superuser", "lead_a"])
def test_changelist_query_count_is_constant(
    request, client, django_assert_num_queries, team_a, url, role
):
    # Given N rows of everything, listed once
    user = request.getfixturevalue(role)
    client.force_login(user)
    add_rows(team_a, N, 0)
    with CaptureQueriesContext(connection) as small:
        first = client.get(url)
    expected_status = 403 if role == "lead_a" and url.endswith("agent/") else 200
    assert first.status_code == expected_status

    # When there are 3N rows
    add_rows(team_a, 2 * N, N)

    # Then the page runs exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == expected_status


def test_rule_list_counts_escalations_of_the_last_30_days(client, lead_a, team_a):
    add_rows(team_a, 2, 0)
    client.force_login(lead_a)

    response = client.get("/admin/escalations/rule/")

    assert [(r.name, r.fired_recently) for r in response.context["cl"].result_list] == [
        ("Rule 0", 1),
        ("Rule 1", 1),
    ]
    html = response.content.decode()
    links = re.findall(r'<td class="field-fired_last_30_days"><a href="([^"]+)">1</a></td>', html)
    assert len(links) == 2

    # The count links to those escalations: the rule's, of the last 30 days only.
    listed = client.get(links[0].replace("&amp;", "&"))
    assert listed.status_code == 200
    rule = response.context["cl"].result_list[0]
    escalations = list(listed.context["cl"].result_list)
    assert [e.rule_id for e in escalations] == [rule.pk]
    assert escalations[0].created_at >= timezone.now() - timedelta(days=30)


def test_a_rule_that_never_fired_shows_zero_without_a_link(client, lead_a, team_a):
    factories.RuleFactory(name="Quiet", team=team_a)
    client.force_login(lead_a)

    response = client.get("/admin/escalations/rule/")

    assert '<td class="field-fired_last_30_days">0</td>' in response.content.decode()
