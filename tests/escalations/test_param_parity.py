"""Parity of the console, the API and the OpenAPI schema, derived from the registries.

For every trigger kind, condition field and target kind (iterating the registries, so a new kind
is covered as soon as it is registered) the cases are generated from what the kind declares: a
valid set, each required param missing, each param of the wrong type and out of its bounds, and a
param the kind does not take. The console form, the API serializer and the OpenAPI schema must
each accept or refuse the same sets, naming the same fields; the engine's own check agrees.

Where one of them cannot express a value at all (a JSON type a text box cannot send, a row id
that exists or not, which only the database knows), that case says so and the others still
decide. A param type without samples here fails ``test_every_param_type_has_samples``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from escalations.admin.forms import target_form_class
from escalations.api.serializers import RuleSerializer, TargetSerializer
from escalations.engine.conditions import (
    CONDITION_FIELDS,
    EQUALITY_OPS,
    ORDER_OPS,
    ChoiceField,
    ConditionField,
    IdField,
    TagCondition,
)
from escalations.engine.params import (
    AmountParam,
    CurrencyParam,
    NumberParam,
    Param,
    ReferenceParam,
    SecretUrlParam,
    WholeNumberParam,
)
from escalations.engine.targets import TARGET_KINDS, target_clean, target_params
from escalations.engine.triggers import RULE_TRIGGER_KINDS, TRIGGERS
from escalations.models import Target
from tests import factories

from .test_condition_params import engine_accepts as condition_engine_accepts
from .test_condition_params import form_accepts as condition_form_accepts
from .test_trigger_params import (
    engine_accepts as trigger_engine_accepts,
)
from .test_trigger_params import (
    form_accepts as trigger_form_accepts,
)
from .test_trigger_params import (
    serializer_accepts as trigger_serializer_accepts,
)

SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXX"


@dataclass(frozen=True)
class Row:
    """A reference to a database row the test makes: ``valid`` (usable there) or ``missing``."""

    model: str
    state: str = "valid"


@dataclass(frozen=True)
class Sample:
    name: str
    value: Any
    form: bool = True  # the console's text box can send it
    schema: bool = True  # the OpenAPI schema can tell (a row's existence it cannot)


@dataclass(frozen=True)
class Samples:
    valid: tuple[Sample, ...]
    wrong_type: tuple[Sample, ...]
    out_of_bounds: tuple[Sample, ...]


def _number_text(value: float) -> str:
    return f"{value:g}"


def param_samples(param: Param) -> Samples:
    """Values of each category for a declared param, from its type and bounds."""
    if isinstance(param, WholeNumberParam):
        low, high = int(param.minimum), int(param.maximum)
        return Samples(
            valid=(Sample("lowest", low), Sample("highest", high)),
            wrong_type=(Sample("fraction", low + 0.5), Sample("boolean", True, form=False)),
            out_of_bounds=(Sample("below", low - 1), Sample("above", high + 1)),
        )
    if isinstance(param, NumberParam):
        return Samples(
            valid=(Sample("lowest", param.minimum), Sample("highest", param.maximum)),
            wrong_type=(Sample("words", "low"), Sample("boolean", True, form=False)),
            out_of_bounds=(
                Sample("below", param.minimum - 0.5),
                Sample("above", param.maximum + 0.5),
            ),
        )
    if isinstance(param, AmountParam):
        return Samples(
            valid=(
                Sample("decimal-string", "500.00"),
                Sample("number", 500),
                Sample("smallest", str(param.minimum)),
                Sample("largest", str(param.maximum)),
            ),
            wrong_type=(
                Sample("words", "abc"),
                Sample("boolean", True, form=False),
                Sample("list", ["500"], form=False),
            ),
            out_of_bounds=(
                Sample("zero", "0"),
                Sample("negative", "-5"),
                Sample("too-large", str(param.maximum + Decimal("0.01"))),
                Sample("three-decimals", "500.001"),
            ),
        )
    if isinstance(param, CurrencyParam):
        return Samples(
            valid=(Sample("code", "EUR"),),
            wrong_type=(Sample("number", 978), Sample("boolean", True, form=False)),
            out_of_bounds=(Sample("unknown-code", "XYZ"), Sample("lowercase", "eur")),
        )
    if isinstance(param, ReferenceParam):
        return Samples(
            valid=(Sample("row", Row(param.name)),),
            wrong_type=(Sample("words", "abc"), Sample("boolean", True, form=False)),
            out_of_bounds=(Sample("no-such-row", Row(param.name, "missing"), schema=False),),
        )
    if isinstance(param, SecretUrlParam):
        return Samples(
            valid=(Sample("url", SLACK_URL),),
            wrong_type=(Sample("number", 5), Sample("list", [SLACK_URL], form=False)),
            out_of_bounds=(
                Sample("other-host", "http://example.com/hook"),
                Sample("too-long", SLACK_URL + "x" * param.max_length),
            ),
        )
    raise LookupError(f"No samples for {type(param).__name__}: add them to param_samples.")


@dataclass(frozen=True)
class Case:
    """One parameter set and the verdict: ``refused`` names the params that carry the error."""

    params: dict[str, Any]
    refused: tuple[str, ...] = ()
    form: bool = True
    schema: bool = True
    engine: bool = True


def schema_cases(
    declared: tuple[Param, ...], undeclared: tuple[Param, ...] = ()
) -> dict[str, Case]:
    """The cases of one kind, from its declared params (and the params it does not take)."""
    samples = {param.name: param_samples(param) for param in (*declared, *undeclared)}
    base = {p.name: samples[p.name].valid[0].value for p in declared if p.required}
    cases: dict[str, Case] = {"valid-required-only": Case(dict(base))}
    for param in declared:
        for sample in samples[param.name].valid:
            cases[f"valid-{param.name}-{sample.name}"] = Case(
                base | {param.name: sample.value}, form=sample.form
            )
        if param.required:
            missing = {k: v for k, v in base.items() if k != param.name}
            cases[f"missing-{param.name}"] = Case(missing, refused=(param.name,))
        for category in ("wrong_type", "out_of_bounds"):
            for sample in getattr(samples[param.name], category):
                cases[f"{category.replace('_', '-')}-{param.name}-{sample.name}"] = Case(
                    base | {param.name: sample.value},
                    refused=(param.name,),
                    form=sample.form,
                    schema=sample.schema,
                    engine=not isinstance(sample.value, Row) and category == "out_of_bounds",
                )
    for param in undeclared:
        cases[f"unknown-{param.name}"] = Case(
            base | {param.name: samples[param.name].valid[0].value}, refused=(param.name,)
        )
    if not undeclared:
        cases["unknown-key"] = Case(base | {"not_a_param": 1}, refused=("not_a_param",), form=False)
    return cases


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def as_json_schema(schema: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``$ref``s inlined, ``nullable`` as a null type."""
    if isinstance(schema, list):
        return [as_json_schema(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return as_json_schema(components[schema["$ref"].rsplit("/", 1)[1]], components)
    out = {k: as_json_schema(v, components) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def schema_accepts(openapi: dict[str, Any], component: str, path: tuple[str, ...], doc) -> bool:
    schema: Any = openapi["components"]["schemas"][component]
    for key in path:
        schema = schema[key]
    validator = jsonschema.Draft7Validator(as_json_schema(schema, openapi["components"]["schemas"]))
    return validator.is_valid(doc)


# --- Trigger kinds -----------------------------------------------------------------------------
TRIGGER_CASES = [
    pytest.param(kind, case, id=f"{kind}-{name}")
    for kind in RULE_TRIGGER_KINDS
    for name, case in schema_cases(tuple(TRIGGERS.get(kind).params)).items()
]


@pytest.fixture
def lead_and_target(db):
    team = factories.TeamFactory(name="Alpha")
    return factories.LeadFactory(team=team), factories.TargetFactory(kind="team_lead", team=team)


@pytest.mark.parametrize(("kind", "case"), TRIGGER_CASES)
def test_trigger_params_agree(lead_and_target, openapi, kind, case):
    lead, target = lead_and_target
    accepted = not case.refused

    serializer_ok, serializer_errors = trigger_serializer_accepts(lead, target, kind, case.params)

    assert trigger_engine_accepts(kind, case.params) is accepted
    assert serializer_ok is accepted, serializer_errors
    if not accepted:
        assert list(serializer_errors) == ["trigger"]
        named = sorted(str(message).split(":", 1)[0] for message in serializer_errors["trigger"])
        assert named == sorted(case.refused)
    doc = {"kind": kind, "params": case.params}
    assert schema_accepts(openapi, "RuleRequest", ("properties", "trigger"), doc) is accepted
    if case.form:
        form_ok, form_errors = trigger_form_accepts(lead, target, kind, case.params)
        assert form_ok is accepted, form_errors
        assert sorted(form_errors) == sorted(f"tp__{kind}__{name}" for name in case.refused)


# --- Condition fields --------------------------------------------------------------------------
def condition_cases(key: str, cond: ConditionField) -> dict[str, Case]:
    """Condition objects of one field: its values, a value of the wrong type and one outside its
    choices, an operator it does not support, the value missing, a key no condition takes."""

    def make(op: str, value: Any) -> dict[str, Any]:
        return {"field": key, "op": op, "value": value}

    if isinstance(cond, ChoiceField):
        good, wrong, outside = cond.choices[0], 5, "not-a-choice"
        wrong_form = True
    elif isinstance(cond, IdField):
        good, wrong, outside = 7, "seven", None
        wrong_form = True
    elif isinstance(cond, TagCondition):
        good, wrong, outside = "vip", 5, "   "
        wrong_form = False  # the text "5" is a tag
    else:
        raise LookupError(f"No samples for {type(cond).__name__}: add them to condition_cases.")
    cases = {
        "valid": Case(make(cond.ops[0], good)),
        "valid-list": Case(make("in", [good])),
        "wrong-type": Case(make("eq", wrong), refused=("value",), form=wrong_form),
        "wrong-type-boolean": Case(make("eq", True), refused=("value",), form=False),
        "list-for-a-single-value": Case(make("eq", [good]), refused=("value",), form=False),
        "empty-list": Case(make("in", []), refused=("value",), form=False),
        "missing-value": Case({"field": key, "op": "eq"}, refused=("value",), form=False),
        "unknown-key": Case(make("eq", good) | {"x": 1}, refused=("x",), form=False),
    }
    if outside is not None:
        cases["out-of-bounds"] = Case(
            make("eq", outside), refused=("value",), form=not isinstance(cond, TagCondition)
        )
    for op in EQUALITY_OPS + ORDER_OPS:
        if op not in cond.ops:
            cases[f"unsupported-op-{op}"] = Case(make(op, good), refused=("op",))
            break
    return cases


CONDITION_CASES = [
    pytest.param(cond.key, case, id=f"{cond.key}-{name}")
    for cond in CONDITION_FIELDS
    for name, case in condition_cases(cond.key, cond).items()
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "case"), CONDITION_CASES)
def test_condition_params_agree(lead_and_target, openapi, key, case):
    lead, target = lead_and_target
    accepted = not case.refused
    condition = case.params
    serializer = RuleSerializer(
        data={
            "name": "R",
            "trigger": {"kind": "tier_upgrade"},
            "conditions": [condition],
            "target": target.pk,
        },
        context={"request": SimpleNamespace(user=lead, method="POST")},
    )

    assert condition_engine_accepts(condition) is accepted
    assert serializer.is_valid() is accepted, serializer.errors
    if not accepted:
        assert list(serializer.errors) == ["conditions"]
    path = ("properties", "conditions")
    assert schema_accepts(openapi, "RuleRequest", path, [condition]) is accepted
    if case.form:
        assert condition_form_accepts(condition) is accepted


# --- Target kinds ------------------------------------------------------------------------------
ALL_TARGET_PARAMS = tuple(target_params().values())
TARGET_CASES = [
    pytest.param(kind.key, case, id=f"{kind.key}-{name}")
    for kind in TARGET_KINDS
    for name, case in schema_cases(
        tuple(kind.params),
        tuple(p for p in ALL_TARGET_PARAMS if p.name not in kind.params.names()),
    ).items()
]


@dataclass
class TargetWorld:
    lead: Any
    rows: dict[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        """The JSON value of a sample (a row's id; a missing row's id is one no row has)."""
        if not isinstance(value, Row):
            return value
        return self.rows[value.model].pk if value.state == "valid" else 999_999

    def instance(self, name: str, value: Any) -> Any:
        """The value a ``Target`` column holds for a sample (a row itself for a reference)."""
        return self.rows[name] if isinstance(value, Row) else value


@pytest.fixture
def target_world(db):
    team = factories.TeamFactory(name="Alpha")
    lead = factories.LeadFactory(team=team)
    rows = {
        "agent": factories.SeniorFactory(username="ana", team=team),
        "queue": factories.QueueFactory(name="Refunds", team=team),
    }
    return TargetWorld(lead=lead, rows=rows)


def engine_refuses(target: Target) -> list[str]:
    """The fields ``target_clean`` names (none when it accepts the target)."""
    try:
        target_clean(target=target)
    except ValidationError as exc:
        return sorted(exc.message_dict)
    return []


def test_every_target_reference_has_a_row(target_world):
    references = [p.name for p in ALL_TARGET_PARAMS if isinstance(p, ReferenceParam)]
    assert sorted(references) == sorted(target_world.rows)


@pytest.mark.parametrize(("kind", "case"), TARGET_CASES)
def test_target_params_agree(target_world, openapi, kind, case):
    accepted = not case.refused
    body = {name: target_world.resolve(value) for name, value in case.params.items()}

    serializer = TargetSerializer(
        data={"name": "T", "kind": kind, **body},
        context={"request": SimpleNamespace(user=target_world.lead, method="POST")},
    )
    assert serializer.is_valid() is accepted, serializer.errors
    if not accepted:
        assert sorted(serializer.errors) == sorted(case.refused)

    if case.schema:
        doc = {"name": "T", "kind": kind, **body}
        assert schema_accepts(openapi, "TargetRequest", (), doc) is accepted

    if case.form:
        data = {"name": "T", "kind": kind, "team": target_world.lead.team_id}
        data |= {name: str(value) for name, value in body.items()}
        form = target_form_class()(data=data)
        assert form.is_valid() is accepted, form.errors
        assert sorted(form.errors) == sorted(case.refused)

    if case.engine and all(isinstance(v, str | Row) for v in case.params.values()):
        probe = Target(name="T", kind=kind, team=target_world.lead.team)
        for name, value in case.params.items():
            setattr(probe, name, target_world.instance(name, value))
        assert engine_refuses(probe) == sorted(case.refused)


def test_every_param_type_has_samples():
    params = [p for kind in TRIGGERS for p in kind.params] + list(ALL_TARGET_PARAMS)
    for param in params:
        assert param_samples(param).valid


def test_cases_cover_every_registered_kind():
    assert {c.values[0] for c in TRIGGER_CASES} == set(RULE_TRIGGER_KINDS)
    assert {c.values[0] for c in CONDITION_CASES} == set(CONDITION_FIELDS.keys())
    assert {c.values[0] for c in TARGET_CASES} == set(TARGET_KINDS.keys())
