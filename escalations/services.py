"""Writes of the escalation domain: manual escalation, acknowledgement, rule validation, the dry
run, and Slack delivery management. Rule-fired escalations go through the same transaction
(``escalations.engine.escalate.escalation_execute``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kimondesk.bounds import HANDOFF_PART_MAX_CHARS, text_bounds_check
from tickets.models import Agent, EventKind, Team, Ticket
from tickets.notifications.models import NotificationKind
from tickets.notifications.services import notification_record
from tickets.selectors import ticket_is_visible_to, ticket_team_id
from tickets.services import ticket_event_record

from .audit import audit_record, audit_snapshot
from .delivery.engine import delivery_enqueue, slack_delivery_create, webhook_event_emit
from .delivery.slack import slack_test_message_build
from .engine.backtest import BacktestResult, backtest_run
from .engine.conditions import conditions_clean
from .engine.context import ticket_context_build
from .engine.escalate import EscalationRefused, EscalationRequest, escalation_execute
from .engine.notify import acknowledged_notification_message
from .engine.rules import rule_matches
from .engine.summary import Handoff
from .engine.targets import TARGET_KINDS, escalation_choice_clean
from .engine.triggers import TRIGGERS
from .exceptions import EscalationConflict
from .models import (
    DeliveryStatus,
    Escalation,
    Rule,
    RuleKind,
    SlackDelivery,
    Target,
    TargetKind,
    TriggerKey,
)

HANDOFF_FIELDS = ("tried", "diagnosis", "authority_needed")


def _tag_rule_target(*, ticket: Ticket) -> tuple[Target | None, list[str]]:
    """The target of the first enabled ``escalate_tag`` rule whose conditions hold."""
    rules = list(
        Rule.objects.filter(
            enabled=True, kind=RuleKind.ESCALATION, trigger_kind=TriggerKey.ESCALATE_TAG
        )
        .select_related("target__agent", "target__queue")
        .order_by("order", "id")
    )
    if not rules:
        return None, []
    ctx = ticket_context_build(ticket_id=ticket.pk)
    for rule in rules:
        if rule.target is not None and rule_matches(rule=rule, ctx=ctx):
            return rule.target, [f"Target of the escalate-tag rule “{rule.name}”."]
    return None, []


def manual_escalation_sentence(*, actor: Agent | None, via_tag: bool) -> str:
    """What changed, for an escalation by hand (the summary's first line)."""
    if via_tag:
        return f"{actor} tagged the ticket 'escalate' with a handoff note."
    return f"{actor} escalated the ticket by hand with a handoff note."


def escalation_create_manual(
    *,
    ticket: Ticket,
    actor: Agent,
    tried: str,
    diagnosis: str,
    authority_needed: str,
    target: Target | None = None,
    to_agent: Agent | None = None,
    via_tag: bool = False,
) -> Escalation:
    """Escalate by hand, with the handoff note. Default target: the team lead; else one
    ``target`` or one person named in ``to_agent`` (``escalation_choice_clean`` says which).

    ``via_tag`` also adds the ``escalate`` tag (the only way to add it) in the same transaction;
    without an explicit target, the first matching ``escalate_tag`` rule picks it.
    Raises ``ValidationError`` naming each blank field, ``PermissionDenied`` when the actor cannot
    see the ticket, ``EscalationConflict`` when there is nowhere to go (holder, ping-pong, chain).
    """
    values = {"tried": tried, "diagnosis": diagnosis, "authority_needed": authority_needed}
    errors: dict[str, list[str]] = {
        name: ["This field may not be blank."]
        for name in HANDOFF_FIELDS
        if not isinstance(values[name], str) or not values[name].strip()
    }
    try:
        text_bounds_check(
            values={name: (values[name], HANDOFF_PART_MAX_CHARS) for name in HANDOFF_FIELDS}
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not ticket_is_visible_to(agent=actor, ticket_id=ticket.pk):
        raise PermissionDenied("You cannot see this ticket.")
    try:
        escalation_choice_clean(
            actor=actor, team_id=ticket_team_id(ticket=ticket), target=target, to_agent=to_agent
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    notes: list[str] = []
    if via_tag and target is None and to_agent is None:
        target, notes = _tag_rule_target(ticket=ticket)
    handoff = Handoff(tried.strip(), diagnosis.strip(), authority_needed.strip())
    request = EscalationRequest(
        ticket_id=ticket.pk,
        trigger=TriggerKey.ESCALATE_TAG if via_tag else TriggerKey.MANUAL,
        occurrence=f"{'tag' if via_tag else 'manual'}:{uuid4().hex}",
        sentence=manual_escalation_sentence(actor=actor, via_tag=via_tag),
        evidence={"handoff": True, "via_tag": via_tag},
        actor=actor,
        target=target,
        to_agent=to_agent,
        handoff=handoff,
        via_tag=via_tag,
        notes=notes,
    )
    try:
        outcome = escalation_execute(request=request)
    except EscalationRefused as refusal:
        raise EscalationConflict(refusal.reason, code=refusal.code) from None
    assert outcome.escalation is not None
    return outcome.escalation


def _can_lead(*, actor: Agent, team_id: int | None) -> bool:
    return actor.is_superuser or (actor.is_lead and (team_id is None or actor.team_id == team_id))


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, actor: Agent) -> Escalation:
    """The receiver takes the handoff; the time since the escalation is recorded. A lead (or an
    admin) who is not the receiver acknowledges on the receiver's behalf, recorded so in the
    escalation, its audit row and the notification."""
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("ticket__queue")
        .get(pk=escalation.pk)
    )
    ticket = locked.ticket
    team_id = ticket.queue.team_id if ticket.queue is not None else None
    allowed = actor.pk == locked.to_agent_id or _can_lead(actor=actor, team_id=team_id)
    if not allowed:
        raise PermissionDenied("Only the receiver or a lead of the team can acknowledge it.")
    if locked.acknowledged_at is not None:
        raise EscalationConflict("This escalation is already acknowledged.", code="acknowledged")
    now = timezone.now()
    on_behalf_of = locked.to_agent if locked.to_agent_id not in (None, actor.pk) else None
    locked.acknowledged_at = now
    locked.acknowledged_by = actor
    locked.acknowledged_on_behalf_of = on_behalf_of
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_on_behalf_of"])
    seconds = int((now - locked.created_at).total_seconds())
    if locked.from_agent_id is not None and locked.from_agent_id != actor.pk:
        notification_record(
            agent_id=locked.from_agent_id,
            kind=NotificationKind.ESCALATION_ACKNOWLEDGED,
            ticket=ticket,
            escalation=locked,
            message=acknowledged_notification_message(
                escalation=locked, by=actor, on_behalf_of=on_behalf_of
            ),
        )
    ticket_event_record(
        ticket=ticket,
        kind=EventKind.ESCALATION_ACKNOWLEDGED,
        actor=actor,
        data={"escalation": locked.pk, "seconds": seconds},
    )
    on_behalf_id = on_behalf_of.pk if on_behalf_of is not None else None
    audit_record(
        kind="escalation_acknowledged",
        actor=actor,
        ticket=ticket,
        obj=locked,
        before={"acknowledged_at": None},
        after={
            "acknowledged_at": now.isoformat(),
            "acknowledged_by": actor.pk,
            "acknowledged_on_behalf_of": on_behalf_id,
        },
        data={"seconds": seconds, "on_behalf_of": on_behalf_id},
    )
    webhook_event_emit(
        event="escalation.acknowledged",
        payload={
            "escalation": locked.pk,
            "ticket": ticket.pk,
            "acknowledged_by": actor.pk,
            "acknowledged_on_behalf_of": on_behalf_id,
            "acknowledged_at": now,
            "seconds": seconds,
        },
        team_id=team_id,
    )
    return locked


def rule_clean(
    *,
    kind: str,
    trigger_kind: str,
    trigger_params: Any,
    conditions: Any,
    target: Target | None,
    team: Team | None,
) -> dict[str, Any]:
    """Validate a rule as submitted; raise ``ValidationError({field: [...]})`` naming every bad
    field (``kind``, ``trigger_kind``, ``trigger_params``, ``conditions``, ``target``)."""
    errors: dict[str, list[str]] = {}
    if kind not in RuleKind.values:
        errors["kind"] = [f"Unknown rule kind {kind!r}; use {', '.join(RuleKind.values)}."]
    cleaned_params: dict[str, Any] = {}
    if not isinstance(trigger_kind, str) or trigger_kind not in TRIGGERS:
        errors["trigger_kind"] = [
            f"Unknown trigger kind {trigger_kind!r}; use one of {', '.join(TRIGGERS.keys())}."
        ]
    else:
        trigger = TRIGGERS.get(trigger_kind)
        if kind in RuleKind.values and trigger.rule_kind != kind:
            errors["trigger_kind"] = [f"{trigger_kind} is a trigger for {trigger.rule_kind} rules."]
        try:
            cleaned_params = trigger.clean_params(trigger_params if trigger_params else {})
        except ValidationError as exc:
            errors["trigger_params"] = [
                f"{name}: {msg}" for name, msgs in exc.message_dict.items() for msg in msgs
            ]
    cleaned_conditions: list[dict[str, Any]] = []
    try:
        cleaned_conditions = conditions_clean(conditions)
    except ValidationError as exc:
        errors["conditions"] = list(exc.messages)
    if kind == RuleKind.ESCALATION:
        if target is None:
            errors["target"] = ["An escalation rule needs a target."]
        else:
            try:
                TARGET_KINDS.get(target.kind).clean(target)
            except ValidationError as exc:
                errors["target"] = [m for msgs in exc.message_dict.values() for m in msgs]
            if team is not None and target.team_id not in (None, team.pk):
                errors.setdefault("target", []).append("The target belongs to another team.")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "trigger_kind": trigger_kind,
        "trigger_params": cleaned_params,
        "conditions": cleaned_conditions,
        "target": target,
        "team": team,
    }


