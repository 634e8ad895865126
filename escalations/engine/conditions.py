"""Conditions: the one filter language shared by routing rules, escalation rules and SLA policies.

A rule's ``conditions`` is a list of ``{"field", "op", "value"}``; all must hold (an empty list
matches every ticket). Each field is a small class in ``CONDITION_FIELDS``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, NotRequired, TypedDict, TypeVar

from django.core.exceptions import ValidationError

from tickets.models import PRIORITY_RANK, TIER_RANK, Priority, Status, Tier

from .context import TicketContext
from .params import JSONSchema
from .registry import Registry

EQUALITY_OPS = ("eq", "ne", "in", "not_in")
ORDER_OPS = ("gte", "lte", "gt", "lt")


class ConditionRow(TypedDict):
    """One stored condition (``Rule.conditions``, ``SLAPolicy.conditions``); ``op`` is ``eq``
    when left out, ``value`` one value of the field's type, or a list for ``in``/``not_in``."""

    field: str
    op: NotRequired[str]
    value: object


# The ticket's value of a field (``extract``) and one value a condition compares it with
# (``clean_value``); ``in``/``not_in`` compare with a list of such values.
A = TypeVar("A")
V = TypeVar("V")


class ConditionField(ABC, Generic[A, V]):
    """A ticket attribute that conditions may test."""

    key: ClassVar[str]
    label: ClassVar[str]
    ops: ClassVar[tuple[str, ...]] = EQUALITY_OPS

    @abstractmethod
    def extract(self, ctx: TicketContext) -> A:
        """The ticket's value for this field."""

    @abstractmethod
    def clean_value(self, value: object) -> V:
        """Validate one scalar value; return its normalised form or raise ``ValueError``."""

    def value_json_schema(self) -> JSONSchema:
        """JSON Schema of one value, as ``clean_value`` accepts it (for the OpenAPI document)."""
        return {}

    def json_schema(self) -> JSONSchema:
        """The condition objects this field accepts: one scalar value for the comparison
        operators, a non-empty list for ``in``/``not_in``."""
        value = self.value_json_schema()
        scalar_ops = [op for op in self.ops if op not in ("in", "not_in")]
        return {
            "title": self.label,
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": [self.key]},
                        "op": {"type": "string", "enum": scalar_ops, "default": "eq"},
                        "value": value,
                    },
                    "required": ["field", "value"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": [self.key]},
                        "op": {"type": "string", "enum": ["in", "not_in"]},
                        "value": {"type": "array", "items": value, "minItems": 1},
                    },
                    "required": ["field", "op", "value"],
                    "additionalProperties": False,
                },
            ],
        }

    def compare(self, actual: A, op: str, expected: Any) -> bool:
        """``expected`` is one value (a ``V``) for the comparison operators and a list of them for
        ``in``/``not_in``: its type follows ``op``, which the type system cannot see."""
        if op == "eq":
            return bool(actual == expected)
        if op == "ne":
            return bool(actual != expected)
        if op == "in":
            return actual in expected
        if op == "not_in":
            return actual not in expected
        raise ValueError(op)


class ChoiceField(ConditionField[str, str]):
    choices: ClassVar[tuple[str, ...]]

    def clean_value(self, value: object) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}")
        return value

    def value_json_schema(self) -> JSONSchema:
        return {"type": "string", "enum": list(self.choices)}


class OrderedChoiceField(ChoiceField):
    """Choices with an order (priority, tier): ``gte``/``lte`` compare ranks."""

    ops = EQUALITY_OPS + ORDER_OPS
    rank: ClassVar[dict[str, int]]

    def compare(self, actual: str, op: str, expected: Any) -> bool:
        if op in ORDER_OPS:
            a, e = self.rank[actual], self.rank[expected]
            return {"gte": a >= e, "lte": a <= e, "gt": a > e, "lt": a < e}[op]
        return super().compare(actual, op, expected)


