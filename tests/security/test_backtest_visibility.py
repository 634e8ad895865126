"""A rule's backtest through the API shows a ticket's subject and evidence only to those who
may see the ticket: a shared rule must not read another team's tickets out to anyone."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tickets import services
from tickets.models import AuthorType

ANGRY = "This is terrible, I am furious and disappointed, worst service ever!"


@pytest.fixture
def shared_rule(db):
    """A rule of no team with no conditions: it matches every team's tickets."""
    return factories.RuleFactory(name="Angry anywhere", team=None)


@pytest.fixture
def angry_ticket_a(world):
    ticket = world.ticket_a
    services.message_add(ticket=ticket, author_type=AuthorType.CUSTOMER, body=ANGRY)
    return ticket


def _backtest(world, role, rule):
    client = Client()
    client.force_login(world.agents[role])
    response = client.get(f"/api/v1/rules/{rule.pk}/backtest/?days=30")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "lead_a", "junior_a"])
def test_team_a_sees_its_ticket_in_the_hits(world, shared_rule, angry_ticket_a, role):
    body = _backtest(world, role, shared_rule)

    assert [(h["ticket"], h["subject"]) for h in body["hits"]] == [
        (angry_ticket_a.pk, "Alpha invoice")
    ]
    assert body["hits"][0]["evidence"] != {}


@pytest.mark.django_db
def test_another_team_sees_the_hit_without_subject_or_evidence(world, shared_rule, angry_ticket_a):
    body = _backtest(world, "junior_b", shared_rule)

    assert body["hit_count"] == 1
    assert [(h["ticket"], h["subject"], h["evidence"]) for h in body["hits"]] == [
        (angry_ticket_a.pk, "", {})
    ]
    assert "furious" not in str(body)
    assert "Alpha invoice" not in str(body)
