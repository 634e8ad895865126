"""The API keeps the ticket page's team rules: a ticket is assigned only within its queue's
team (an outsider assignee would be shown the ticket), and an agent escalates only to their
team's or shared targets."""

from __future__ import annotations

import pytest
from django.test import Client

from escalations.models import Escalation, Target
from tests import factories
from tickets.models import Queue, Ticket, TicketEvent

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


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["junior_a", "senior_a"])
def test_moving_a_ticket_into_another_teams_queue_without_an_assignee_is_refused(world, role):
    bravo = Queue.objects.get(name="Bravo general")
    ticket = world.ticket_a

    response = _client(world, role).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"queue": bravo.pk}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"queue": ["You can only use your team's queues."]}
    assert Ticket.objects.get(pk=ticket.pk).queue.name == "Alpha general"
    assert TicketEvent.objects.filter(ticket=ticket, kind="queue_changed").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [("junior_a", 400), ("lead_a", 400), ("admin", 200)])
def test_only_admins_take_a_ticket_out_of_every_queue(world, role, expected):
    response = _client(world, role).patch(
        f"/api/v1/tickets/{world.ticket_a.pk}/", {"queue": None}, content_type="application/json"
    )

    assert response.status_code == expected
    assert (Ticket.objects.get(pk=world.ticket_a.pk).queue is None) == (expected == 200)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [("junior_a", 400), ("admin", 201)])
def test_a_ticket_without_a_queue_is_filed_by_admins_only(world, role, expected):
    customer = factories.CustomerFactory()

    response = _client(world, role).post(
        "/api/v1/tickets/",
        {"subject": "Lost", "customer": customer.pk, "body": "Hello"},
        content_type="application/json",
    )

    assert response.status_code == expected
    if expected == 400:
        assert response.json() == {
            "queue": [
                "Name one of your team's queues: a ticket outside them is one you cannot see."
            ]
        }
    assert Ticket.objects.filter(subject="Lost").count() == (1 if expected == 201 else 0)


@pytest.mark.django_db
def test_a_ticket_cannot_be_created_with_the_escalate_tag(world):
    customer = factories.CustomerFactory()
    queue = Queue.objects.get(name="Alpha general")

    response = _client(world, "junior_a").post(
        "/api/v1/tickets/",
        {
            "subject": "Tagged",
            "customer": customer.pk,
            "queue": queue.pk,
            "body": "Hi",
            "tags": ["escalate"],
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["tags"]
    assert Ticket.objects.filter(subject="Tagged").count() == 0
    assert Escalation.objects.filter(ticket__subject="Tagged").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "field"), [("agent", "agent"), ("queue", "queue")], ids=["agent", "queue"]
)
def test_a_lead_cannot_point_a_target_at_another_teams_agent_or_queue(world, kind, field):
    bravo_senior = factories.SeniorFactory(username="senior_b", team=world.agents["junior_b"].team)
    related = {"agent": bravo_senior.pk, "queue": Queue.objects.get(name="Bravo general").pk}

    response = _client(world, "lead_a").post(
        "/api/v1/targets/",
        {"name": "Over the fence", "kind": kind, field: related[field]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Target.objects.filter(name="Over the fence").count() == 0


@pytest.mark.django_db
def test_a_lead_can_point_a_target_at_their_own_teams_queue(world):
    response = _client(world, "lead_a").post(
        "/api/v1/targets/",
        {
            "name": "Alpha queue",
            "kind": "queue",
            "queue": Queue.objects.get(name="Alpha general").pk,
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Target.objects.get(name="Alpha queue").team_id == world.agents["lead_a"].team_id
