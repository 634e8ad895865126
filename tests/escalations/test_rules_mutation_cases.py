"""Which tickets a rule applies to (``escalations/engine/rules.py``): its owning team's, or every
team's, under its conditions. Pure: the cases a mutation run of the module showed unguarded."""

from __future__ import annotations

import pytest

from escalations.engine.rules import rule_matches
from escalations.models import Rule

from .test_conditions import make_context


@pytest.mark.parametrize(
    ("rule_team", "ticket_team", "conditions", "applies"),
    [
        pytest.param(None, 7, [], True, id="shared-rule-any-team"),
        pytest.param(None, None, [], True, id="shared-rule-ticket-without-team"),
        pytest.param(7, 7, [], True, id="own-team"),
        pytest.param(7, 8, [], False, id="other-team"),
        pytest.param(7, None, [], False, id="team-rule-ticket-without-team"),
        pytest.param(7, 7, [{"field": "tag", "op": "eq", "value": "vip"}], True, id="condition"),
        pytest.param(
            7, 7, [{"field": "tag", "op": "eq", "value": "gold"}], False, id="condition-fails"
        ),
        pytest.param(
            None, 8, [{"field": "tag", "op": "eq", "value": "gold"}], False, id="shared-fails"
        ),
    ],
)
def test_rule_matches(rule_team, ticket_team, conditions, applies):
    rule = Rule(team_id=rule_team, conditions=conditions)

    assert rule_matches(rule=rule, ctx=make_context(team_id=ticket_team)) is applies
