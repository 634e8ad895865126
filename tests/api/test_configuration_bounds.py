"""Every duration and amount of the configuration has a documented upper bound
(``kimondesk.bounds``), the same in the API, the admin and the model."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from escalations.models import Rule, SLAPolicy
from kimondesk.bounds import MINUTES_MAX
from tests import factories

pytestmark = pytest.mark.django_db


def _rule(target, **fields):
    return {
        "name": "Angry customers",
        "trigger": {"kind": "sentiment_negative", "params": {}},
        "conditions": [],
        "target": target.pk,
    } | fields


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param(
            "ack_limit_minutes",
            10**15,
            f"Ensure this value is less than or equal to {MINUTES_MAX}.",
            id="ack-limit-huge",
        ),
        pytest.param(
            "ack_limit_minutes",
            0,
            "Ensure this value is greater than or equal to 1.",
            id="ack-limit-zero",
        ),
        pytest.param(
            "cooldown_minutes",
            10**12,
            f"Ensure this value is less than or equal to {MINUTES_MAX}.",
            id="cooldown-huge",
        ),
        pytest.param(
            "cooldown_minutes",
            -1,
            "Ensure this value is greater than or equal to 0.",
            id="cooldown-negative",
        ),
    ],
)
def test_rule_minutes_out_of_bounds_are_a_400_naming_the_field(
    client_for, lead, field, value, message
):
    target = factories.TargetFactory(team=lead.team)

    response = client_for(lead).post(
        "/api/v1/rules/", _rule(target, **{field: value}), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert Rule.objects.count() == 0


def test_rule_minutes_at_the_bound_are_accepted(client_for, lead):
    target = factories.TargetFactory(team=lead.team)

    response = client_for(lead).post(
        "/api/v1/rules/",
        _rule(target, ack_limit_minutes=MINUTES_MAX, cooldown_minutes=MINUTES_MAX),
        format="json",
    )

    assert response.status_code == 201
    assert Rule.objects.values_list("ack_limit_minutes", "cooldown_minutes").get() == (
        MINUTES_MAX,
        MINUTES_MAX,
    )


@pytest.mark.parametrize("amount", ["1e400", "10000000000", "-1"])
def test_a_refund_threshold_out_of_bounds_is_a_400_not_a_500(client_for, lead, amount):
    target = factories.TargetFactory(team=lead.team)
    trigger = {"kind": "refund_threshold", "params": {"amount": amount, "currency": "USD"}}

    response = client_for(lead).post(
        "/api/v1/rules/", _rule(target, trigger=trigger), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["trigger"]
    assert Rule.objects.count() == 0


def test_an_sla_target_over_the_bound_is_a_400(client_for, lead):
    response = client_for(lead).post(
        "/api/v1/sla-policies/",
        {
            "name": "Slow",
            "conditions": [],
            "targets": [{"metric": "resolution", "minutes": MINUTES_MAX + 1}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "targets": {
            "0": {"minutes": [f"Ensure this value is less than or equal to {MINUTES_MAX}."]}
        }
    }
    assert SLAPolicy.objects.count() == 0


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        pytest.param(factories.RuleFactory, "cooldown_minutes", id="rule-cooldown"),
        pytest.param(factories.RuleFactory, "ack_limit_minutes", id="rule-ack-limit"),
    ],
)
def test_the_model_refuses_minutes_over_the_bound(factory, field):
    row = factory.build(**{field: MINUTES_MAX + 1})

    with pytest.raises(ValidationError) as caught:
        row.clean_fields(exclude=["target", "team", "route_queue", "route_assignee"])

    assert caught.value.message_dict == {
        field: [f"Ensure this value is less than or equal to {MINUTES_MAX}."]
    }