class IdField(ConditionField[int | None, int]):
    def clean_value(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be an integer id")
        return value

    def value_json_schema(self) -> JSONSchema:
        return {"type": "integer", "description": f"A {self.label.lower()} id."}


# Each field with its own value types: stored conditions reach them through ``conditions_clean``.
CONDITION_FIELDS: Registry[ConditionField[Any, Any]] = Registry("condition fields")


@CONDITION_FIELDS.register_class
class QueueCondition(IdField):
    key = "queue"
    label = "Queue"

    def extract(self, ctx: TicketContext) -> int | None:
        return ctx.queue_id


@CONDITION_FIELDS.register_class
class TeamCondition(IdField):
    key = "team"
    label = "Team"

    def extract(self, ctx: TicketContext) -> int | None:
        return ctx.team_id


@CONDITION_FIELDS.register_class
class PriorityCondition(OrderedChoiceField):
    key = "priority"
    label = "Priority"
    choices = tuple(Priority.values)
    rank = PRIORITY_RANK

    def extract(self, ctx: TicketContext) -> str:
        return ctx.priority


@CONDITION_FIELDS.register_class
class TierCondition(OrderedChoiceField):
    key = "tier"
    label = "Customer tier"
    choices = tuple(Tier.values)
    rank = TIER_RANK

    def extract(self, ctx: TicketContext) -> str:
        return ctx.tier


@CONDITION_FIELDS.register_class
class StatusCondition(ChoiceField):
    key = "status"
    label = "Status"
    choices = tuple(Status.values)

    def extract(self, ctx: TicketContext) -> str:
        return ctx.status


@CONDITION_FIELDS.register_class
class TagCondition(ConditionField[frozenset[str], str]):
    """``eq``/``in``: the ticket has the tag (any of them); ``ne``/``not_in``: it has none."""

    key = "tag"
    label = "Tag"

    def extract(self, ctx: TicketContext) -> frozenset[str]:
        return ctx.tags

    def clean_value(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty tag name")
        return value.strip().lower()

    def value_json_schema(self) -> JSONSchema:
        return {"type": "string", "pattern": r"\S", "description": "A tag name."}

    def compare(self, actual: frozenset[str], op: str, expected: Any) -> bool:
        wanted = set(expected) if op in ("in", "not_in") else {expected}
        has_any = bool(actual & wanted)
        return has_any if op in ("eq", "in") else not has_any


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    # One value, or a list for ``in``/``not_in``, of the field's value type.
    value: object

    def matches(self, ctx: TicketContext) -> bool:
        field = CONDITION_FIELDS.get(self.field)
        return field.compare(field.extract(ctx), self.op, self.value)


def conditions_clean(raw: object) -> list[dict[str, Any]]:
    """Validate stored/submitted conditions (any JSON); raise ``ValidationError`` naming each
    bad entry."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError("Conditions must be a list of {field, op, value} objects.")
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    for index, item in enumerate(raw):
        where = f"Condition {index + 1}"
        if not isinstance(item, dict) or set(item) - {"field", "op", "value"}:
            errors.append(f"{where}: must be an object with keys field, op and value.")
            continue
        key, op, value = item.get("field"), item.get("op", "eq"), item.get("value")
        if not isinstance(key, str) or key not in CONDITION_FIELDS:
            errors.append(
                f"{where}: unknown field {key!r}; use one of {', '.join(CONDITION_FIELDS.keys())}."
            )
            continue
        field = CONDITION_FIELDS.get(key)
        if op not in field.ops:
            errors.append(f"{where}: {key} does not support {op!r}; use {', '.join(field.ops)}.")
            continue
        try:
            if op in ("in", "not_in"):
                if not isinstance(value, list) or not value:
                    raise ValueError("needs a non-empty list of values")
                value = [field.clean_value(v) for v in value]
            else:
                value = field.clean_value(value)
        except ValueError as exc:
            errors.append(f"{where}: {key} value {exc}.")
            continue
        cleaned.append({"field": key, "op": op, "value": value})
    if errors:
        raise ValidationError(errors)
    return cleaned


def conditions_parse(raw: Sequence[ConditionRow]) -> tuple[Condition, ...]:
    return tuple(Condition(c["field"], c.get("op", "eq"), c["value"]) for c in raw)


def conditions_match(raw: Sequence[ConditionRow], ctx: TicketContext) -> bool:
    """True when every condition holds for the ticket (an empty list always holds)."""
    return all(condition.matches(ctx) for condition in conditions_parse(raw))
