from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.conditions import conditions_clean, conditions_match
from escalations.engine.context import TicketContext


def make_context(**overrides):
    values = {
        "ticket_id": 1,
        "subject": "s",
        "status": "open",
        "priority": "high",
        "queue_id": 3,
        "queue_specialist": False,
        "team_id": 7,
        "team_lead_id": None,
        "assignee_id": None,
        "customer_id": 1,
        "tier": "premium",
        "tags": frozenset({"billing", "vip"}),
        "customer_sentiment": "neutral",
        "escalation_count": 0,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(overrides)
    return TicketContext(**values)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        pytest.param([], True, id="empty-matches-all"),
        pytest.param(
            [{"field": "priority", "op": "gte", "value": "high"}], True, id="priority-gte"
        ),
        pytest.param([{"field": "priority", "op": "gt", "value": "high"}], False, id="priority-gt"),
        pytest.param([{"field": "tier", "op": "lte", "value": "standard"}], False, id="tier-lte"),
        pytest.param([{"field": "tag", "op": "eq", "value": "vip"}], True, id="tag-has"),
        pytest.param([{"field": "tag", "op": "ne", "value": "vip"}], False, id="tag-has-not"),
        pytest.param([{"field": "tag", "op": "in", "value": ["x", "billing"]}], True, id="tag-any"),
        pytest.param([{"field": "queue", "op": "eq", "value": 3}], True, id="queue-eq"),
        pytest.param(
            [
                {"field": "team", "op": "eq", "value": 7},
                {"field": "status", "op": "eq", "value": "new"},
            ],
            False,
            id="all-must-hold",
        ),
    ],
)
def test_conditions_match(conditions, expected):
    assert conditions_match(conditions_clean(conditions), make_context()) is expected


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        pytest.param(
            [{"field": "colour", "op": "eq", "value": 1}], "unknown field 'colour'", id="field"
        ),
        pytest.param(
            [{"field": "status", "op": "gte", "value": "open"}], "does not support 'gte'", id="op"
        ),
        pytest.param(
            [{"field": "tier", "op": "eq", "value": "gold"}], "must be one of", id="value"
        ),
        pytest.param(
            [{"field": "queue", "op": "in", "value": []}], "non-empty list", id="empty-in"
        ),
        pytest.param({"field": "queue"}, "must be a list", id="not-a-list"),
    ],
)
def test_conditions_clean_rejects_bad_input_with_a_message(conditions, message):
    with pytest.raises(ValidationError) as excinfo:
        conditions_clean(conditions)
    assert message in " ".join(excinfo.value.messages)
