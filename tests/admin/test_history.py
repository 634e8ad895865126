"""History pages show our audit events with a before/after diff; a change can be reverted."""

from __future__ import annotations

from django.contrib.messages import get_messages

from escalations.models import AuditEvent, SLAClock, SLAPolicy
from tests import factories
from tickets.services import ticket_create

from .conftest import conditions_management, rule_post_data


def _change_rule(client, rule, **overrides):
    values = {"name": rule.name, "team": rule.team_id, "target": rule.target_id, "_save": "Save"}
    data = rule_post_data(**{**values, **overrides})
    return client.post(f"/admin/escalations/rule/{rule.pk}/change/", data)


def test_history_shows_before_and_after(client, lead_a, rule_a):
    # Given a rule renamed and reordered through the admin
    client.force_login(lead_a)
    _change_rule(client, rule_a, name="Very angry customers", order="5")

    # When its history page opens
    response = client.get(f"/admin/escalations/rule/{rule_a.pk}/history/")

    # Then the change is listed with each field's before and after
    [entry] = response.context["entries"]
    assert entry.event.kind == "rule.changed"
    assert entry.event.actor_id == lead_a.pk
    assert sorted((c.label, c.before, c.after) for c in entry.changes) == [
        ("Name", "Angry customers", "Very angry customers"),
        ("Order", "100", "5"),
    ]
    html = response.content.decode()
    assert (
        '<td class="kd-before">Angry customers</td><td class="kd-after">Very angry customers</td>'
        in html
    )
    assert "Revert this change" in html


def test_revert_restores_the_before_picture_and_is_audited(client, lead_a, rule_a):
    # Given a change to a rule's name and conditions
    client.force_login(lead_a)
    _change_rule(
        client,
        rule_a,
        name="Changed",
        **{
            **conditions_management(1),
            "conditions-0-field": "priority",
            "conditions-0-op": "eq",
            "conditions-0-value": "urgent",
        },
    )
    change = AuditEvent.objects.get(kind="rule.changed")

    # When that change is reverted from the history page
    response = client.post(f"/admin/escalations/rule/{rule_a.pk}/history/{change.pk}/revert/")

    # Then the rule is as before, and the revert is its own audit event
    assert response.status_code == 302
    assert response["Location"] == f"/admin/escalations/rule/{rule_a.pk}/history/"
    rule_a.refresh_from_db()
    assert (rule_a.name, rule_a.conditions) == ("Angry customers", [])
    revert = AuditEvent.objects.get(kind="rule.reverted")
    assert revert.data == {"reverted_event": change.pk}
    assert revert.actor_id == lead_a.pk
    assert (revert.before["name"], revert.after["name"]) == ("Changed", "Angry customers")
    assert AuditEvent.objects.count() == 2


def test_revert_that_no_longer_validates_changes_nothing(
    client, superuser, rule_a, senior_a, team_a
):
    # Given a rule whose target was changed, and the old target's agent deactivated since
    client.force_login(superuser)
    new_target = factories.TargetFactory(name="Lead", team=team_a)
    _change_rule(client, rule_a, target=str(new_target.pk))
    change = AuditEvent.objects.get(kind="rule.changed")
    senior_a.is_active = False
    senior_a.save()

    # When the change is reverted
    response = client.post(
        f"/admin/escalations/rule/{rule_a.pk}/history/{change.pk}/revert/", follow=True
    )

    # Then it is refused with the validation message, and nothing is written
    errors = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert errors == [f"Not reverted: {senior_a} is not an active agent."]
    rule_a.refresh_from_db()
    assert rule_a.target_id == new_target.pk
    assert AuditEvent.objects.filter(kind="rule.reverted").count() == 0


def test_revert_needs_post_and_change_permission(client, lead_a, lead_b, rule_a):
    client.force_login(lead_a)
    _change_rule(client, rule_a, name="Changed")
    change = AuditEvent.objects.get()
    url = f"/admin/escalations/rule/{rule_a.pk}/history/{change.pk}/revert/"

    get_response = client.get(url)
    client.force_login(lead_b)
    other_lead_response = client.post(url)

    assert get_response.status_code == 405
    assert other_lead_response.status_code == 302
    assert other_lead_response["Location"] == "/admin/"
    rule_a.refresh_from_db()
    assert rule_a.name == "Changed"
    assert AuditEvent.objects.count() == 1


