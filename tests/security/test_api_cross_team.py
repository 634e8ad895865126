"""The API keeps the ticket page's team rules: a ticket is assigned only within its queue's
team (an outsider assignee would be shown the ticket), and an agent escalates only to their
team's or shared targets."""

from __future__ import annotations

import pytest
from django.test import Client

from escalations.models import Escalation
from tests import factories
from tickets.models import Queue, Ticket

HANDOFF = {"tried": "Refunded once", "diagnosis": "Billed twice", "authority_needed": "Refund"}


def _client(world, role: str) -> Client:
    client = Client()
    client.force_login(world.agents[role])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["junior_a", "lead_a", "admin"])
def test_assigning_a_ticket_to_another_team_is_refused(world, role):
    ticket = world.ticket_a

    response = _client(world, role).patch(
        f"/api/v1/tickets/{ticket.pk}/",
        {"assignee": world.agents["junior_b"].pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "assignee": ["Assign the ticket to an active member of its queue's team."]
    }
    assert Ticket.objects.get(pk=ticket.pk).assignee == world.agents["junior_a"]
    assert _client(world, "junior_b").get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404


@pytest.mark.django_db
def test_assigning_within_the_team_works(world):
    response = _client(world, "junior_a").patch(
        f"/api/v1/tickets/{world.ticket_a.pk}/",
        {"assignee": world.agents["senior_a"].pk},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["assignee"] == world.agents["senior_a"].pk


@pytest.mark.django_db
def test_moving_a_ticket_to_another_team_with_one_of_its_agents_works(world):
    bravo = Queue.objects.get(name="Bravo general")

    response = _client(world, "lead_a").patch(
        f"/api/v1/tickets/{world.ticket_a.pk}/",
        {"queue": bravo.pk, "assignee": world.agents["junior_b"].pk},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["queue"], response.json()["assignee"]) == (
        bravo.pk,
        world.agents["junior_b"].pk,
    )


@pytest.mark.django_db
def test_escalating_to_another_teams_target_is_refused(world):
    bravo_lead = factories.TargetFactory(name="Bravo lead", team=world.agents["junior_b"].team)
    before = Escalation.objects.count()

    response = _client(world, "junior_a").post(
        f"/api/v1/tickets/{world.ticket_a.pk}/escalate/",
        {**HANDOFF, "target": bravo_lead.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"target": ["The target belongs to another team."]}
    assert Escalation.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("team", ["own", "shared"])
def test_escalating_to_an_own_or_shared_target_works(world, team):
    target = factories.TargetFactory(
        name="Lead", team=world.ticket_a.queue.team if team == "own" else None
    )

    response = _client(world, "junior_a").post(
        f"/api/v1/tickets/{world.ticket_a.pk}/escalate/",
        {**HANDOFF, "target": target.pk},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["target"] == target.pk
