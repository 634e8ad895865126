"""The API's only calls into the escalation engine (``escalations.services``, engine registries).

Every endpoint that drives the engine goes through these functions, so the API and the UI run
the same flows (same validation, same escalation transaction, same pushes and webhooks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from escalations import services
from escalations.engine.targets import TARGET_KINDS, TargetKindHandler, target_clean
from escalations.engine.triggers import TRIGGERS, TriggerKind
from escalations.models import RuleKind

if TYPE_CHECKING:
    from escalations.engine.backtest import BacktestResult
    from escalations.models import Escalation, Rule, Target
    from tickets.models import Agent, Team, Ticket


def rule_trigger_kinds() -> list[TriggerKind]:
    """Trigger kinds an escalation rule may use (``manual`` and ``unacknowledged`` are raised by
    the engine itself; routing triggers belong to routing rules)."""
    return [trigger for trigger in TRIGGERS if trigger.rule_kind == RuleKind.ESCALATION]


RULE_TRIGGER_KINDS: tuple[str, ...] = tuple(trigger.key for trigger in rule_trigger_kinds())


def escalation_create_manual(
    *,
    ticket: Ticket,
    actor: Agent,
    tried: str,
    diagnosis: str,
    authority_needed: str,
    target: Target | None = None,
    to_agent: Agent | None = None,
    add_tag: bool = False,
) -> Escalation:
    return services.escalation_create_manual(
        ticket=ticket,
        actor=actor,
        tried=tried,
        diagnosis=diagnosis,
        authority_needed=authority_needed,
        target=target,
        to_agent=to_agent,
        via_tag=add_tag,
    )


def escalation_acknowledge(*, escalation: Escalation, actor: Agent) -> Escalation:
    return services.escalation_acknowledge(escalation=escalation, actor=actor)


def rule_backtest(*, rule: Rule, days: int) -> BacktestResult:
    return services.rule_backtest(rule=rule, days=days)


def rule_validate(
    *,
    trigger_kind: str,
    trigger_params: dict[str, Any],
    conditions: Any,
    target: Target | None,
    team: Team | None,
) -> dict[str, Any]:
    """Cleaned ``trigger_kind``/``trigger_params``/``conditions``/``target`` of an escalation
    rule, or ``ValidationError`` keyed by those fields (the engine's ``rule_clean``)."""
    cleaned = services.rule_clean(
        kind=RuleKind.ESCALATION,
        trigger_kind=trigger_kind,
        trigger_params=trigger_params,
        conditions=conditions,
        target=target,
        team=team,
    )
    return {key: cleaned[key] for key in ("trigger_kind", "trigger_params", "conditions", "target")}


def target_kinds() -> list[TargetKindHandler]:
    """Every target kind, each with its declared params."""
    return list(TARGET_KINDS)


def target_validate(*, target: Target, given: set[str]) -> None:
    """The target kind's declared params and checks and its team's boundary, as in the console
    (``ValidationError`` keyed by field; ``given``: the params the request sets)."""
    target_clean(target=target, given=given)
