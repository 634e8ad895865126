"""Which tickets a rule applies to: its owning team's (or every team's), under its conditions."""

from __future__ import annotations

from escalations.models import Rule

from .conditions import conditions_match
from .context import TicketContext


def rule_matches(*, rule: Rule, ctx: TicketContext) -> bool:
    """Pure: a rule owned by a team applies to that team's tickets only; a rule without a team
    applies to all. Then every condition must hold."""
    if rule.team_id is not None and rule.team_id != ctx.team_id:
        return False
    return conditions_match(rule.conditions, ctx)
