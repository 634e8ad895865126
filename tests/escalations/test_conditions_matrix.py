"""Every condition field by every operator it supports, on a ticket that matches and one that
doesn't, with the boundary cases (equal rank for ordered fields, a ticket without the tag)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.conditions import CONDITION_FIELDS, conditions_clean, conditions_match

from .test_conditions import make_context

# The ticket under test: queue 3, team 7, priority high, tier premium, status open, tags billing+vip.
CASES: list[tuple[str, str, Any, bool]] = [
    # field, op, value, expected
    ("queue", "eq", 3, True),
    ("queue", "eq", 4, False),
    ("queue", "ne", 4, True),
    ("queue", "ne", 3, False),
    ("queue", "in", [2, 3], True),
    ("queue", "in", [2, 4], False),
    ("queue", "not_in", [2, 4], True),
    ("queue", "not_in", [3], False),
    ("team", "eq", 7, True),
    ("team", "eq", 8, False),
    ("team", "ne", 8, True),
    ("team", "ne", 7, False),
    ("team", "in", [7, 9], True),
    ("team", "in", [8], False),
    ("team", "not_in", [8], True),
    ("team", "not_in", [7, 8], False),
    ("status", "eq", "open", True),
    ("status", "eq", "new", False),
    ("status", "ne", "new", True),
    ("status", "ne", "open", False),
    ("status", "in", ["new", "open"], True),
    ("status", "in", ["pending"], False),
    ("status", "not_in", ["pending", "solved"], True),
    ("status", "not_in", ["open"], False),
    ("priority", "eq", "high", True),
    ("priority", "eq", "urgent", False),
    ("priority", "ne", "urgent", True),
    ("priority", "ne", "high", False),
    ("priority", "in", ["high", "urgent"], True),
    ("priority", "in", ["low", "normal"], False),
    ("priority", "not_in", ["low"], True),
    ("priority", "not_in", ["high"], False),
    ("priority", "gte", "high", True),
    ("priority", "gte", "urgent", False),
    ("priority", "gt", "normal", True),
    ("priority", "gt", "high", False),
    ("priority", "lte", "high", True),
    ("priority", "lte", "normal", False),
    ("priority", "lt", "urgent", True),
    ("priority", "lt", "high", False),
    ("tier", "eq", "premium", True),
    ("tier", "eq", "enterprise", False),
    ("tier", "ne", "free", True),
    ("tier", "ne", "premium", False),
    ("tier", "in", ["premium", "enterprise"], True),
    ("tier", "in", ["free"], False),
    ("tier", "not_in", ["free", "standard"], True),
    ("tier", "not_in", ["premium"], False),
    ("tier", "gte", "premium", True),
    ("tier", "gte", "enterprise", False),
    ("tier", "gt", "standard", True),
    ("tier", "gt", "premium", False),
    ("tier", "lte", "premium", True),
    ("tier", "lte", "standard", False),
    ("tier", "lt", "enterprise", True),
    ("tier", "lt", "premium", False),
    ("tag", "eq", "vip", True),
    ("tag", "eq", "urgent", False),
    ("tag", "ne", "urgent", True),
    ("tag", "ne", "vip", False),
    ("tag", "in", ["urgent", "billing"], True),
    ("tag", "in", ["urgent", "legal"], False),
    ("tag", "not_in", ["urgent", "legal"], True),
    ("tag", "not_in", ["legal", "vip"], False),
]


def test_the_table_covers_every_field_and_operator():
    covered = {(field, op) for field, op, _, _ in CASES}
    wanted = {(field.key, op) for field in CONDITION_FIELDS for op in field.ops}
    assert covered == wanted


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    CASES,
    ids=[f"{f}-{op}-{v}-{'match' if e else 'miss'}" for f, op, v, e in CASES],
)
def test_condition_matches_exactly_when_expected(field, op, value, expected):
    cleaned = conditions_clean([{"field": field, "op": op, "value": value}])

    assert conditions_match(cleaned, make_context()) is expected


@pytest.mark.parametrize("op", ["eq", "in"])
def test_a_ticket_without_tags_never_matches_a_positive_tag_condition(op):
    value = "urgent" if op == "eq" else ["urgent"]
    cleaned = conditions_clean([{"field": "tag", "op": op, "value": value}])

    assert conditions_match(cleaned, make_context(tags=frozenset())) is False


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param([{"field": "queue", "op": "eq", "value": "3"}], id="queue-id-as-string"),
        pytest.param([{"field": "queue", "op": "eq", "value": True}], id="queue-id-bool"),
        pytest.param([{"field": "tag", "op": "eq", "value": "  "}], id="blank-tag"),
        pytest.param([{"field": "tag", "op": "eq", "value": 5}], id="tag-not-text"),
        pytest.param([["queue"]], id="entry-is-a-list"),
        pytest.param(["queue"], id="entry-is-a-string"),
        pytest.param([{"field": "queue", "op": "gte", "value": 3}], id="unordered-field-gte"),
        pytest.param([{"field": "colour", "op": "eq", "value": "red"}], id="unknown-field"),
        pytest.param([{"field": "priority", "op": "eq", "value": "extreme"}], id="bad-choice"),
        pytest.param([{"field": "priority", "op": "in", "value": []}], id="empty-in-list"),
        pytest.param([{"field": "priority", "op": "in", "value": "high"}], id="in-not-a-list"),
        pytest.param([{"field": "queue", "op": "eq", "value": 3, "x": 1}], id="extra-key"),
        pytest.param({"field": "queue"}, id="not-a-list"),
        pytest.param("queue=3", id="a-string"),
    ],
)
def test_conditions_clean_refuses_bad_input_with_a_validation_error(raw):
    with pytest.raises(ValidationError):
        conditions_clean(raw)


def test_conditions_clean_normalises_tags_and_defaults_the_operator():
    assert conditions_clean([{"field": "tag", "value": " VIP "}]) == [
        {"field": "tag", "op": "eq", "value": "vip"}
    ]
