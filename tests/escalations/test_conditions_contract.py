"""What the condition language promises beyond matching: the exact refusal for each bad entry,
the meaning of a stored condition without an operator, and the JSON Schema each field publishes
(the OpenAPI document and the console derive from it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from escalations.engine.conditions import (
    CONDITION_FIELDS,
    Condition,
    ConditionField,
    conditions_clean,
    conditions_match,
    conditions_parse,
)
from escalations.models import Rule
from tests import factories

from .test_conditions import make_context


@pytest.mark.parametrize(
    ("raw", "messages"),
    [
        pytest.param(
            [{"field": "queue", "op": "eq", "value": "3"}],
            ["Condition 1: queue value must be an integer id."],
            id="queue-id-as-string",
        ),
        pytest.param(
            [{"field": "tag", "value": "   "}],
            ["Condition 1: tag value must be a non-empty tag name."],
            id="blank-tag",
        ),
        pytest.param(
            [["queue"]],
            ["Condition 1: must be an object with keys field, op and value."],
            id="entry-is-a-list",
        ),
        pytest.param(
            [{"field": "priority", "value": "extreme"}],
            ["Condition 1: priority value must be one of low, normal, high, urgent."],
            id="unknown-priority",
        ),
        pytest.param(
            [{"field": "tier", "op": "in", "value": ["premium", "gold"]}],
            ["Condition 1: tier value must be one of free, standard, premium, enterprise."],
            id="unknown-tier-in-a-list",
        ),
        pytest.param(
            [{"field": "status", "op": "gt", "value": "open"}],
            ["Condition 1: status does not support 'gt'; use eq, ne, in, not_in."],
            id="order-op-on-status",
        ),
        pytest.param(
            [{"field": "colour", "value": "red"}],
            [
                "Condition 1: unknown field 'colour'; use one of queue, team, priority, tier, "
                "status, tag."
            ],
            id="unknown-field",
        ),
        pytest.param(
            [{"field": "team", "op": "not_in", "value": 7}],
            ["Condition 1: team value needs a non-empty list of values."],
            id="not-in-without-a-list",
        ),
        pytest.param(
            [{"field": "queue", "value": 3}, {"field": "tag", "value": ""}, ["x"]],
            [
                "Condition 2: tag value must be a non-empty tag name.",
                "Condition 3: must be an object with keys field, op and value.",
            ],
            id="every-bad-entry-named",
        ),
        pytest.param(
            [
                ["queue"],
                {"field": "colour", "value": "red"},
                {"field": "status", "op": "gt", "value": "open"},
                {"field": "tag", "value": ""},
            ],
            [
                "Condition 1: must be an object with keys field, op and value.",
                "Condition 2: unknown field 'colour'; use one of queue, team, priority, tier, "
                "status, tag.",
                "Condition 3: status does not support 'gt'; use eq, ne, in, not_in.",
                "Condition 4: tag value must be a non-empty tag name.",
            ],
            id="each-kind-of-error-then-the-next-entry",
        ),
        pytest.param(
            {"field": "queue", "value": 3},
            ["Conditions must be a list of {field, op, value} objects."],
            id="not-a-list",
        ),
    ],
)
def test_conditions_clean_names_each_bad_entry(raw, messages):
    with pytest.raises(ValidationError) as excinfo:
        conditions_clean(raw)

    assert excinfo.value.messages == messages


@pytest.mark.parametrize("raw", [None, "", []], ids=["none", "empty-text", "empty-list"])
def test_no_conditions_clean_to_an_empty_list(raw):
    assert conditions_clean(raw) == []


def test_clean_keeps_every_good_entry_in_order():
    raw = [
        {"field": "queue", "op": "in", "value": [3, 4]},
        {"field": "priority", "op": "gte", "value": "high"},
        {"field": "tag", "op": "not_in", "value": [" Spam ", "LEGAL"]},
    ]

    assert conditions_clean(raw) == [
        {"field": "queue", "op": "in", "value": [3, 4]},
        {"field": "priority", "op": "gte", "value": "high"},
        {"field": "tag", "op": "not_in", "value": ["spam", "legal"]},
    ]


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        pytest.param({"field": "queue", "value": 3}, True, id="same-queue"),
        pytest.param({"field": "queue", "value": 4}, False, id="other-queue"),
        pytest.param({"field": "tag", "value": "vip"}, True, id="has-tag"),
    ],
)
def test_a_stored_condition_without_an_operator_means_eq(stored, expected):
    assert conditions_parse([stored]) == (Condition(stored["field"], "eq", stored["value"]),)
    assert conditions_match([stored], make_context()) is expected


def test_an_unknown_operator_is_an_error_naming_it():
    field = CONDITION_FIELDS.get("queue")

    with pytest.raises(ValueError, match=r"^between$"):
        field.compare(3, "between", 3)


def test_every_field_declares_its_operators():
    ops = {field.key: field.ops for field in CONDITION_FIELDS}

    assert ops == {
        "queue": ("eq", "ne", "in", "not_in"),
        "team": ("eq", "ne", "in", "not_in"),
        "priority": ("eq", "ne", "in", "not_in", "gte", "lte", "gt", "lt"),
        "tier": ("eq", "ne", "in", "not_in", "gte", "lte", "gt", "lt"),
        "status": ("eq", "ne", "in", "not_in"),
        "tag": ("eq", "ne", "in", "not_in"),
    }


def schema_of(field: ConditionField, value: dict[str, Any], scalar_ops: list[str]) -> dict:
    return {
        "title": field.label,
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "enum": [field.key]},
                    "op": {"type": "string", "enum": scalar_ops, "default": "eq"},
                    "value": value,
                },
                "required": ["field", "value"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "enum": [field.key]},
                    "op": {"type": "string", "enum": ["in", "not_in"]},
                    "value": {"type": "array", "items": value, "minItems": 1},
                },
                "required": ["field", "op", "value"],
                "additionalProperties": False,
            },
        ],
    }


@pytest.mark.parametrize(
    ("key", "value", "scalar_ops"),
    [
        pytest.param(
            "queue", {"type": "integer", "description": "A queue id."}, ["eq", "ne"], id="queue"
        ),
        pytest.param(
            "team", {"type": "integer", "description": "A team id."}, ["eq", "ne"], id="team"
        ),
        pytest.param(
            "priority",
            {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
            ["eq", "ne", "gte", "lte", "gt", "lt"],
            id="priority",
        ),
        pytest.param(
            "tier",
            {"type": "string", "enum": ["free", "standard", "premium", "enterprise"]},
            ["eq", "ne", "gte", "lte", "gt", "lt"],
            id="tier",
        ),
        pytest.param(
            "status",
            {
                "type": "string",
                "enum": ["new", "open", "pending", "on_hold", "solved", "closed"],
            },
            ["eq", "ne"],
            id="status",
        ),
        pytest.param(
            "tag",
            {"type": "string", "pattern": r"\S", "description": "A tag name."},
            ["eq", "ne"],
            id="tag",
        ),
    ],
)
def test_each_field_publishes_its_json_schema(key, value, scalar_ops):
    field = CONDITION_FIELDS.get(key)

    assert field.value_json_schema() == value
    assert field.json_schema() == schema_of(field, value, scalar_ops)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "conditions",
    [
        pytest.param([["queue"]], id="entry-is-a-list"),
        pytest.param([{"field": "queue", "value": "3"}], id="queue-id-as-string"),
        pytest.param([{"field": "tag", "value": " "}], id="blank-tag"),
    ],
)
def test_the_rules_api_answers_bad_conditions_with_a_400_naming_the_field(conditions):
    team = factories.TeamFactory(name="Alpha")
    lead = factories.LeadFactory(team=team)
    target = factories.TargetFactory(kind="team_lead", team=team)
    client = APIClient()
    client.force_authenticate(lead)
    body = {
        "name": "R",
        "trigger": {"kind": "tier_upgrade"},
        "conditions": conditions,
        "target": target.pk,
    }

    response = client.post("/api/v1/rules/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["conditions"]
    assert Rule.objects.count() == 0
