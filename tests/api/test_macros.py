"""``/api/v1/macros/``: who reads and writes which macro, rendering for a ticket, applying one."""

from __future__ import annotations

import pytest

from escalations.models import AuditEvent
from tests import factories
from tickets.macros.models import Macro, MacroUse
from tickets.models import Message, TicketEvent


@pytest.fixture
def world(team, lead, senior, junior, queue, other_team, other_lead):
    own = factories.MacroFactory(
        team=team, name="Refund under 200", body="Hi {{ customer_name }}", set_status="pending"
    )
    theirs = factories.MacroFactory(team=other_team, name="Billing hello")
    mine = factories.MacroFactory(team=None, owner=junior, name="My sign-off")
    seniors = factories.MacroFactory(team=None, owner=senior, name="Senior's own")
    ticket = factories.TicketFactory(queue=queue, assignee=junior, status="open")
    other_ticket = factories.TicketFactory(
        queue=factories.QueueFactory(team=other_team), status="open"
    )
    return {
        "own": own,
        "theirs": theirs,
        "mine": mine,
        "seniors": seniors,
        "ticket": ticket,
        "other_ticket": other_ticket,
    }


def _names(response):
    return [row["name"] for row in response.json()["results"]]


def test_a_junior_lists_their_teams_macros_and_their_own(client_for, junior, world):
    response = client_for(junior).get("/api/v1/macros/")

    assert response.status_code == 200
    assert _names(response) == ["My sign-off", "Refund under 200"]
    assert response.json()["results"][1]["placeholders"] == ["customer_name"]
    scoped = client_for(junior).get("/api/v1/macros/?scope=personal")
    assert _names(scoped) == ["My sign-off"]


def test_an_admin_lists_every_teams_macros_but_no_ones_personal_ones(client_for, admin_user, world):
    response = client_for(admin_user).get("/api/v1/macros/")

    assert _names(response) == ["Billing hello", "Refund under 200"]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("which", ["theirs", "seniors"], ids=["other-team", "other-personal"])
def test_another_teams_or_persons_macro_is_not_there(client_for, lead, world, method, which):
    macro = world[which]
    client = client_for(lead)

    response = getattr(client, method)(
        f"/api/v1/macros/{macro.pk}/", {"name": "Taken"}, format="json"
    )

    assert response.status_code == 404
    assert Macro.objects.get(pk=macro.pk).name == macro.name
    assert AuditEvent.objects.filter(object_type="tickets.macro").count() == 0


def test_render_and_apply_of_another_teams_macro_are_404_and_write_nothing(
    client_for, other_lead, world
):
    """The other team's lead, on their own team's ticket, with our team's macro."""
    client = client_for(other_lead)
    macro, ticket = world["own"], world["other_ticket"]

    rendered = client.get(f"/api/v1/macros/{macro.pk}/render/?ticket={ticket.pk}")
    applied = client.post(
        f"/api/v1/macros/{macro.pk}/apply/", {"ticket": ticket.pk, "body": "Hi"}, format="json"
    )

    assert (rendered.status_code, applied.status_code) == (404, 404)
    assert Message.objects.count() == 0
    assert MacroUse.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_our_macro_on_a_ticket_we_cannot_see_is_404(client_for, junior, world):
    response = client_for(junior).post(
        f"/api/v1/macros/{world['own'].pk}/apply/",
        {"ticket": world["other_ticket"].pk, "body": "Hi"},
        format="json",
    )

    assert response.status_code == 404
    assert Message.objects.count() == 0


def test_a_lead_creates_a_team_macro_and_a_junior_a_personal_one(client_for, lead, junior, team):
    created = client_for(lead).post(
        "/api/v1/macros/",
        {"name": "Outage", "team": team.pk, "body": "We are on it, {{ customer_name }}."},
        format="json",
    )
    personal = client_for(junior).post(
        "/api/v1/macros/", {"name": "Thanks", "body": "Thanks!"}, format="json"
    )

    assert created.status_code == 201
    assert (created.json()["scope"], created.json()["team"], created.json()["owner"]) == (
        "team",
        team.pk,
        None,
    )
    assert personal.status_code == 201
    assert (personal.json()["scope"], personal.json()["owner"]) == ("personal", junior.pk)
    assert AuditEvent.objects.filter(kind="macro.created").count() == 2


@pytest.mark.parametrize("role", ["junior", "senior", "other_lead"])
def test_only_the_teams_lead_creates_its_macros(request, client_for, team, role):
    agent = request.getfixturevalue(role)

    response = client_for(agent).post(
        "/api/v1/macros/", {"name": "Outage", "team": team.pk, "body": "Hi"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["team"]
    assert Macro.objects.count() == 0


def test_a_junior_cannot_change_their_teams_macro(client_for, junior, world):
    response = client_for(junior).patch(
        f"/api/v1/macros/{world['own'].pk}/", {"name": "Mine"}, format="json"
    )

    assert response.status_code == 403
    assert Macro.objects.get(pk=world["own"].pk).name == "Refund under 200"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "Hi {{ customer_phone }}"}, "body"),
        ({"add_tags": ["escalate"]}, "add_tags"),
        ({"set_status": "gone"}, "set_status"),
        ({"body": "x" * 10_001}, "body"),
    ],
    ids=["unknown-placeholder", "escalate-tag", "bad-status", "long-body"],
)
def test_bad_input_is_a_400_naming_the_field(client_for, lead, team, body, field):
    response = client_for(lead).post(
        "/api/v1/macros/", {"name": "Bad", "team": team.pk, "body": "Hi", **body}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Macro.objects.count() == 0


def test_render_then_apply_sends_the_edited_reply_via_the_macro(client_for, junior, world):
    client = client_for(junior)
    macro, ticket = world["own"], world["ticket"]

    rendered = client.get(f"/api/v1/macros/{macro.pk}/render/?ticket={ticket.pk}")
    applied = client.post(
        f"/api/v1/macros/{macro.pk}/apply/",
        {"ticket": ticket.pk, "body": rendered.json()["text"] + " (edited)"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="apply-1",
    )
    again = client.post(
        f"/api/v1/macros/{macro.pk}/apply/",
        {"ticket": ticket.pk, "body": rendered.json()["text"] + " (edited)"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="apply-1",
    )

    assert rendered.status_code == 200
    assert rendered.json() == {
        "macro": macro.pk,
        "ticket": ticket.pk,
        "text": f"Hi {ticket.customer.name}",
        "missing": [],
        "actions": ["set status to Pending"],
        "note": "",
    }
    assert applied.status_code == 201
    assert again.json() == applied.json()
    assert applied.json()["message"]["body"] == f"Hi {ticket.customer.name} (edited)"
    assert Message.objects.count() == 1
    assert MacroUse.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    vias = set(TicketEvent.objects.filter(ticket=ticket).values_list("data__via", flat=True))
    assert vias == {"macro Refund under 200"}


def test_render_needs_a_ticket_id(client_for, junior, world):
    response = client_for(junior).get(f"/api/v1/macros/{world['own'].pk}/render/?ticket=x")

    assert response.status_code == 400
    assert list(response.json()) == ["ticket"]


def test_the_schema_describes_the_macro_endpoints(client_for, junior):
    schema = client_for(junior).get("/api/schema/?format=json").json()

    assert {
        "/api/v1/macros/",
        "/api/v1/macros/{id}/",
        "/api/v1/macros/{id}/render/",
        "/api/v1/macros/{id}/apply/",
    } <= set(schema["paths"])
