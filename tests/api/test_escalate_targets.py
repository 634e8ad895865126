"""``POST /api/v1/tickets/{id}/escalate/`` with a named receiver, through the real engine: the
same choices and checks as the escalate page."""

from __future__ import annotations

import pytest

from escalations.models import AuditEvent, Escalation, TargetKind
from tests import factories

pytestmark = pytest.mark.django_db

HANDOFF = {"tried": "Cleared cache", "diagnosis": "Billing bug", "authority_needed": "Refund > 500"}


@pytest.fixture
def billing():
    team = factories.TeamFactory(name="Billing")
    return {
        "team": team,
        "lead": factories.LeadFactory(username="olga", name="Olga Ortiz", team=team),
        "senior": factories.SeniorFactory(username="sam", name="Sam Stone", team=team),
        "queue_target": factories.TargetFactory(
            name="Dispute desk",
            kind=TargetKind.QUEUE,
            queue=factories.QueueFactory(name="Disputes", team=team),
            team=team,
        ),
    }


def url(ticket):
    return f"/api/v1/tickets/{ticket.pk}/escalate/"


def test_a_junior_names_a_senior_of_the_team(client_for, junior, senior, lead, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)

    response = client_for(junior).post(
        url(ticket), HANDOFF | {"to_agent": senior.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["to_agent"] == senior.pk
    escalation = Escalation.objects.get()
    assert (escalation.from_agent, escalation.to_agent) == (junior, senior)
    assert escalation.route_notes == [f"Chosen by name: {senior}."]


def test_a_lead_names_another_teams_lead(client_for, lead, queue, customer, billing):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=lead)

    response = client_for(lead).post(
        url(ticket), HANDOFF | {"to_agent": billing["lead"].pk}, format="json"
    )

    assert response.status_code == 201
    assert Escalation.objects.get().to_agent == billing["lead"]


def test_a_lead_sends_the_ticket_to_another_teams_queue(client_for, lead, queue, customer, billing):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=lead)

    response = client_for(lead).post(
        url(ticket), HANDOFF | {"target": billing["queue_target"].pk}, format="json"
    )

    assert response.status_code == 201
    escalation = Escalation.objects.get()
    assert escalation.to_queue == billing["queue_target"].queue


@pytest.mark.parametrize(
    ("choice", "field", "message"),
    [
        (
            "other_lead",
            "to_agent",
            "Olga Ortiz is not an active senior or lead you can escalate to.",
        ),
        (
            "other_senior",
            "to_agent",
            "Sam Stone is not an active senior or lead you can escalate to.",
        ),
        (
            "own_junior",
            "to_agent",
            "Jo Junior is not an active senior or lead you can escalate to.",
        ),
        ("other_queue", "target", "The target belongs to another team."),
    ],
    ids=["another-teams-lead", "another-teams-senior", "a-junior", "another-teams-queue"],
)
def test_a_junior_cannot_name_what_the_page_does_not_offer(
    client_for, junior, lead, team, queue, customer, billing, choice, field, message
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    payload = {
        "other_lead": {"to_agent": billing["lead"].pk},
        "other_senior": {"to_agent": billing["senior"].pk},
        "own_junior": {
            "to_agent": factories.AgentFactory(username="jo", name="Jo Junior", team=team).pk
        },
        "other_queue": {"target": billing["queue_target"].pk},
    }[choice]

    response = client_for(junior).post(url(ticket), HANDOFF | payload, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert Escalation.objects.count() == 0
    assert AuditEvent.objects.filter(kind="escalation_created").count() == 0
    ticket.refresh_from_db()
    assert ticket.assignee == junior


def test_a_target_and_a_person_together_are_refused(
    client_for, junior, senior, lead, team, queue, customer
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    target = factories.TargetFactory(team=team)

    response = client_for(junior).post(
        url(ticket), HANDOFF | {"target": target.pk, "to_agent": senior.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"to_agent": ["Choose a target or a person, not both."]}
    assert Escalation.objects.count() == 0


def test_a_lead_acknowledging_a_named_seniors_escalation_does_it_on_their_behalf(
    client_for, junior, senior, lead, queue, customer
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    escalated = (
        client_for(junior)
        .post(url(ticket), HANDOFF | {"to_agent": senior.pk}, format="json")
        .json()
    )

    response = client_for(lead).post(f"/api/v1/escalations/{escalated['id']}/acknowledge/")

    assert response.status_code == 200
    assert (response.json()["acknowledged_by"], response.json()["acknowledged_on_behalf_of"]) == (
        lead.pk,
        senior.pk,
    )
    audit = AuditEvent.objects.get(kind="escalation_acknowledged")
    assert audit.data["on_behalf_of"] == senior.pk
