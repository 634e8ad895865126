"""The API's only calls into the escalation engine (``escalations.services``, engine registries).

Every endpoint that drives the engine goes through these functions, so the API and the UI run
the same flows. Imports are made at call time: the engine package loads the whole rule machinery,
which the rest of the API does not need at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from escalations.engine.conditions import conditions_clean
from escalations.models import RuleKind, TriggerKey

if TYPE_CHECKING:
    from escalations.models import Escalation, Rule, Target
    from tickets.models import Agent, Team, Ticket

# Trigger kinds a rule may use (``manual`` and ``unacknowledged`` are raised by the engine itself).
RULE_TRIGGER_KINDS: tuple[str, ...] = (
    TriggerKey.SENTIMENT_NEGATIVE,
    TriggerKey.FRT_AMBER,
    TriggerKey.SLA_BREACH,
    TriggerKey.TIER_UPGRADE,
    TriggerKey.REFUND_THRESHOLD,
    TriggerKey.ESCALATE_TAG,
)


def conflict_exception_types() -> tuple[type[Exception], ...]:
    """The engine's state-conflict exceptions (answered with 409)."""
    try:
        from escalations.exceptions import EscalationConflict
    except ImportError:
        return ()
    return (EscalationConflict,)


def escalation_create_manual(
    *,
    ticket: Ticket,
    actor: Agent,
    tried: str,
    diagnosis: str,
    authority_needed: str,
    target: Target | None = None,
) -> Escalation:
    from escalations import services

    return services.escalation_create_manual(
        ticket=ticket,
        actor=actor,
        tried=tried,
        diagnosis=diagnosis,
        authority_needed=authority_needed,
        target=target,
    )


def escalation_acknowledge(*, escalation: Escalation, actor: Agent) -> Escalation:
    from escalations import services

    return services.escalation_acknowledge(escalation=escalation, actor=actor)


def rule_backtest(*, rule: Rule, days: int) -> Any:
    from escalations import services

    return services.rule_backtest(rule=rule, days=days)


def rule_validate(
    *,
    trigger_kind: str,
    trigger_params: dict[str, Any],
    conditions: Any,
    target: Target | None,
    team: Team | None,
) -> dict[str, Any]:
    """Cleaned ``trigger_kind``/``trigger_params``/``conditions``/``target`` or a keyed error."""
    try:
        from escalations.services import rule_clean
    except ImportError:
        return _rule_validate_shape(
            trigger_kind=trigger_kind, trigger_params=trigger_params, conditions=conditions
        ) | {"target": target}
    return rule_clean(
        kind=RuleKind.ESCALATION,
        trigger_kind=trigger_kind,
        trigger_params=trigger_params,
        conditions=conditions,
        target=target,
        team=team,
    )


def _rule_validate_shape(
    *, trigger_kind: str, trigger_params: dict[str, Any], conditions: Any
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if trigger_kind not in RULE_TRIGGER_KINDS:
        errors["trigger"] = [f"Unknown trigger kind; use one of {', '.join(RULE_TRIGGER_KINDS)}."]
    cleaned_conditions: list[dict[str, Any]] = []
    try:
        cleaned_conditions = conditions_clean(conditions)
    except ValidationError as exc:
        errors["conditions"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return {
        "trigger_kind": trigger_kind,
        "trigger_params": trigger_params,
        "conditions": cleaned_conditions,
    }


def target_validate(*, target: Target) -> None:
    """The target kind's own checks (raises ``ValidationError`` keyed by field)."""
    try:
        from escalations.engine.targets import TARGET_KINDS
    except ImportError:
        return
    TARGET_KINDS.get(target.kind).clean(target)
