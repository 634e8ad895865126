"""Hand-picked params of the trigger kinds the demo and the docs use: the console form, the API
serializer and the OpenAPI schema accept and refuse exactly the same params (and the engine's own
check agrees). Every registered kind gets generated cases in ``test_param_parity``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from escalations.admin.forms import param_field_name, rule_form_class
from escalations.api.serializers import RuleSerializer
from escalations.engine.triggers import TRIGGERS
from tests import factories

OK, NO = True, False
# Last item: the form fields that carry the error (refused cases), or FORM_CANNOT_SAY for params
# a form cannot express (unknown keys, JSON-only types).
FORM_CANNOT_SAY = "form-cannot-say"

CASES: dict[str, list[tuple[str, dict[str, Any], bool, Any]]] = {
    "sentiment_negative": [
        ("none", {}, OK, None),
        ("middle", {"max_score": -0.5}, OK, None),
        ("lowest", {"max_score": -1}, OK, None),
        ("neutral", {"max_score": 0}, OK, None),
        ("positive", {"max_score": 0.5}, NO, ("max_score",)),
        ("below-range", {"max_score": -1.5}, NO, ("max_score",)),
        ("text", {"max_score": "low"}, NO, ("max_score",)),
        ("boolean", {"max_score": True}, NO, FORM_CANNOT_SAY),
        ("null", {"max_score": None}, NO, FORM_CANNOT_SAY),
        ("unknown", {"min": 1}, NO, FORM_CANNOT_SAY),
    ],
    "refund_threshold": [
        ("string", {"amount": "500.00", "currency": "EUR"}, OK, None),
        ("whole", {"amount": "500", "currency": "USD"}, OK, None),
        ("number", {"amount": 500, "currency": "USD"}, OK, None),
        ("smallest", {"amount": "0.01", "currency": "EUR"}, OK, None),
        ("largest", {"amount": "999999999.99", "currency": "EUR"}, OK, None),
        ("too-large", {"amount": "1000000000.00", "currency": "EUR"}, NO, ("amount",)),
        ("zero", {"amount": "0", "currency": "EUR"}, NO, ("amount",)),
        ("zero-cents", {"amount": "0.00", "currency": "EUR"}, NO, ("amount",)),
        ("negative", {"amount": "-5", "currency": "EUR"}, NO, ("amount",)),
        ("three-decimals", {"amount": "500.001", "currency": "EUR"}, NO, ("amount",)),
        ("words", {"amount": "abc", "currency": "EUR"}, NO, ("amount",)),
        ("no-currency", {"amount": "500"}, NO, ("currency",)),
        ("no-amount", {"currency": "EUR"}, NO, ("amount",)),
        ("lowercase-currency", {"amount": "500", "currency": "eur"}, NO, ("currency",)),
        ("unknown-currency", {"amount": "500", "currency": "XYZ"}, NO, ("currency",)),
        ("unknown", {"amount": "500", "currency": "EUR", "x": 1}, NO, FORM_CANNOT_SAY),
    ],
    **{
        kind: [("none", {}, OK, None), ("unknown", {"percent": 50}, NO, FORM_CANNOT_SAY)]
        for kind in ("frt_amber", "sla_breach", "tier_upgrade", "escalate_tag")
    },
}

PARAMS = [
    pytest.param(kind, params, expected, form_errors_on, id=f"{kind}-{name}")
    for kind, cases in CASES.items()
    for name, params, expected, form_errors_on in cases
]


@pytest.fixture(scope="module")
def trigger_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["components"]["schemas"]["RuleRequest"]["properties"]["trigger"]


@pytest.fixture
def lead_and_target(db):
    team = factories.TeamFactory(name="Alpha")
    lead = factories.LeadFactory(team=team)
    return lead, factories.TargetFactory(kind="team_lead", team=team)


def engine_accepts(kind: str, params: dict[str, Any]) -> bool:
    try:
        TRIGGERS.get(kind).clean_params(params)
    except ValidationError:
        return False
    return True


def schema_accepts(trigger_schema: dict[str, Any], kind: str, params: dict[str, Any]) -> bool:
    validator = jsonschema.Draft7Validator(trigger_schema)
    return validator.is_valid({"kind": kind, "params": params})


def serializer_accepts(lead, target, kind: str, params: dict[str, Any]) -> tuple[bool, dict]:
    data = {"name": "R", "trigger": {"kind": kind, "params": params}, "target": target.pk}
    serializer = RuleSerializer(
        data=data, context={"request": SimpleNamespace(user=lead, method="POST")}
    )
    return serializer.is_valid(), dict(serializer.errors)


def form_accepts(lead, target, kind: str, params: dict[str, Any]) -> tuple[bool, dict]:
    data = {
        "name": "R",
        "kind": "escalation",
        "team": lead.team_id,
        "order": "100",
        "trigger_kind": kind,
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
        "target": target.pk,
        "cooldown_minutes": "60",
    }
    for name, value in params.items():
        data[param_field_name(kind, name)] = str(value)
    form = rule_form_class()(data=data)
    return form.is_valid(), dict(form.errors)


@pytest.mark.parametrize(("kind", "params", "expected", "form_errors_on"), PARAMS)
def test_form_serializer_and_schema_agree(
    lead_and_target, trigger_schema, kind, params, expected, form_errors_on
):
    lead, target = lead_and_target

    serializer_ok, serializer_errors = serializer_accepts(lead, target, kind, params)

    assert engine_accepts(kind, params) is expected
    assert schema_accepts(trigger_schema, kind, params) is expected
    assert serializer_ok is expected, serializer_errors
    if not expected:
        assert list(serializer_errors) == ["trigger"]
    if form_errors_on != FORM_CANNOT_SAY:
        form_ok, form_errors = form_accepts(lead, target, kind, params)
        assert form_ok is expected, form_errors
        assert sorted(form_errors) == [param_field_name(kind, n) for n in form_errors_on or ()]
        assert all(len(messages) == 1 for messages in form_errors.values()), form_errors


@pytest.mark.django_db
def test_sentiment_max_score_is_a_console_field_with_its_bounds():
    field = rule_form_class()().fields["tp__sentiment_negative__max_score"]

    assert field.label == "Strongest score that fires"
    assert field.widget.attrs == {"min": -1.0, "max": 0.0, "step": 0.01}
