"""Team macros in the console: the lead manages their own team's, audited with history and
revert; another team's macro is not there; agents have no console."""

from __future__ import annotations

import pytest

from escalations.models import AuditEvent
from tests import factories
from tickets.macros.models import Macro


@pytest.fixture
def macro_a(team_a):
    return factories.MacroFactory(
        team=team_a, name="Refund under 200", body="Hi {{ customer_name }}"
    )


@pytest.fixture
def macro_b(team_b):
    return factories.MacroFactory(team=team_b, name="Bravo hello")


def _post(**overrides):
    return {
        "name": "Password reset",
        "body": "Hi {{ customer_name }}, here is how to reset it.",
        "set_status": "pending",
        "set_priority": "",
        "add_tags": "login, password",
        "internal_note": "",
        "enabled": "on",
        "_save": "Save",
        **overrides,
    }


def test_a_lead_lists_only_their_teams_macros(client, lead_a, macro_a, macro_b, junior_a):
    factories.MacroFactory(team=None, owner=junior_a, name="Personal")
    client.force_login(lead_a)

    response = client.get("/admin/tickets/macro/")

    assert response.status_code == 200
    assert [m.name for m in response.context["cl"].result_list] == ["Refund under 200"]


def test_another_teams_macro_is_not_there_in_the_console(client, lead_a, macro_b):
    client.force_login(lead_a)

    page = client.get(f"/admin/tickets/macro/{macro_b.pk}/change/")
    post = client.post(f"/admin/tickets/macro/{macro_b.pk}/change/", _post(team=macro_b.team_id))
    history = client.get(f"/admin/tickets/macro/{macro_b.pk}/history/")

    assert (page.status_code, post.status_code, history.status_code) == (302, 302, 302)
    assert page.url == "/admin/"
    macro_b.refresh_from_db()
    assert macro_b.name == "Bravo hello"
    assert AuditEvent.objects.filter(object_type="tickets.macro").count() == 0


def test_agents_have_no_console_for_macros(client, junior_a, macro_a):
    client.force_login(junior_a)

    response = client.get(f"/admin/tickets/macro/{macro_a.pk}/change/")

    assert response.status_code == 403
    assert AuditEvent.objects.count() == 0


def test_a_lead_adds_a_macro_audited_then_reverts_a_change(client, lead_a, team_a):
    client.force_login(lead_a)

    added = client.post("/admin/tickets/macro/add/", _post(team=team_a.pk))
    macro = Macro.objects.get()
    changed = client.post(
        f"/admin/tickets/macro/{macro.pk}/change/",
        _post(team=team_a.pk, set_status="solved", add_tags="login"),
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    macro.refresh_from_db()
    assert (macro.team_id, macro.set_status, macro.add_tags) == (team_a.pk, "solved", ["login"])
    history = client.get(f"/admin/tickets/macro/{macro.pk}/history/")
    entries = history.context["entries"]
    assert [e.event.kind for e in entries] == ["macro.changed", "macro.created"]
    assert entries[0].sentence == f"{lead_a} changed the macro “Password reset”"
    assert sorted((c.label, c.before, c.after) for c in entries[0].changes) == [
        ("Add tags", "login, password", "login"),
        ("Set status", "Pending", "Solved"),
    ]

    reverted = client.post(f"/admin/tickets/macro/{macro.pk}/history/{entries[0].event.pk}/revert/")

    assert reverted.status_code == 302
    macro.refresh_from_db()
    assert (macro.set_status, macro.add_tags) == ("pending", ["login", "password"])
    assert AuditEvent.objects.filter(kind="macro.reverted").count() == 1


def test_the_console_refuses_an_unknown_placeholder_and_the_escalate_tag(client, lead_a, team_a):
    client.force_login(lead_a)

    response = client.post(
        "/admin/tickets/macro/add/",
        _post(team=team_a.pk, body="Hi {{ customer_phone }}", add_tags="escalate"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert sorted(errors) == ["add_tags", "body"]
    assert Macro.objects.count() == 0
    assert AuditEvent.objects.count() == 0
