"""The escalate form's receivers: the lead once, seniors by name, queues and Slack; through the
real engine."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalations.models import AuditEvent, Escalation, TargetKind
from tests import factories
from tickets.selectors import escalation_choices_for

pytestmark = pytest.mark.django_db

HANDOFF = {
    "tried": "Resent the invoice.",
    "diagnosis": "Duplicate charge.",
    "authority_needed": "Refund above my limit.",
}
SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"


@pytest.fixture
def people(team):
    lead = factories.LeadFactory(username="maria", name="Maria Keller", team=team)
    ana = factories.SeniorFactory(username="ana", name="Ana Alves", team=team)
    ben = factories.SeniorFactory(username="ben", name="Ben Brook", team=team, is_available=False)
    junior = factories.AgentFactory(username="tom", name="Tom Becker", team=team)
    billing = factories.TeamFactory(name="Billing")
    other_lead = factories.LeadFactory(username="olga", name="Olga Ortiz", team=billing)
    factories.SeniorFactory(username="sam", name="Sam Stone", team=billing)
    return {
        "lead": lead,
        "ana": ana,
        "ben": ben,
        "junior": junior,
        "billing": billing,
        "other_lead": other_lead,
    }


@pytest.fixture
def targets(team, people):
    refunds = factories.QueueFactory(name="Refunds", team=team, specialist=True)
    billing_queue = factories.QueueFactory(name="Disputes", team=people["billing"])
    return {
        "lead": factories.TargetFactory(name="Support team lead", team=team),
        "ana": factories.TargetFactory(
            name="Ana direct", kind=TargetKind.AGENT, agent=people["ana"], team=team
        ),
        "refunds": factories.TargetFactory(
            name="Refund specialists", kind=TargetKind.QUEUE, queue=refunds, team=team
        ),
        "slack": factories.TargetFactory(
            name="#support-urgent", kind=TargetKind.SLACK, slack_webhook_url=SLACK, team=team
        ),
        "disputes": factories.TargetFactory(
            name="Dispute desk",
            kind=TargetKind.QUEUE,
            queue=billing_queue,
            team=people["billing"],
        ),
    }


@pytest.fixture
def ticket(queue, people):
    return factories.TicketFactory(subject="Charged twice", queue=queue, assignee=people["junior"])


def labels(choices):
    return [(choice.value, choice.label) for choice in choices]


def test_a_junior_sees_the_lead_once_the_seniors_by_name_the_queues_and_slack(
    ticket, people, targets, django_assert_num_queries
):
    with django_assert_num_queries(2):
        choices = escalation_choices_for(agent=people["junior"], ticket=ticket)

    assert labels(choices) == [
        ("", "Support team lead: Maria Keller (available)"),
        (f"agent:{people['ana'].pk}", "Ana Alves (senior, available)"),
        (f"agent:{people['ben'].pk}", "Ben Brook (senior, away)"),
        (f"target:{targets['refunds'].pk}", "Refund specialists (queue)"),
        (f"target:{targets['slack'].pk}", "#support-urgent (Slack)"),
    ]


def test_a_lead_holding_the_ticket_can_send_it_beyond_the_team(queue, people, targets):
    ticket = factories.TicketFactory(queue=queue, assignee=people["lead"])

    choices = escalation_choices_for(agent=people["lead"], ticket=ticket)

    assert labels(choices) == [
        (f"agent:{people['ana'].pk}", "Ana Alves (senior, available)"),
        (f"agent:{people['ben'].pk}", "Ben Brook (senior, away)"),
        (f"agent:{people['other_lead'].pk}", "Billing team lead: Olga Ortiz (available)"),
        (f"target:{targets['disputes'].pk}", "Dispute desk (queue), Billing"),
        (f"target:{targets['refunds'].pk}", "Refund specialists (queue)"),
        (f"target:{targets['slack'].pk}", "#support-urgent (Slack)"),
    ]


def test_the_page_offers_the_choices_and_needs_one_when_there_is_no_lead_entry(
    client, queue, people, targets
):
    ticket = factories.TicketFactory(queue=queue, assignee=people["lead"])
    client.force_login(people["lead"])

    page = client.get(reverse("ticket_escalate", args=[ticket.pk])).content.decode()
    response = client.post(reverse("ticket_escalate", args=[ticket.pk]), HANDOFF)

    assert "Billing team lead: Olga Ortiz (available)" in page
    assert "The team lead (default)" not in page
    assert response.status_code == 400
    assert response.context["form"].errors == {"target": ["This field is required."]}
    assert Escalation.objects.count() == 0


def test_a_junior_escalates_to_a_named_senior_through_the_page(
    client, ticket, people, targets, django_capture_on_commit_callbacks
):
    client.force_login(people["junior"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ticket_escalate", args=[ticket.pk]),
            {**HANDOFF, "target": f"agent:{people['ana'].pk}"},
        )

    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert (escalation.from_agent, escalation.to_agent, escalation.target) == (
        people["junior"],
        people["ana"],
        None,
    )
    assert escalation.route_notes == ["Chosen by name: Ana Alves."]
    ticket.refresh_from_db()
    assert ticket.assignee == people["ana"]


def test_a_lead_escalates_to_another_teams_lead_through_the_page(
    client, queue, people, targets, django_capture_on_commit_callbacks
):
    ticket = factories.TicketFactory(queue=queue, assignee=people["lead"])
    client.force_login(people["lead"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ticket_escalate", args=[ticket.pk]),
            {**HANDOFF, "target": f"agent:{people['other_lead'].pk}"},
        )

    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert (escalation.from_agent, escalation.to_agent) == (people["lead"], people["other_lead"])


def test_a_junior_cannot_post_a_choice_that_was_not_offered(client, ticket, people, targets):
    client.force_login(people["junior"])

    for value in (f"agent:{people['other_lead'].pk}", f"target:{targets['disputes'].pk}"):
        response = client.post(
            reverse("ticket_escalate", args=[ticket.pk]), {**HANDOFF, "target": value}
        )
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["target"]

    assert Escalation.objects.count() == 0
    assert AuditEvent.objects.filter(kind="escalation_created").count() == 0
    ticket.refresh_from_db()
    assert ticket.assignee == people["junior"]


def test_another_teams_lead_cannot_escalate_a_ticket_they_cannot_see(
    client, ticket, people, targets
):
    client.force_login(people["other_lead"])

    response = client.post(
        reverse("ticket_escalate", args=[ticket.pk]),
        {**HANDOFF, "target": f"target:{targets['disputes'].pk}"},
    )

    assert response.status_code == 404
    assert Escalation.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.assignee == people["junior"]
