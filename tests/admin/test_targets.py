"""Targets: resolvable or refused, and the Slack webhook URL is write-only."""

from __future__ import annotations

import pytest

from escalations.models import AuditEvent, Target, TargetKind
from tests import factories

from .conftest import SLACK_URL

ADD_URL = "/admin/escalations/target/add/"
SECRET_PART = "s3cretT0ken"


def target_data(**overrides):
    data = {"name": "T", "kind": "team_lead", "team": "", "agent": "", "queue": ""}
    data["slack_webhook_url"] = ""
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        pytest.param(
            "junior", "agent", "{agent} is not a senior agent or a lead.", id="not-senior"
        ),
        pytest.param(
            "inactive",
            "agent",
            "{agent} is not an active agent.",
            id="inactive",
        ),
        pytest.param(
            "other_queue",
            "queue",
            "Bravo / Triage is not a queue of this target's team.",
            id="queue-of-other-team",
        ),
        pytest.param(
            "bad_slack",
            "slack_webhook_url",
            "Enter a Slack incoming-webhook URL of the form https://hooks.slack.com/services/…",
            id="bad-slack-url",
        ),
    ],
)
def test_unresolvable_target_is_refused(
    client, superuser, team_a, team_b, senior_a, junior_a, case, field, message
):
    # Given a target that could not be resolved when a rule fires
    client.force_login(superuser)
    agent = junior_a if case == "junior" else senior_a
    if case == "inactive":
        senior_a.is_active = False
        senior_a.save()
    data = {
        "junior": target_data(kind="agent", team=team_a.pk, agent=junior_a.pk),
        "inactive": target_data(kind="agent", team=team_a.pk, agent=senior_a.pk),
        "other_queue": target_data(
            kind="queue",
            team=team_a.pk,
            queue=factories.QueueFactory(name="Triage", team=team_b).pk,
        ),
        "bad_slack": target_data(
            kind="slack", team=team_a.pk, slack_webhook_url="http://example.com/hook"
        ),
    }[case]

    # When it is saved
    response = client.post(ADD_URL, data)

    # Then the field says why, and nothing is written
    assert response.context["adminform"].form.errors[field] == [message.format(agent=agent)]
    assert Target.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert "example.com/hook" not in response.content.decode()


def test_slack_target_needs_its_url(client, lead_a):
    client.force_login(lead_a)

    response = client.post(ADD_URL, target_data(kind="slack", team=lead_a.team_id))

    assert response.context["adminform"].form.errors["slack_webhook_url"] == [
        "Slack webhook URL is required."
    ]
    assert Target.objects.count() == 0


def test_slack_url_is_stored_and_never_shown_in_any_admin_page(client, lead_a, superuser):
    # Given a Slack target created through the admin and then renamed
    client.force_login(lead_a)
    client.post(
        ADD_URL,
        target_data(name="Ops", kind="slack", team=lead_a.team_id, slack_webhook_url=SLACK_URL),
    )
    target = Target.objects.get()
    assert target.slack_webhook_url == SLACK_URL
    client.post(
        f"/admin/escalations/target/{target.pk}/change/",
        target_data(name="Ops room", kind="slack", team=lead_a.team_id),
    )
    rule = factories.RuleFactory(team=lead_a.team, target=target)

    # When every admin page that could show it is opened, by the lead and by an admin
    pages = [
        "/admin/escalations/target/",
        f"/admin/escalations/target/{target.pk}/change/",
        f"/admin/escalations/target/{target.pk}/history/",
        f"/admin/escalations/target/{target.pk}/delete/",
        f"/admin/escalations/rule/{rule.pk}/change/",
        "/admin/escalations/auditevent/",
        f"/admin/escalations/auditevent/{AuditEvent.objects.first().pk}/change/",
    ]
    bodies = []
    for user in (lead_a, superuser):
        client.force_login(user)
        bodies += [client.get(url) for url in pages]

    # Then the URL (kept on the empty edit) appears in none of them
    target.refresh_from_db()
    assert target.name == "Ops room"
    assert target.slack_webhook_url == SLACK_URL
    statuses = [r.status_code for r in bodies]
    assert statuses == [200] * 14
    assert not [r.request["PATH_INFO"] for r in bodies if SECRET_PART in r.content.decode()]


def test_invalid_form_does_not_echo_a_new_slack_url(client, lead_a, slack_target_a):
    # Given a change with a new URL but a blank name
    client.force_login(lead_a)
    new_url = "https://hooks.slack.com/services/T111/B111/an0therS3cret"

    # When it is posted
    response = client.post(
        f"/admin/escalations/target/{slack_target_a.pk}/change/",
        target_data(name="", kind="slack", team=lead_a.team_id, slack_webhook_url=new_url),
    )

    # Then the form is refused without showing the URL back, and the stored one is unchanged
    assert response.context["adminform"].form.errors["name"] == ["This field is required."]
    assert "an0therS3cret" not in response.content.decode()
    slack_target_a.refresh_from_db()
    assert slack_target_a.slack_webhook_url == SLACK_URL


def test_new_slack_url_replaces_the_stored_one_and_audit_masks_it(client, lead_a, slack_target_a):
    client.force_login(lead_a)
    new_url = "https://hooks.slack.com/services/T111/B111/an0therS3cret"

    client.post(
        f"/admin/escalations/target/{slack_target_a.pk}/change/",
        target_data(
            name="Ops channel", kind="slack", team=lead_a.team_id, slack_webhook_url=new_url
        ),
    )

    slack_target_a.refresh_from_db()
    assert slack_target_a.slack_webhook_url == new_url
    event = AuditEvent.objects.get()
    assert event.kind == "target.changed"
    assert (event.before["slack_webhook_url"], event.after["slack_webhook_url"]) == ("••••", "••••")


def test_target_list_columns(client, lead_a, target_a, slack_target_a):
    client.force_login(lead_a)

    response = client.get("/admin/escalations/target/")

    html = response.content.decode()
    assert "Slack webhook URL stored (not shown)" in html
    assert str(target_a.agent) in html
    assert target_a.kind == TargetKind.AGENT
