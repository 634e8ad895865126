"""The agent's macro page: personal macros added, changed and deleted (audited); another's
personal macro and team macros cannot be changed there; the team's macros are listed to read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalations.models import AuditEvent
from tests import factories
from tickets.macros.models import Macro


def _data(**overrides):
    return {
        "name": "Sign-off",
        "body": "Best regards, {{ agent_name }}",
        "set_status": "",
        "set_priority": "",
        "add_tags": "",
        "internal_note": "",
        "enabled": "on",
        **overrides,
    }


def test_an_agent_adds_changes_and_deletes_a_personal_macro(client, junior):
    client.force_login(junior)

    added = client.post(reverse("macro_list"), _data(add_tags="thanks, Polite"))
    macro = Macro.objects.get()
    changed = client.post(reverse("macro_edit", args=[macro.pk]), _data(set_status="solved"))
    macro.refresh_from_db()
    state = (macro.owner_id, macro.team_id, macro.set_status, macro.add_tags)
    deleted = client.post(reverse("macro_delete", args=[macro.pk]))

    assert (added.status_code, changed.status_code, deleted.status_code) == (302, 302, 302)
    assert state == (junior.pk, None, "solved", [])
    assert Macro.objects.count() == 0
    assert list(
        AuditEvent.objects.filter(object_type="tickets.macro")
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["macro.created", "macro.changed", "macro.deleted"]


def test_the_page_lists_own_and_team_macros_but_not_others(client, junior, senior, team):
    factories.MacroFactory(team=team, name="Team refund", set_status="pending")
    factories.MacroFactory(team=factories.TeamFactory(name="Billing"), name="Billing refund")
    factories.MacroFactory(team=None, owner=junior, name="Mine")
    factories.MacroFactory(team=None, owner=senior, name="Senior's")
    client.force_login(junior)

    response = client.get(reverse("macro_list"))

    assert [m.name for m in response.context["personal"]] == ["Mine"]
    assert [(m.name, actions) for m, actions in response.context["team_macros"]] == [
        ("Team refund", ["set status to Pending"])
    ]
    assert "Billing refund" not in response.content.decode()


@pytest.mark.parametrize("whose", ["team", "senior"])
def test_a_team_macro_or_anothers_personal_macro_is_not_there(client, junior, senior, team, whose):
    macro = (
        factories.MacroFactory(team=team, name="Team refund")
        if whose == "team"
        else factories.MacroFactory(team=None, owner=senior, name="Senior's")
    )
    client.force_login(junior)

    page = client.get(reverse("macro_edit", args=[macro.pk]))
    post = client.post(reverse("macro_edit", args=[macro.pk]), _data())
    delete = client.post(reverse("macro_delete", args=[macro.pk]))

    assert (page.status_code, post.status_code, delete.status_code) == (404, 404, 404)
    assert Macro.objects.get(pk=macro.pk).name == macro.name
    assert AuditEvent.objects.count() == 0


def test_bad_values_come_back_with_the_field_named(client, junior):
    client.force_login(junior)

    response = client.post(
        reverse("macro_list"), _data(body="Hi {{ customer_phone }}", add_tags="escalate")
    )

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["add_tags", "body"]
    assert Macro.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_name_used_twice_is_refused(client, junior):
    factories.MacroFactory(team=None, owner=junior, name="Sign-off")
    client.force_login(junior)

    response = client.post(reverse("macro_list"), _data())

    assert response.status_code == 400
    assert Macro.objects.count() == 1
