"""PATCH teams and agents: admins only, audited, validated in words; config reads are scoped."""

from __future__ import annotations

import pytest

from escalations.models import AuditEvent
from tests import factories
from tickets.models import Agent, Team


def test_admin_sets_a_teams_lead_name_zone_and_currency(client_for, admin_user, team, senior):
    # default_currency is already EUR (the default): unchanged fields are not in the audit
    response = client_for(admin_user).patch(
        f"/api/v1/teams/{team.pk}/",
        {
            "lead": senior.pk,
            "name": "Support EU",
            "timezone": "Europe/Berlin",
            "default_currency": "EUR",
        },
        format="json",
    )

    assert response.status_code == 200
    team.refresh_from_db()
    assert (team.lead_id, team.name, team.timezone, team.default_currency) == (
        senior.pk,
        "Support EU",
        "Europe/Berlin",
        "EUR",
    )
    event = AuditEvent.objects.get(kind="team.changed")
    assert (event.actor_id, event.object_id) == (admin_user.pk, str(team.pk))
    assert event.before == {"name": "Support", "lead": None, "timezone": "UTC"}
    assert event.after == {"name": "Support EU", "lead": senior.pk, "timezone": "Europe/Berlin"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        pytest.param(
            {"timezone": "Mars/Base"},
            "timezone",
            "'Mars/Base' is not an IANA time zone (e.g. Europe/Berlin).",
            id="zone",
        ),
        pytest.param(
            {"default_currency": "XYZ"},
            "default_currency",
            '"XYZ" is not a valid choice.',
            id="currency",
        ),
    ],
)
def test_bad_team_values_are_named(client_for, admin_user, team, body, field, message):
    response = client_for(admin_user).patch(f"/api/v1/teams/{team.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert AuditEvent.objects.filter(kind="team.changed").count() == 0


def test_a_lead_from_another_team_is_refused(client_for, admin_user, team, other_lead):
    response = client_for(admin_user).patch(
        f"/api/v1/teams/{team.pk}/", {"lead": other_lead.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["lead"] == [f"{other_lead} is not an active member of Support."]
    team.refresh_from_db()
    assert team.lead_id is None


@pytest.mark.parametrize("role", ["lead", "senior", "junior"])
def test_only_admins_patch_teams_and_agents(request, client_for, team, junior, role):
    client = client_for(request.getfixturevalue(role))

    team_response = client.patch(f"/api/v1/teams/{team.pk}/", {"name": "X"}, format="json")
    agent_response = client.patch(f"/api/v1/agents/{junior.pk}/", {"role": "lead"}, format="json")

    assert (team_response.status_code, agent_response.status_code) == (403, 403)
    assert Team.objects.get(pk=team.pk).name == "Support"
    assert Agent.objects.get(pk=junior.pk).role == "junior"
    assert AuditEvent.objects.count() == 0


def test_admin_promotes_moves_and_deactivates_an_agent(
    client_for, admin_user, junior, team, other_team
):
    client = client_for(admin_user)

    response = client.patch(
        f"/api/v1/agents/{junior.pk}/",
        {"role": "senior", "team": other_team.pk, "is_available": False, "is_active": False},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["role"] == "senior"
    junior.refresh_from_db()
    assert (junior.role, junior.team_id, junior.is_available, junior.is_active) == (
        "senior",
        other_team.pk,
        False,
        False,
    )
    event = AuditEvent.objects.get(kind="agent.changed")
    assert event.before == {
        "role": "junior",
        "team": team.pk,
        "is_available": True,
        "is_active": True,
    }
    assert event.after == {
        "role": "senior",
        "team": other_team.pk,
        "is_available": False,
        "is_active": False,
    }


def test_a_teams_lead_cannot_be_moved_away_until_replaced(client_for, admin_user, team, lead):
    Team.objects.filter(pk=team.pk).update(lead=lead)

    response = client_for(admin_user).patch(
        f"/api/v1/agents/{lead.pk}/", {"is_active": False}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["is_active"] == [f"{lead} leads Support: set another lead for it first."]
    lead.refresh_from_db()
    assert lead.is_active is True


def test_promoted_agent_opens_the_console(client_for, admin_user, junior, client):
    client_for(admin_user).patch(f"/api/v1/agents/{junior.pk}/", {"role": "lead"}, format="json")

    client.force_login(Agent.objects.get(pk=junior.pk))

    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["lead", "senior", "junior"])
def test_agents_read_their_teams_and_shared_configuration_only(
    request, client_for, team, other_team, role
):
    own = factories.RuleFactory(name="Own", team=team, target=None)
    shared = factories.RuleFactory(name="Shared", team=None, target=None)
    factories.RuleFactory(name="Other team's", team=other_team, target=None)
    own_target = factories.TargetFactory(name="Own target", kind="team_lead", team=team)
    factories.TargetFactory(name="Other target", kind="team_lead", team=other_team)
    client = client_for(request.getfixturevalue(role))

    rules = client.get("/api/v1/rules/").json()["results"]
    targets = client.get("/api/v1/targets/").json()["results"]

    assert sorted(r["id"] for r in rules) == sorted([own.pk, shared.pk])
    assert [t["id"] for t in targets] == [own_target.pk]


def test_admins_read_every_teams_configuration(client_for, admin_user, team, other_team):
    rules = [factories.RuleFactory(team=t, target=None) for t in (team, other_team, None)]

    body = client_for(admin_user).get("/api/v1/rules/").json()

    assert sorted(r["id"] for r in body["results"]) == sorted(r.pk for r in rules)
