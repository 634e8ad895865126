"""Console access follows the role: the agent admin saves roles, and ``is_staff`` grants nothing."""

from __future__ import annotations

import pytest

from tickets.models import Agent


def _agent_data(agent, **overrides):
    data = {
        "username": agent.username,
        "name": agent.name,
        "email": agent.email,
        "team": agent.team_id,
        "role": agent.role,
        "is_available": "on",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "console_status"), [("lead", 200), ("senior", 403), ("junior", 403)]
)
def test_role_saved_in_the_admin_decides_console_access(
    client, superuser, senior_a, role, console_status
):
    # Given a senior agent, with a stale staff flag the opposite of what the role gives
    Agent.objects.filter(pk=senior_a.pk).update(is_staff=console_status != 200)
    client.force_login(superuser)

    # When an admin saves the agent with a role
    response = client.post(
        f"/admin/tickets/agent/{senior_a.pk}/change/", _agent_data(senior_a, role=role)
    )

    # Then the console opens (or not) for that agent by the role alone
    assert response.status_code == 302
    senior_a.refresh_from_db()
    assert senior_a.role == role
    client.force_login(senior_a)
    assert client.get("/admin/").status_code == console_status


def test_agent_list_shows_console_access_from_the_role(client, superuser, lead_a, junior_a):
    client.force_login(superuser)

    response = client.get("/admin/tickets/agent/")

    cl = response.context["cl"]
    access = {a.username: cl.model_admin.console_access(a) for a in cl.result_list}
    assert access == {"junior_a": False, "lead_a": True, "root": True}