def _trigger_params_clean(*, trigger_kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Cleaned params of a trigger kind, or ``ValidationError`` keyed by parameter name."""
    if trigger_kind not in TRIGGERS:
        raise ValidationError({"trigger_kind": [f"Unknown trigger kind {trigger_kind!r}."]})
    return TRIGGERS.get(trigger_kind).clean_params(params)


def rule_values_clean(
    *,
    kind: str,
    trigger_kind: str,
    trigger_params: dict[str, Any],
    conditions: Any,
    target: Target | None,
    team: Team | None,
) -> dict[str, Any]:
    """Cleaned rule values, or ``ValidationError({field: [...]})`` naming every bad field.

    Trigger parameter errors are keyed by the parameter's name (``amount``, ``currency``).
    """
    errors: dict[str, list[str]] = {}
    try:
        params = _trigger_params_clean(trigger_kind=trigger_kind, params=trigger_params)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        params = {}
    try:
        cleaned = dict(
            rule_clean(
                kind=kind,
                trigger_kind=trigger_kind,
                trigger_params=params,
                conditions=conditions,
                target=target,
                team=team,
            )
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            if key in ("trigger_params", "trigger_kind") and errors:
                continue  # already named parameter by parameter
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def rule_backtest(*, rule: Rule, days: int = 30, now: datetime | None = None) -> BacktestResult:
    """What ``rule`` would have done over the last ``days``, writing nothing."""
    if days < 1 or days > 366:
        raise ValidationError({"days": ["Give a number of days between 1 and 366."]})
    return backtest_run(rule=rule, days=days, now=now or timezone.now())


def _check_slack_lead(*, target: Target, actor: Agent) -> None:
    if not _can_lead(actor=actor, team_id=target.team_id):
        raise PermissionDenied("Only a lead of the target's team or an admin can do this.")


@transaction.atomic
def slack_delivery_retry(*, delivery: SlackDelivery, actor: Agent) -> SlackDelivery:
    """Send a failed delivery again (a fresh round of attempts; the attempt log keeps history)."""
    locked = (
        SlackDelivery.objects.select_for_update(of=("self",))
        .select_related("target")
        .get(pk=delivery.pk)
    )
    assert locked.target is not None  # a Slack delivery always has its target
    _check_slack_lead(target=locked.target, actor=actor)
    if locked.status != DeliveryStatus.FAILED:
        raise EscalationConflict(
            f"Only failed deliveries can be retried; this one is {locked.status}.",
            code="not_failed",
        )
    before = {"status": locked.status, "attempts": locked.attempts}
    locked.status = DeliveryStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = None
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    escalation = locked.escalation
    audit_record(
        kind="slack_delivery_retried",
        actor=actor,
        ticket=escalation.ticket if escalation is not None else None,
        obj=locked,
        before=before,
        after={"status": locked.status, "attempts": 0},
    )
    delivery_id = locked.pk
    transaction.on_commit(lambda: delivery_enqueue(delivery_id=delivery_id))
    return locked


@transaction.atomic
def slack_target_test(*, target: Target, actor: Agent) -> SlackDelivery:
    """Queue a test message to a Slack target; the result shows in the delivery's attempts."""
    _check_slack_lead(target=target, actor=actor)
    if target.kind != TargetKind.SLACK:
        raise ValidationError({"target": ["Only Slack targets can be tested."]})
    delivery = slack_delivery_create(
        target=target, escalation=None, payload=slack_test_message_build(target=target)
    )
    audit_record(
        kind="slack_target_tested",
        actor=actor,
        obj=target,
        after=audit_snapshot(target),
        data={"delivery": delivery.pk},
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: delivery_enqueue(delivery_id=delivery_id))
    return delivery
