"""Reads of the escalation domain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from kimondesk.bounds import minutes_delta
from kimondesk.compiled_queries import CompiledQuery
from tickets.models import OPEN_STATUSES, Agent, AuthorType, Message, Queue, Team, Ticket
from tickets.selectors import tickets_visible_to

from .engine.summary import Handoff
from .engine.triggers import excerpt
from .models import AuditEvent, Escalation, Rule, RuleKind, TriggerKey
from .sla.selectors import sla_summary


def ticket_sla_snapshot(*, ticket: Ticket) -> dict[str, Any]:
    """The ticket's SLA clock as the SLA selector reports it, JSON-safe."""
    return dict(json.loads(json.dumps(sla_summary(ticket=ticket), cls=DjangoJSONEncoder)))


def rules_listening(*, trigger_keys: list[str]) -> QuerySet[Rule]:
    """Enabled rules whose trigger is one of ``trigger_keys``, in evaluation order."""
    return (
        Rule.objects.filter(enabled=True, trigger_kind__in=trigger_keys)
        .select_related("target__agent", "target__queue", "route_queue", "route_assignee")
        .order_by("order", "id")
    )


@dataclass(frozen=True)
class PastEscalation:
    """One earlier escalation of a ticket, as the guards and the summary read it."""

    pk: int
    occurrence: str
    rule_id: int | None
    created_at: datetime
    from_agent_id: int | None
    from_queue_id: int | None
    to_queue_id: int | None
    handoff: Handoff | None


_ticket_escalations_past = CompiledQuery(
    lambda *, ticket_id: (
        Escalation.objects.filter(ticket_id=ticket_id)
        .order_by()
        .values_list(
            "pk",
            "occurrence",
            "rule_id",
            "created_at",
            "from_agent_id",
            "from_queue_id",
            "to_queue_id",
            "handoff_tried",
            "handoff_diagnosis",
            "handoff_authority_needed",
        )
    ),
    ticket_id=int,
)


def ticket_escalations_past(*, ticket_id: int) -> list[PastEscalation]:
    """The ticket's escalations so far, in one query (bounded by the chain limit): what the
    replay check, the cooldown, the ping-pong guard and the summary's earlier handoff read."""
    # The last three are the handoff's parts: a handoff was written when it says what was tried.
    return [
        PastEscalation(
            pk=pk,
            occurrence=occurrence,
            rule_id=rule_id,
            created_at=created_at,
            from_agent_id=from_agent_id,
            from_queue_id=from_queue_id,
            to_queue_id=to_queue_id,
            handoff=Handoff(tried, diagnosis, authority) if tried else None,
        )
        for (
            pk,
            occurrence,
            rule_id,
            created_at,
            from_agent_id,
            from_queue_id,
            to_queue_id,
            tried,
            diagnosis,
            authority,
        ) in _ticket_escalations_past.rows(ticket_id=ticket_id)
    ]


def handoff_latest(*, past: list[PastEscalation], agent_id: int) -> Handoff | None:
    """Pure: the latest handoff note ``agent_id`` wrote on the ticket of ``past``, if any."""
    written = [e for e in past if e.from_agent_id == agent_id and e.handoff is not None]
    if not written:
        return None
    return max(written, key=lambda e: (e.created_at, e.pk)).handoff


_last_customer_body = CompiledQuery(
    lambda *, ticket_id: (
        Message.objects.filter(ticket_id=ticket_id, author_type=AuthorType.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)[:1]
    ),
    ticket_id=int,
)


def message_last_customer_excerpt(*, ticket_id: int) -> str:
    bodies = _last_customer_body.rows(ticket_id=ticket_id)
    return excerpt(bodies[0]) if bodies and bodies[0] else ""


def escalations_unacknowledged_due(*, now: datetime) -> QuerySet[Escalation]:
    """Escalations past their rule's acknowledgement limit, still held by the receiver, not
    yet taken one level up. One query over the (to_agent, acknowledged_at) index."""
    limits = list(
        Rule.objects.filter(kind=RuleKind.ESCALATION, ack_limit_minutes__isnull=False).values_list(
            "pk", "ack_limit_minutes"
        )
    )
    if not limits:
        return Escalation.objects.none()
    overdue = Q()
    for rule_id, minutes in limits:
        # Clamped to the bound: a limit stored before it existed cannot overflow the sweep.
        overdue |= Q(rule_id=rule_id, created_at__lte=now - minutes_delta(minutes))
    bumped = Escalation.objects.filter(parent=OuterRef("pk"), trigger=TriggerKey.UNACKNOWLEDGED)
    return (
        Escalation.objects.filter(
            overdue,
            to_agent__isnull=False,
            acknowledged_at__isnull=True,
            ticket__status__in=OPEN_STATUSES,
            ticket__assignee_id=F("to_agent_id"),
        )
        .exclude(Exists(bumped))
        .select_related("rule", "ticket", "to_agent")
        .order_by("created_at", "id")
    )


def config_visible_to(*, agent: Agent, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Who reads which configuration (rules, targets, calendars, SLA policies): admins every
    team's; leads, seniors and juniors their own team's and the shared rows (no team)."""
    if agent.is_superuser:
        return queryset
    return queryset.filter(Q(team__isnull=True) | Q(team_id=agent.team_id))


def audit_events_visible_to(*, agent: Agent) -> QuerySet[AuditEvent]:
    """The audit rows ``agent`` may read: admins all; anyone else the rows of the tickets they
    can see, and the changes of the configuration they can read (``config_visible_to``): their
    own team's and the shared rows (no team), told by the team (or the queue) in the row's
    before/after picture, so a change stays readable after its object is deleted. Another
    team's configuration, and rows that name no team (customers, agents), are the admins'."""
    events = AuditEvent.objects.all()
    if agent.is_superuser:
        return events
    visible = tickets_visible_to(agent=agent).values("pk")
    # ``=None`` matches a JSON null (a shared row); a row without the key is not matched. An
    # agent without a team is a person, not shared configuration.
    readable = (Q(after__team=None) | Q(before__team=None)) & ~Q(
        object_type=Agent._meta.label_lower
    )
    team_id = agent.team_id
    if team_id is not None:
        queue_ids = list(Queue.objects.filter(team_id=team_id).values_list("pk", flat=True))
        readable |= (
            Q(after__team=team_id)
            | Q(before__team=team_id)
            | Q(after__queue__in=queue_ids)
            | Q(before__queue__in=queue_ids)
            | Q(object_type=Team._meta.label_lower, object_id=str(team_id))
        )
    return events.filter((Q(ticket__isnull=True) & readable) | Q(ticket__in=visible))


def escalation_audit_trail(*, escalation: Escalation) -> QuerySet[AuditEvent]:
    """The audit rows of one escalation, oldest first: its creation and acknowledgement (the
    escalation is their object) and what they name it in (the reassignment, the feedback)."""
    return AuditEvent.objects.filter(
        Q(object_type=Escalation._meta.label_lower, object_id=str(escalation.pk))
        | Q(ticket_id=escalation.ticket_id, data__escalation=escalation.pk)
    ).order_by("created_at", "id")
