"""One escalation = one transaction.

``escalation_execute`` locks the ticket, checks the guards (exactly once, cooldown, chain length,
holder, ping-pong), resolves the target, reassigns, and writes the ``Escalation``, its pinned
summary note, the ``escalated`` ticket event and the audit rows together. Live pushes and Slack
deliveries are queued with ``transaction.on_commit``: nothing leaves before the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from escalations.audit import audit_event, audit_record, audit_records, audit_snapshot
from escalations.delivery.engine import (
    delivery_enqueue,
    slack_delivery_create,
    webhook_event_emit,
)
from escalations.models import (
    Escalation,
    OutcomeKind,
    Rule,
    RuleOutcome,
    Target,
    TargetKind,
    TriggerKey,
)
from escalations.presentation import escalation_summary_event
from escalations.selectors import (
    PastEscalation,
    handoff_latest,
    message_last_customer_excerpt,
    ticket_escalations_past,
    ticket_sla_snapshot,
)
from kimondesk.bounds import minutes_delta
from kimondesk.compiled_queries import CompiledQuery, row_update, rows_insert
from kimondesk.conf import kimondesk_settings
from kimondesk.timezones import zone_of_team
from tickets import realtime
from tickets.models import Agent, Queue, Ticket
from tickets.notifications.models import KIND_OF_LIVE_EVENT, Notification
from tickets.notifications.services import notifications_record
from tickets.services import ticket_escalation_apply

from .notify import escalation_notifications
from .summary import (
    EscalationSummary,
    Handoff,
    escalation_summary_build,
    escalation_summary_text,
)
from .targets import TARGET_KINDS, Resolution, named_agent_resolve, team_lead_resolve

logger = logging.getLogger(__name__)


@dataclass
class EscalationRequest:
    """Everything one escalation needs; ``rule`` for rule-fired, ``actor`` for manual ones."""

    ticket_id: int
    trigger: str
    occurrence: str
    sentence: str
    evidence: dict[str, Any] = field(default_factory=dict)
    rule: Rule | None = None
    actor: Agent | None = None
    target: Target | None = None
    # A person chosen by name on a manual escalation (checked by ``escalation_choice_clean``).
    to_agent: Agent | None = None
    handoff: Handoff | None = None
    parent: Escalation | None = None
    # Tag escalations: the escalate tag is added in the same transaction.
    via_tag: bool = False
    # How the caller chose the target (e.g. "Target of rule “VIP”"), kept in ``route_notes``.
    notes: list[str] = field(default_factory=list)

    @property
    def is_manual(self) -> bool:
        return self.actor is not None


@dataclass
class EscalationOutcome:
    escalation: Escalation | None
    created: bool
    refused: str = ""


class EscalationRefused(Exception):
    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _max_chain() -> int:
    return kimondesk_settings().escalation_max_chain


def escalation_reassigned_by(request: EscalationRequest) -> str:
    """Who reassigned the ticket, as the summary says it: the agent, or the rule (in quotes)."""
    if request.is_manual:
        return str(request.actor)
    name = request.rule.name if request.rule is not None else ""
    if request.trigger == TriggerKey.UNACKNOWLEDGED:
        return f"rule “{name}” (not acknowledged in time)" if name else "not acknowledged in time"
    return f"rule “{name}”"


def _actor_label(request: EscalationRequest) -> str:
    if request.is_manual:
        return str(request.actor)
    return f"rule: {request.rule.name}" if request.rule is not None else "system"


def escalation_trigger_label(key: str) -> str:
    """The label of a trigger or escalation origin key (the key itself if unknown)."""
    return str(TriggerKey(key).label) if key in TriggerKey.values else key


def _check_guards(
    *, request: EscalationRequest, ticket: Ticket, past: list[PastEscalation], now: datetime
) -> None:
    if not ticket.is_open:
        raise EscalationRefused(f"The ticket is {ticket.status}.", "ticket_closed")
    rule = request.rule
    if rule is not None and request.parent is None and rule.cooldown_minutes:
        since = now - minutes_delta(rule.cooldown_minutes)
        if any(e.rule_id == rule.pk and e.created_at >= since for e in past):
            raise EscalationRefused(
                f"Rule “{rule.name}” escalated this ticket less than "
                f"{rule.cooldown_minutes} min ago (cooldown).",
                "cooldown",
            )
    limit = _max_chain()
    if ticket.escalation_count >= limit:
        raise EscalationRefused(
            f"The ticket was escalated {ticket.escalation_count} times: the chain limit is {limit}.",
            "chain_limit",
        )


def _resolve(
    *, request: EscalationRequest, ticket: Ticket, past: list[PastEscalation]
) -> Resolution:
    if request.to_agent is not None:
        resolution = named_agent_resolve(agent=request.to_agent, ticket=ticket)
    elif request.target is None:
        resolution = team_lead_resolve(ticket=ticket)
    else:
        resolution = TARGET_KINDS.get(request.target.kind).resolve(
            target=request.target, ticket=ticket
        )
    resolution.notes = [*request.notes, *resolution.notes]
    if not resolution.reassign:
        return resolution
    if resolution.to_agent is None and (
        resolution.to_queue is None
        or (resolution.to_queue.pk == ticket.queue_id and ticket.assignee_id is None)
    ):
        raise EscalationRefused("Nowhere to escalate: " + " ".join(resolution.notes), "no_target")
    if resolution.to_agent is not None and resolution.to_agent.pk == ticket.assignee_id:
        raise EscalationRefused(
            f"{resolution.to_agent} already holds the ticket.", "current_holder"
        )
    handed_on_agents = {e.from_agent_id for e in past if e.from_agent_id is not None}
    left_queues = {
        e.from_queue_id
        for e in past
        if e.from_queue_id is not None and e.from_queue_id != e.to_queue_id
    }
    bounced = (resolution.to_agent is not None and resolution.to_agent.pk in handed_on_agents) or (
        resolution.to_agent is None
        and resolution.to_queue is not None
        and resolution.to_queue.pk in left_queues
    )
    if not bounced:
        return resolution
    back_to = resolution.to_agent or resolution.to_queue
    lead = team_lead_resolve(ticket=ticket)
    if (
        lead.to_agent is None
        or lead.to_agent.pk == ticket.assignee_id
        or lead.to_agent.pk in handed_on_agents
        or (resolution.to_agent is not None and lead.to_agent.pk == resolution.to_agent.pk)
    ):
        raise EscalationRefused(
            f"Ping-pong refused: {back_to} already handed this ticket on, and there is no "
            "level above to send it to.",
            "ping_pong",
        )
    lead.notes = [
        *resolution.notes,
        f"Ping-pong: {back_to} already handed this ticket on; sent one level up to "
        f"{lead.to_agent} instead.",
    ]
    return lead


def rule_outcome_first(*, ticket_id: int, kind: str, key: str = "") -> bool:
    """Record a decision the engine makes once per ticket (and key); False if it was already
    made. Call it under the ticket's row lock, in the decision's transaction."""
    _, created = RuleOutcome.objects.get_or_create(ticket_id=ticket_id, kind=kind, key=key)
    return created


def _suppress(*, request: EscalationRequest, ticket: Ticket, refusal: EscalationRefused) -> None:
    """Record (once per rule and occurrence) that a rule-fired escalation was not carried out."""
    rule = request.rule
    key = f"{rule.pk if rule else ''}:{request.occurrence}"
    if not rule_outcome_first(ticket_id=ticket.pk, kind=OutcomeKind.SUPPRESSED, key=key):
        return
    audit_record(
        kind="escalation_suppressed",
        actor_label=_actor_label(request),
        ticket=ticket,
        obj=rule,
        data={
            "rule": rule.pk if rule else None,
            "trigger": request.trigger,
            "occurrence": request.occurrence,
            "reason": refusal.reason,
            "code": refusal.code,
        },
    )


def escalation_execute(*, request: EscalationRequest) -> EscalationOutcome:
    """Carry out one escalation, exactly once per (ticket, rule, occurrence).

    Refusals of rule-fired escalations are recorded as ``escalation_suppressed`` audit events and
    returned; manual ones raise ``EscalationRefused`` (the service turns it into a 409).
    """
    try:
        with transaction.atomic():
            return _execute(request=request)
    except IntegrityError:
        existing = Escalation.objects.filter(
            ticket_id=request.ticket_id, occurrence=request.occurrence
        ).first()
        if existing is None:
            raise
        # A concurrent or earlier evaluation of the same cause got there first.
        return EscalationOutcome(existing, created=False)


def _already_escalated(*, past: list[PastEscalation], occurrence: str) -> Escalation | None:
    """Under the ticket lock: one cause escalates a ticket once, whichever rule caught it."""
    done = next((e.pk for e in past if e.occurrence == occurrence), None)
    return Escalation.objects.get(pk=done) if done is not None else None


_ticket_locked = CompiledQuery(
    lambda *, ticket_id: (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("queue__team__lead", "assignee", "customer")
        .filter(pk=ticket_id)
    ),
    ticket_id=int,
)


def _execute(*, request: EscalationRequest) -> EscalationOutcome:
    ticket = _ticket_locked.get(ticket_id=request.ticket_id)
    # One read of the ticket's escalations serves the replay check, the guards and the summary.
    past = ticket_escalations_past(ticket_id=ticket.pk)
    existing = _already_escalated(past=past, occurrence=request.occurrence)
    if existing is not None:
        return EscalationOutcome(existing, created=False)
    now = timezone.now()
    try:
        _check_guards(request=request, ticket=ticket, past=past, now=now)
        resolution = _resolve(request=request, ticket=ticket, past=past)
    except EscalationRefused as refusal:
        if request.is_manual:
            raise
        _suppress(request=request, ticket=ticket, refusal=refusal)
        return EscalationOutcome(None, created=False, refused=refusal.reason)
    return EscalationOutcome(
        _write(request=request, ticket=ticket, resolution=resolution, past=past), created=True
    )


def _summary_handoff(
    *, request: EscalationRequest, previous: Agent | None, past: list[PastEscalation]
) -> tuple[Handoff | None, str, str]:
    """The handoff the summary shows: the manual one, else the previous holder's latest; without
    one, the last customer message stands in. Returns (handoff, its author, message excerpt)."""
    if request.handoff is not None:
        return request.handoff, str(request.actor), ""
    if previous is not None:
        latest = handoff_latest(past=past, agent_id=previous.pk)
        if latest is not None:
            return latest, str(previous), ""
    author = str(previous) if previous is not None else "the previous holder"
    return None, author, message_last_customer_excerpt(ticket_id=request.ticket_id)


def escalation_route_ends(
    *,
    request: EscalationRequest,
    previous: Agent | None,
    from_queue: Queue | None,
    resolution: Resolution,
) -> tuple[str, str]:
    """(from, to) in words: the holder before, and who (and which queue) holds it now."""
    holder = str(previous) if previous is not None else "unassigned"
    if not resolution.reassign:
        target_name = request.target.name if request.target is not None else "a channel"
        return holder, f"Slack ({target_name})"
    to_agent, to_queue = resolution.to_agent, resolution.to_queue
    where = str(to_agent) if to_agent is not None else "nobody"
    if to_queue is not None and (from_queue is None or to_queue.pk != from_queue.pk):
        where += f" in {to_queue.name}"
    elif to_agent is None and to_queue is not None:
        where += f" (left in {to_queue.name})"
    return holder, where


def escalation_summary_for(
    *,
    request: EscalationRequest,
    previous: Agent | None,
    from_queue: Queue | None,
    resolution: Resolution,
    handoff: Handoff | None,
    handoff_author: str,
    last_customer_excerpt: str,
    sla: Mapping[str, object],
) -> EscalationSummary:
    """The summary an escalation writes: what changed, the route in words, the handoff (the
    request's own, else ``handoff`` as the earlier one) and the SLA clock ``sla``, its due time
    in the zone of the team whose queue held the ticket (UTC without one)."""
    route_from, route_to = escalation_route_ends(
        request=request, previous=previous, from_queue=from_queue, resolution=resolution
    )
    return escalation_summary_build(
        trigger=request.trigger,
        trigger_label=escalation_trigger_label(request.trigger),
        sentence=request.sentence,
        evidence=request.evidence,
        route_from=route_from,
        route_to=route_to,
        route_by=escalation_reassigned_by(request),
        rule_fired=not request.is_manual,
        route_notes=resolution.notes,
        handoff=handoff,
        handoff_author=handoff_author,
        handoff_is_earlier=handoff is not None and request.handoff is None,
        last_customer_excerpt=last_customer_excerpt,
        sla=sla,
        sla_zone=zone_of_team(from_queue.team) if from_queue is not None else None,
    )


def _write(
    *,
    request: EscalationRequest,
    ticket: Ticket,
    resolution: Resolution,
    past: list[PastEscalation],
) -> Escalation:
    """The escalation's rows in its transaction. The ``Escalation`` row comes first: its unique
    occurrence key stops a replay before anything else is written. The ticket's changes are one
    ``tickets.services`` call that records one ``escalated`` event (and counts the escalation in
    the report's rollup with it); the audit rows are one insert, the notifications another."""
    actor = request.actor
    previous = ticket.assignee
    from_queue = ticket.queue
    handoff, handoff_author, last_excerpt = _summary_handoff(
        request=request, previous=previous, past=past
    )
    to_agent = resolution.to_agent if resolution.reassign else None
    to_queue = resolution.to_queue if resolution.reassign else None
    rule = request.rule
    # Its unique occurrence key raises IntegrityError on a replay, as a create would.
    (escalation,) = rows_insert(
        [
            Escalation(
                ticket=ticket,
                trigger=request.trigger,
                rule=rule,
                rule_name=rule.name if rule is not None else "",
                occurrence=request.occurrence,
                initiated_by=actor,
                from_agent=previous,
                to_agent=to_agent,
                from_queue=from_queue,
                to_queue=to_queue,
                target=request.target,
                parent=request.parent,
                chain_position=ticket.escalation_count + 1,
                evidence=request.evidence,
                handoff_tried=request.handoff.tried if request.handoff else "",
                handoff_diagnosis=request.handoff.diagnosis if request.handoff else "",
                handoff_authority_needed=request.handoff.authority_needed
                if request.handoff
                else "",
                route_notes=resolution.notes,
            )
        ]
    )

    def summary_text(moved: Ticket) -> str:
        # Written once the ticket has moved: the SLA clock shown is the one it runs on now.
        escalation.sla_snapshot = ticket_sla_snapshot(ticket=moved)
        structured = escalation_summary_for(
            request=request,
            previous=previous,
            from_queue=from_queue,
            resolution=resolution,
            handoff=handoff,
            handoff_author=handoff_author,
            last_customer_excerpt=last_excerpt,
            sla=escalation.sla_snapshot,
        )
        escalation.summary = structured.as_dict()
        return escalation_summary_text(structured)

    applied = ticket_escalation_apply(
        ticket=ticket,
        escalation=escalation,
        actor=actor,
        summary=summary_text,
        data={
            "escalation": escalation.pk,
            "trigger": request.trigger,
            "rule": rule.pk if rule is not None else None,
            "from": previous.pk if previous is not None else None,
            "to": to_agent.pk if to_agent is not None else None,
            "to_queue": to_queue.pk if to_queue is not None else None,
        },
        assignee=resolution.to_agent if resolution.reassign else ...,
        queue=resolution.to_queue if resolution.reassign and resolution.to_queue else ...,
        add_escalate_tag=request.via_tag,
    )
    escalation.summary_note = applied.note
    row_update(escalation, ["sla_snapshot", "summary", "summary_note"])
    ticket = applied.ticket
    label = _actor_label(request)
    audits = [
        audit_event(
            kind="escalation_created",
            actor=actor,
            actor_label=label,
            ticket=ticket,
            obj=escalation,
            after=audit_snapshot(escalation),
            data={"trigger": request.trigger, "occurrence": request.occurrence},
        )
    ]
    if resolution.reassign:
        audits.append(
            audit_event(
                kind="ticket_reassigned",
                actor=actor,
                actor_label=label,
                ticket=ticket,
                obj=ticket,
                before={
                    "assignee": previous.pk if previous else None,
                    "queue": _pk(from_queue),
                },
                after={
                    "assignee": to_agent.pk if to_agent else None,
                    "queue": _pk(to_queue or from_queue),
                },
                data={"reason": "escalation", "escalation": escalation.pk},
            )
        )
    audit_records(audits)
    previous_id = previous.pk if previous else None
    notifications = escalation_notifications(escalation=escalation, previous_id=previous_id)
    notifications_record(
        [
            Notification(
                agent_id=agent_id,
                kind=KIND_OF_LIVE_EVENT[event["type"]],
                ticket=ticket,
                escalation=escalation,
                message=event["message"],
            )
            for agent_id, event in notifications
        ]
    )
    _after_commit(escalation=escalation, notifications=notifications)
    return escalation


def _after_commit(
    *, escalation: Escalation, notifications: list[tuple[int, dict[str, Any]]]
) -> None:
    """Queue the fan-out: live pushes (the summary, and ``notifications``: the agents' live
    events), the integration webhook and Slack; all after commit."""
    summary_event = escalation_summary_event(escalation=escalation)
    _webhook_emit(escalation=escalation)
    delivery_id = None
    if escalation.target is not None and escalation.target.kind == TargetKind.SLACK:
        delivery_id = slack_delivery_create(target=escalation.target, escalation=escalation).pk

    def fan_out() -> None:
        realtime.push_many(
            [
                (realtime.ticket_group(escalation.ticket_id), summary_event),
                *((realtime.agent_group(agent_id), event) for agent_id, event in notifications),
            ]
        )

    transaction.on_commit(fan_out)
    if delivery_id is not None:
        transaction.on_commit(lambda: delivery_enqueue(delivery_id=delivery_id))


def _pk(obj: Queue | None) -> int | None:
    return obj.pk if obj is not None else None


def _webhook_emit(*, escalation: Escalation) -> None:
    queue = escalation.to_queue or escalation.from_queue
    team_id = queue.team_id if queue is not None else None
    webhook_event_emit(
        event="escalation.created",
        payload={
            "escalation": escalation.pk,
            "ticket": escalation.ticket_id,
            "trigger": escalation.trigger,
            "rule": escalation.rule_id,
            "from_agent": escalation.from_agent_id,
            "to_agent": escalation.to_agent_id,
            "to_queue": escalation.to_queue_id,
            "created_at": escalation.created_at.isoformat(),
        },
        team_id=team_id,
    )
