"""Leads are staff: the agent admin sets staff status from the role."""

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


@pytest.mark.parametrize(("role", "staff"), [("lead", True), ("senior", False), ("junior", False)])
def test_role_decides_staff_status(client, superuser, senior_a, role, staff):
    # Given a senior agent, made staff by hand earlier
    Agent.objects.filter(pk=senior_a.pk).update(is_staff=not staff)
    client.force_login(superuser)

    # When an admin saves the agent with a role
    response = client.post(
        f"/admin/tickets/agent/{senior_a.pk}/change/", _agent_data(senior_a, role=role)
    )

    # Then admin access follows the role
    assert response.status_code == 302
    senior_a.refresh_from_db()
    assert (senior_a.role, senior_a.is_staff) == (role, staff)