def test_creation_cannot_be_reverted(client, lead_a, target_a):
    client.force_login(lead_a)
    client.post(
        "/admin/escalations/rule/add/",
        rule_post_data(name="Fresh", team=lead_a.team_id, target=target_a.pk),
    )
    created = AuditEvent.objects.get()

    history = client.get(f"/admin/escalations/rule/{created.object_id}/history/")
    response = client.post(
        f"/admin/escalations/rule/{created.object_id}/history/{created.pk}/revert/", follow=True
    )

    assert "Revert this change" not in history.content.decode()
    assert [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"] == [
        "Not reverted: A creation cannot be reverted; delete the object instead."
    ]


def _policy_data(policy, calendar, **overrides):
    data = {
        "name": policy.name,
        "team": policy.team_id,
        "enabled": "on",
        "order": "100",
        **conditions_management(0),
        "calendar": calendar.pk,
        "amber_percent": "75",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "1",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-id": policy.targets.get().pk,
        "targets-0-policy": policy.pk,
        "targets-0-metric": "first_response",
        "targets-0-priority": "",
        "targets-0-tier": "",
        "targets-0-minutes": "60",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_policy_change_with_inline_targets_is_audited_and_reverts(
    client, lead_a, policy_a, calendar_a
):
    # Given an SLA policy whose amber point and target minutes are changed
    client.force_login(lead_a)
    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/change/",
        _policy_data(policy_a, calendar_a, amber_percent="50", **{"targets-0-minutes": "30"}),
    )
    assert response.status_code == 302
    change = AuditEvent.objects.get(kind="slapolicy.changed")
    assert change.before["targets"] == [
        {"metric": "first_response", "priority": None, "tier": None, "minutes": 60}
    ]
    assert change.after["targets"][0]["minutes"] == 30
    assert (change.before["amber_percent"], change.after["amber_percent"]) == (75, 50)

    # When the change is reverted
    client.post(f"/admin/escalations/slapolicy/{policy_a.pk}/history/{change.pk}/revert/")

    # Then the policy and its targets are back
    policy = SLAPolicy.objects.get()
    assert policy.amber_percent == 75
    assert list(policy.targets.values_list("metric", "minutes")) == [("first_response", 60)]
    assert AuditEvent.objects.filter(kind="slapolicy.reverted").count() == 1


def test_deleting_a_rule_is_audited(client, lead_a, rule_a):
    client.force_login(lead_a)

    response = client.post(f"/admin/escalations/rule/{rule_a.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.kind, event.before["name"], event.after) == (
        "rule.deleted",
        "Angry customers",
        None,
    )


def test_policy_with_amber_out_of_range_is_refused(client, lead_a, policy_a, calendar_a):
    client.force_login(lead_a)

    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/change/",
        _policy_data(policy_a, calendar_a, amber_percent="150"),
    )

    form = response.context["adminform"].form
    assert form.errors["amber_percent"] == ["Amber percent must be a whole number from 1 to 99."]
    policy_a.refresh_from_db()
    assert policy_a.amber_percent == 75
    assert AuditEvent.objects.count() == 0


def test_policy_change_recomputes_open_tickets_clocks(
    client, django_capture_on_commit_callbacks, lead_a, policy_a, calendar_a, queue_a
):
    # Given an open ticket of team A whose first-response clock runs on the 60-minute target
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            subject="Where is my order?",
            customer=factories.CustomerFactory(),
            body="Still waiting.",
            queue=queue_a,
        )
    clock = SLAClock.objects.get(ticket=ticket, metric="first_response")
    assert (clock.policy_id, clock.target_minutes) == (policy_a.pk, 60)
    client.force_login(lead_a)

    # When the lead shortens the target to 30 minutes in the admin
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/escalations/slapolicy/{policy_a.pk}/change/",
            _policy_data(policy_a, calendar_a, **{"targets-0-minutes": "30"}),
        )

    # Then the open ticket's clock runs on the new target
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.target_minutes == 30
