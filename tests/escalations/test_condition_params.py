"""Hand-picked conditions: the console rows, the API serializer and the OpenAPI schema accept
and refuse exactly the same conditions (and the engine's check agrees). Every registered
condition field gets generated cases in ``test_param_parity``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from escalations.admin.forms import ConditionsField
from escalations.api.serializers import RuleSerializer
from escalations.engine.conditions import conditions_clean
from tests import factories

OK, NO = True, False
FORM_CANNOT_SAY = "form-cannot-say"  # JSON types a text box cannot express

CASES: dict[str, list[tuple[str, dict[str, Any], bool, Any]]] = {
    "queue": [
        ("id", {"field": "queue", "op": "eq", "value": 7}, OK, None),
        ("ids", {"field": "queue", "op": "in", "value": [7, 8]}, OK, None),
        ("text", {"field": "queue", "op": "eq", "value": "seven"}, NO, None),
        ("order-op", {"field": "queue", "op": "gte", "value": 7}, NO, None),
        ("empty-list", {"field": "queue", "op": "in", "value": []}, NO, FORM_CANNOT_SAY),
        ("boolean", {"field": "queue", "op": "eq", "value": True}, NO, FORM_CANNOT_SAY),
    ],
    "team": [
        ("id", {"field": "team", "op": "ne", "value": 3}, OK, None),
        ("list-for-eq", {"field": "team", "op": "eq", "value": [3]}, NO, FORM_CANNOT_SAY),
    ],
    "priority": [
        ("at-least", {"field": "priority", "op": "gte", "value": "high"}, OK, None),
        ("one-of", {"field": "priority", "op": "in", "value": ["high", "urgent"]}, OK, None),
        ("unknown", {"field": "priority", "op": "eq", "value": "sky-high"}, NO, None),
        ("number", {"field": "priority", "op": "eq", "value": 3}, NO, FORM_CANNOT_SAY),
    ],
    "tier": [
        ("above", {"field": "tier", "op": "gt", "value": "free"}, OK, None),
        ("unknown", {"field": "tier", "op": "lt", "value": "gold"}, NO, None),
    ],
    "status": [
        ("is", {"field": "status", "op": "eq", "value": "open"}, OK, None),
        ("order-op", {"field": "status", "op": "gte", "value": "open"}, NO, None),
    ],
    "tag": [
        ("name", {"field": "tag", "op": "eq", "value": "vip"}, OK, None),
        ("names", {"field": "tag", "op": "not_in", "value": ["vip", "spam"]}, OK, None),
        ("blank", {"field": "tag", "op": "eq", "value": "   "}, NO, FORM_CANNOT_SAY),
        ("number", {"field": "tag", "op": "eq", "value": 5}, NO, FORM_CANNOT_SAY),
        ("order-op", {"field": "tag", "op": "gt", "value": "vip"}, NO, None),
    ],
}

PARAMS = [
    pytest.param(key, condition, expected, note, id=f"{key}-{name}")
    for key, cases in CASES.items()
    for name, condition, expected, note in cases
]


@pytest.fixture(scope="module")
def conditions_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["components"]["schemas"]["RuleRequest"]["properties"]["conditions"]


def engine_accepts(condition: dict[str, Any]) -> bool:
    try:
        conditions_clean([condition])
    except ValidationError:
        return False
    return True


def form_accepts(condition: dict[str, Any]) -> bool:
    value = condition["value"]
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    field = ConditionsField()
    try:
        field.clean([{"field": condition["field"], "op": condition["op"], "value": text}])
    except ValidationError:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "condition", "expected", "note"), PARAMS)
def test_form_serializer_and_schema_agree(conditions_schema, key, condition, expected, note):
    team = factories.TeamFactory(name="Alpha")
    lead = factories.LeadFactory(team=team)
    target = factories.TargetFactory(kind="team_lead", team=team)
    serializer = RuleSerializer(
        data={
            "name": "R",
            "trigger": {"kind": "tier_upgrade"},
            "conditions": [condition],
            "target": target.pk,
        },
        context={"request": SimpleNamespace(user=lead, method="POST")},
    )

    assert engine_accepts(condition) is expected
    assert jsonschema.Draft7Validator(conditions_schema).is_valid([condition]) is expected
    assert serializer.is_valid() is expected, serializer.errors
    if not expected:
        assert list(serializer.errors) == ["conditions"]
    if note != FORM_CANNOT_SAY:
        assert form_accepts(condition) is expected
