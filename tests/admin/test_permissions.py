"""Who reaches which admin page: each role against each changelist, add and change page."""

from __future__ import annotations

import pytest

from escalations.audit import audit_record, audit_snapshot
from escalations.models import SlackDelivery
from tests import factories

OK, REFUSED, INDEX, DENIED = "ok", "refused", "index", "denied"
ROLES = ("superuser", "lead_a", "lead_b", "senior_a", "junior_a")

# page: expected outcome for (admin, lead of team A, lead of team B, senior, junior).
# Objects on "change" pages belong to team A; lead B is sent back to the index ("not found").
MATRIX = {
    "index": (OK, OK, OK, REFUSED, REFUSED),
    "rule changelist": (OK, OK, OK, REFUSED, REFUSED),
    "rule add": (OK, OK, OK, REFUSED, REFUSED),
    "rule change": (OK, OK, INDEX, REFUSED, REFUSED),
    "rule history": (OK, OK, INDEX, REFUSED, REFUSED),
    "rule preview": (OK, OK, INDEX, REFUSED, REFUSED),
    "target changelist": (OK, OK, OK, REFUSED, REFUSED),
    "target add": (OK, OK, OK, REFUSED, REFUSED),
    "target change": (OK, OK, INDEX, REFUSED, REFUSED),
    "slapolicy changelist": (OK, OK, OK, REFUSED, REFUSED),
    "slapolicy add": (OK, OK, OK, REFUSED, REFUSED),
    "slapolicy change": (OK, OK, INDEX, REFUSED, REFUSED),
    "calendar changelist": (OK, OK, OK, REFUSED, REFUSED),
    "calendar add": (OK, OK, OK, REFUSED, REFUSED),
    "calendar change": (OK, OK, INDEX, REFUSED, REFUSED),
    "queue changelist": (OK, OK, OK, REFUSED, REFUSED),
    "queue add": (OK, OK, OK, REFUSED, REFUSED),
    "queue change": (OK, OK, INDEX, REFUSED, REFUSED),
    "slackdelivery changelist": (OK, OK, OK, REFUSED, REFUSED),
    "slackdelivery add": (DENIED, DENIED, DENIED, REFUSED, REFUSED),
    "slackdelivery change": (OK, OK, INDEX, REFUSED, REFUSED),
    "escalation changelist": (OK, OK, OK, REFUSED, REFUSED),
    "escalation add": (DENIED, DENIED, DENIED, REFUSED, REFUSED),
    "escalation change": (OK, OK, INDEX, REFUSED, REFUSED),
    # Leads read the audit log as the API gives it: the changes of their team's configuration
    # (this row: team A's rule) and the rows of tickets they see; nobody writes it.
    "auditevent changelist": (OK, OK, OK, REFUSED, REFUSED),
    "auditevent add": (DENIED, DENIED, DENIED, REFUSED, REFUSED),
    "auditevent change": (OK, OK, INDEX, REFUSED, REFUSED),
    "team changelist": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "team add": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "team change": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "agent changelist": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "agent add": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "agent change": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "customer changelist": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "ticket changelist": (OK, DENIED, DENIED, REFUSED, REFUSED),
    "tag changelist": (OK, DENIED, DENIED, REFUSED, REFUSED),
}

CASES = [
    pytest.param(page, role, expected[i], id=f"{page.replace(' ', '-')}-{role}")
    for page, expected in MATRIX.items()
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def objects(team_a, rule_a, slack_target_a, policy_a, queue_a, senior_a, superuser):
    delivery = SlackDelivery.objects.create(target=slack_target_a, payload={"text": "hi"})
    event = audit_record(
        kind="rule.changed", actor=superuser, obj=rule_a, before={}, after=audit_snapshot(rule_a)
    )
    escalation = factories.EscalationFactory(ticket=factories.TicketFactory(queue=queue_a))
    return {
        "escalation": escalation.pk,
        "rule": rule_a.pk,
        "target": slack_target_a.pk,
        "slapolicy": policy_a.pk,
        "calendar": policy_a.calendar_id,
        "queue": queue_a.pk,
        "slackdelivery": delivery.pk,
        "auditevent": event.pk,
        "team": team_a.pk,
        "agent": senior_a.pk,
    }


def page_url(page: str, objects: dict[str, int]) -> str:
    if page == "index":
        return "/admin/"
    model, view = page.split()
    app = (
        "tickets"
        if model in ("queue", "team", "agent", "customer", "ticket", "tag")
        else "escalations"
    )
    base = f"/admin/{app}/{model}/"
    if view == "changelist":
        return base
    if view == "add":
        return f"{base}add/"
    suffix = {"change": "change", "history": "history", "preview": "preview"}[view]
    return f"{base}{objects[model]}/{suffix}/"


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_admin_page_access_by_role(
    request, client, objects, lead_a, lead_b, junior_a, page, role, expected
):
    # Given a signed-in agent of the role
    client.force_login(request.getfixturevalue(role))
    url = page_url(page, objects)

    # When they open the page
    response = client.get(url)

    # Then they get it, or are refused the way the admin refuses
    if expected == OK:
        assert response.status_code == 200
    elif expected == DENIED:
        assert response.status_code == 403
    elif expected == REFUSED:
        assert response.status_code == 403
        assert "The console is for team leads and admins" in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == "/admin/"


def test_lead_changelists_list_only_their_team(client, lead_a, rule_a, team_b):
    # Given a rule of team B next to team A's
    other = factories.RuleFactory(name="Bravo rule", team=team_b, target=None)
    client.force_login(lead_a)

    # When lead A lists rules
    response = client.get("/admin/escalations/rule/")

    # Then only team A's rule is there
    assert [r.pk for r in response.context["cl"].result_list] == [rule_a.pk]
    assert other.name not in response.content.decode()


def test_lead_form_offers_only_their_team_choices(client, lead_a, target_a, team_b):
    # Given a target of team B
    factories.TargetFactory(name="Bravo target", team=team_b)
    client.force_login(lead_a)

    # When lead A opens the add-rule form
    form = client.get("/admin/escalations/rule/add/").context["adminform"].form

    # Then team and target choices are team A's only, and a team is required
    assert list(form.fields["team"].queryset) == [lead_a.team]
    assert form.fields["team"].required is True
    assert list(form.fields["target"].queryset) == [target_a]
    assert form.initial["team"] == lead_a.team_id


def test_lead_cannot_post_a_rule_for_another_team(client, lead_a, team_b):
    # Given lead A
    from escalations.models import Rule

    from .conftest import rule_post_data

    client.force_login(lead_a)

    # When they post a rule owned by team B
    response = client.post("/admin/escalations/rule/add/", rule_post_data(team=team_b.pk))

    # Then it is refused and nothing is written
    assert response.status_code == 200
    assert "team" in response.context["adminform"].form.errors
    assert Rule.objects.count() == 0


def test_lead_b_cannot_change_team_a_rule_by_post(client, lead_b, rule_a):
    # Given lead B and team A's rule
    from .conftest import rule_post_data

    client.force_login(lead_b)

    # When lead B posts a change to it
    response = client.post(
        f"/admin/escalations/rule/{rule_a.pk}/change/", rule_post_data(name="Hijacked")
    )

    # Then the admin answers "not found" and the rule is unchanged
    assert response.status_code == 302
    rule_a.refresh_from_db()
    assert rule_a.name == "Angry customers"
