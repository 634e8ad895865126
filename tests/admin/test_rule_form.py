"""The rule form: per-kind trigger parameters, conditions as rows, errors and warnings."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from escalations.models import AuditEvent, Rule, TargetKind
from kimondesk.bounds import MINUTES_MAX
from tests import factories

from .conftest import conditions_rows, rule_post_data

ADD_URL = "/admin/escalations/rule/add/"


def _form(response):
    return response.context["adminform"].form


def test_refund_rule_is_stored_with_amount_currency_and_condition_rows(client, lead_a, target_a):
    # Given lead A filling in a refund rule with two condition rows
    client.force_login(lead_a)
    data = rule_post_data(
        name="Big refunds",
        team=lead_a.team_id,
        trigger_kind="refund_threshold",
        target=target_a.pk,
        **{"tp__refund_threshold__amount": "500", "tp__refund_threshold__currency": "EUR"},
        **conditions_rows(("priority", "gte", "high"), ("tag", "in", "vip, billing")),
    )

    # When they save
    response = client.post(ADD_URL, data)

    # Then the rule holds the cleaned JSON and the creation is audited
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert rule.trigger_params == {"amount": "500.00", "currency": "EUR"}
    assert rule.conditions == [
        {"field": "priority", "op": "gte", "value": "high"},
        {"field": "tag", "op": "in", "value": ["vip", "billing"]},
    ]
    event = AuditEvent.objects.get()
    assert (event.kind, event.object_id, event.before) == ("rule.created", str(rule.pk), None)
    assert event.after["trigger_params"] == {"amount": "500.00", "currency": "EUR"}


def test_refund_rule_without_amount_or_currency_is_refused(client, lead_a, target_a):
    # Given a refund rule with neither an amount nor a currency
    client.force_login(lead_a)
    data = rule_post_data(team=lead_a.team_id, trigger_kind="refund_threshold", target=target_a.pk)

    # When it is saved
    response = client.post(ADD_URL, data)

    # Then both parameter fields carry their message and nothing is written
    errors = _form(response).errors
    assert errors["tp__refund_threshold__amount"] == ["Refund threshold is required."]
    assert errors["tp__refund_threshold__currency"] == ["Currency is required."]
    assert Rule.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_bad_condition_rows_name_the_row(client, lead_a, target_a):
    # Given a condition with a value its field does not know
    client.force_login(lead_a)
    data = rule_post_data(
        team=lead_a.team_id, target=target_a.pk, **conditions_rows(("priority", "eq", "sky-high"))
    )

    # When it is saved
    response = client.post(ADD_URL, data)

    # Then the conditions field says which row is wrong
    assert _form(response).errors["conditions"] == [
        "Condition 1: priority value must be one of low, normal, high, urgent."
    ]
    assert Rule.objects.count() == 0


def test_escalation_rule_needs_a_target(client, lead_a):
    client.force_login(lead_a)

    response = client.post(ADD_URL, rule_post_data(team=lead_a.team_id))

    assert _form(response).errors["target"] == ["An escalation rule needs a target."]
    assert Rule.objects.count() == 0


def test_admin_cannot_point_a_rule_at_another_teams_target(client, superuser, team_b, target_a):
    client.force_login(superuser)

    response = client.post(ADD_URL, rule_post_data(team=team_b.pk, target=target_a.pk))

    assert _form(response).errors["target"] == ["The target belongs to another team."]
    assert Rule.objects.count() == 0


def test_contradictory_conditions_save_with_a_warning(client, lead_a, target_a):
    # Given conditions that can never hold together
    client.force_login(lead_a)
    data = rule_post_data(
        team=lead_a.team_id,
        target=target_a.pk,
        **conditions_rows(("priority", "eq", "high"), ("priority", "eq", "low")),
    )

    # When it is saved
    response = client.post(ADD_URL, data, follow=True)

    # Then it is saved, and the lead is warned
    assert Rule.objects.count() == 1
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "These conditions can never all hold: priority eq high and priority eq low."
    ]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param(
            "unavailable_agent", "The target agent {agent} is marked unavailable.", id="agent"
        ),
        pytest.param(
            "other_team_queue",
            "The target queue Bravo / Escalations belongs to another team than this rule.",
            id="queue-team",
        ),
    ],
)
def test_unreachable_targets_save_with_a_warning(
    client, superuser, team_a, team_b, senior_a, target_a, setup, expected
):
    # Given a target that no longer reaches the rule's team
    target = target_a
    if setup == "unavailable_agent":
        senior_a.is_available = False
        senior_a.save()
    else:
        queue = factories.QueueFactory(name="Escalations", team=team_b)
        target = factories.TargetFactory(name="Bravo queue", kind=TargetKind.QUEUE, queue=queue)
    client.force_login(superuser)

    # When a rule of team A is saved with it
    response = client.post(ADD_URL, rule_post_data(team=team_a.pk, target=target.pk), follow=True)

    # Then the rule is saved with one warning
    assert Rule.objects.count() == 1
    warnings = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [expected.format(agent=senior_a)]


def test_change_form_shows_param_fieldsets_per_kind(client, lead_a, target_a):
    # Given a stored refund rule
    rule = factories.RuleFactory(
        team=lead_a.team,
        target=target_a,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "250.00", "currency": "USD"},
        conditions=[{"field": "tier", "op": "eq", "value": "premium"}],
    )
    client.force_login(lead_a)

    # When its change page opens
    response = client.get(f"/admin/escalations/rule/{rule.pk}/change/")
    html = response.content.decode()

    # Then the refund fieldset carries the stored values and the condition row is filled in
    form = _form(response)
    assert form["tp__refund_threshold__amount"].value() == "250.00"
    assert form["tp__refund_threshold__currency"].value() == "USD"
    assert "kd-kind-params kd-kind-of-trigger_kind kd-kind-refund_threshold" in html
    assert '<option value="tier" selected>' in html
    assert 'name="conditions-0-value" value="premium"' in html


def test_saving_unchanged_rule_records_no_audit_event(client, lead_a, rule_a):
    client.force_login(lead_a)
    data = rule_post_data(
        name=rule_a.name, team=lead_a.team_id, target=rule_a.target_id, _save="Save"
    )

    response = client.post(f"/admin/escalations/rule/{rule_a.pk}/change/", data)

    assert response.status_code == 302
    assert AuditEvent.objects.count() == 0


def test_rule_with_a_target_agent_deactivated_since_is_refused(client, lead_a, senior_a, target_a):
    # Given a target whose senior agent was deactivated after the target was made
    senior_a.is_active = False
    senior_a.save()
    client.force_login(lead_a)

    # When a rule is saved with it
    response = client.post(ADD_URL, rule_post_data(team=lead_a.team_id, target=target_a.pk))

    # Then the target cannot be resolved: refused, nothing written
    assert _form(response).errors["target"] == [f"{senior_a} is not an active agent."]
    assert Rule.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("ack_limit_minutes", str(10**15), id="ack-limit"),
        pytest.param("cooldown_minutes", str(10**12), id="cooldown"),
    ],
)
def test_rule_minutes_over_the_bound_are_refused(client, lead_a, target_a, field, value):
    client.force_login(lead_a)
    data = rule_post_data(team=lead_a.team_id, target=target_a.pk, **{field: value})

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert _form(response).errors[field] == [
        f"Ensure this value is less than or equal to {MINUTES_MAX}."
    ]
    assert Rule.objects.count() == 0
