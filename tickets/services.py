"""Writes to the ticket domain. Every change records a ``TicketEvent`` and hands it to the workflow.

Each function is one transaction. The workflow (``escalations.workflow.ticket_event_recorded``)
moves SLA clocks inside that transaction and queues trigger evaluation for after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from escalations import workflow
from escalations.audit import audit_record
from escalations.webhooks import webhook_event_emit

from . import realtime
from .models import (
    OPEN_STATUSES,
    TIER_RANK,
    Agent,
    AuthorType,
    Customer,
    CustomerTierChange,
    EventKind,
    Message,
    Note,
    NoteKind,
    Priority,
    Queue,
    RefundRequest,
    Role,
    Status,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TicketFollower,
)


def ticket_event_record(
    *, ticket: Ticket, kind: str, actor: Agent | None = None, data: dict[str, Any] | None = None
) -> TicketEvent:
    """Append an event to the ticket's history and hand it to the workflow engine."""
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, assignee_id=ticket.assignee_id, data=data or {}
    )
    workflow.ticket_event_recorded(event=event)
    if kind == EventKind.SLA_STATE_CHANGED:
        # Open ticket pages recolour their SLA badges, once the crossing is committed.
        update = {"type": "ticket.updated", "ticket": ticket.pk, "event": kind, "data": event.data}
        transaction.on_commit(lambda: realtime.push_to_ticket(update["ticket"], update))
    return event


def _tags_get_or_create(names: Iterable[str]) -> list[Tag]:
    wanted = sorted({name.strip().lower() for name in names if name.strip()})
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=name) for name in wanted if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    return [existing[name] for name in wanted]


@transaction.atomic
def ticket_create(
    *,
    subject: str,
    customer: Customer,
    body: str,
    priority: str = Priority.NORMAL,
    queue: Queue | None = None,
    tags: Iterable[str] = (),
    actor: Agent | None = None,
) -> Ticket:
    """Open a ticket with the customer's first message."""
    ticket = Ticket.objects.create(
        subject=subject, customer=customer, priority=priority, queue=queue, status=Status.NEW
    )
    tag_objs = _tags_get_or_create(tags)
    if tag_objs:
        ticket.tags.set(tag_objs)
    ticket_event_record(
        ticket=ticket,
        kind=EventKind.TICKET_CREATED,
        actor=actor,
        data={
            "priority": priority,
            "queue": queue.pk if queue else None,
            "tags": [t.name for t in tag_objs],
        },
    )
    message_add(ticket=ticket, author_type=AuthorType.CUSTOMER, body=body)
    webhook_event_emit(
        event="ticket.created",
        payload={
            "ticket": {
                "id": ticket.pk,
                "subject": ticket.subject,
                "status": ticket.status,
                "priority": ticket.priority,
                "queue": ticket.queue_id,
                "customer": ticket.customer_id,
                "tags": [tag.name for tag in tag_objs],
                "created_at": ticket.created_at,
            }
        },
        team_id=queue.team_id if queue else None,
    )
    return ticket


@transaction.atomic
def message_add(
    *, ticket: Ticket, author_type: str, body: str, author: Agent | None = None
) -> Message:
    """Add a customer-visible message.

    The first agent message is the ticket's first response. A customer message is scored for
    sentiment before it is stored; an agent message on a new ticket opens it.
    """
    from escalations.engine.sentiment import sentiment_score_message

    message = Message(ticket=ticket, author_type=author_type, author_agent=author, body=body)
    if author_type == AuthorType.CUSTOMER:
        score = sentiment_score_message(body)
        message.sentiment = score.label
        message.sentiment_score = score.compound
        message.sentiment_reasons = list(score.reasons)
    message.save()

    previous_sentiment = ticket.customer_sentiment
    updates: dict[str, Any] = {}
    if author_type == AuthorType.CUSTOMER:
        updates["customer_sentiment"] = message.sentiment
        if ticket.status in (Status.PENDING, Status.SOLVED):
            # A customer reply reopens the conversation (and restarts paused clocks).
            updates["status"] = Status.OPEN
    elif author_type == AuthorType.AGENT:
        if ticket.first_response_at is None:
            updates["first_response_at"] = message.created_at
        if ticket.status == Status.NEW:
            updates["status"] = Status.OPEN
    old_status = ticket.status
    if updates:
        Ticket.objects.filter(pk=ticket.pk).update(**updates, updated_at=timezone.now())
        for field, value in updates.items():
            setattr(ticket, field, value)
    ticket_event_record(
        ticket=ticket,
        kind=EventKind.MESSAGE_ADDED,
        actor=author,
        data={
            "message": message.pk,
            "author_type": author_type,
            "sentiment": message.sentiment,
            "sentiment_score": message.sentiment_score,
            "previous_sentiment": previous_sentiment,
            "first_response": "first_response_at" in updates,
        },
    )
    if "status" in updates:
        ticket_event_record(
            ticket=ticket,
            kind=EventKind.STATUS_CHANGED,
            actor=author,
            data={"from": old_status, "to": updates["status"], "reason": "message"},
        )
    return message


@transaction.atomic
def note_add(
    *,
    ticket: Ticket,
    body: str,
    author: Agent | None,
    kind: str = NoteKind.NOTE,
    pinned: bool = False,
) -> Note:
    """Add an internal note (never customer-visible)."""
    note = Note.objects.create(ticket=ticket, body=body, author=author, kind=kind, pinned=pinned)
    ticket_event_record(
        ticket=ticket, kind=EventKind.NOTE_ADDED, actor=author, data={"note": note.pk, "kind": kind}
    )
    return note


def ticket_follow(*, ticket: Ticket, agent: Agent) -> None:
    # One statement, and safe against a concurrent follow (the unique constraint decides).
    TicketFollower.objects.bulk_create(
        [TicketFollower(ticket=ticket, agent=agent)], ignore_conflicts=True
    )


ESCALATE_TAG_REFUSAL = (
    "Adding the 'escalate' tag needs a handoff note (what you tried, your diagnosis, the "
    "authority you need): use the escalate action instead."
)


def _escalate_tag_refuse(*, ticket: Ticket, tags: Iterable[str]) -> None:
    from escalations.engine.triggers import ESCALATE_TAG

    wanted = {name.strip().lower() for name in tags}
    if ESCALATE_TAG in wanted and not ticket.tags.filter(name=ESCALATE_TAG).exists():
        raise ValidationError({"tags": [ESCALATE_TAG_REFUSAL]})


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: Agent | None,
    status: str | None = None,
    priority: str | None = None,
    queue: Queue | object | None = ...,
    assignee: Agent | object | None = ...,
    tags: Iterable[str] | None = None,
    reason: str = "",
    handoff: bool = False,
) -> Ticket:
    """Change a ticket's status, priority, queue, assignee or tags; one event per change.

    ``...`` (the default) for ``queue``/``assignee`` means "leave as is"; ``None`` clears.
    The row is locked first so concurrent edits serialise instead of overwriting each other.
    Adding the ``escalate`` tag needs a handoff: only the manual escalation service passes
    ``handoff=True``; anyone else gets a ``ValidationError`` and nothing is written.
    """
    if tags is not None:
        tags = list(tags)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if tags is not None and not handoff:
        _escalate_tag_refuse(ticket=locked, tags=tags)
    changes: list[tuple[str, dict[str, Any]]] = []
    now = timezone.now()
    if status is not None and status != locked.status:
        changes.append((EventKind.STATUS_CHANGED, {"from": locked.status, "to": status}))
        locked.status = status
        if status in (Status.SOLVED, Status.CLOSED) and locked.solved_at is None:
            locked.solved_at = now
        elif status not in (Status.SOLVED, Status.CLOSED):
            locked.solved_at = None
    if priority is not None and priority != locked.priority:
        changes.append((EventKind.PRIORITY_CHANGED, {"from": locked.priority, "to": priority}))
        locked.priority = priority
    if queue is not ... and queue != locked.queue:
        new_queue = queue if isinstance(queue, Queue) else None
        changes.append(
            (
                EventKind.QUEUE_CHANGED,
                {"from": locked.queue_id, "to": new_queue.pk if new_queue else None},
            )
        )
        locked.queue = new_queue
    if assignee is not ... and assignee != locked.assignee:
        new_assignee = assignee if isinstance(assignee, Agent) else None
        changes.append(
            (
                EventKind.ASSIGNED,
                {
                    "from": locked.assignee_id,
                    "to": new_assignee.pk if new_assignee else None,
                    "reason": reason or "manual",
                },
            )
        )
        if locked.assignee_id is not None and new_assignee is not None:
            TicketFollower.objects.bulk_create(
                [TicketFollower(ticket=locked, agent_id=locked.assignee_id)], ignore_conflicts=True
            )
        locked.assignee = new_assignee
    tag_change: dict[str, Any] | None = None
    if tags is not None:
        before = set(locked.tags.values_list("name", flat=True))
        tag_objs = _tags_get_or_create(tags)
        after = {t.name for t in tag_objs}
        if before != after:
            locked.tags.set(tag_objs)
            tag_change = {"added": sorted(after - before), "removed": sorted(before - after)}
            if handoff:
                tag_change["handoff"] = True
    if changes or tag_change:
        locked.save()
    for kind, data in changes:
        ticket_event_record(ticket=locked, kind=kind, actor=actor, data=data)
    if tag_change:
        ticket_event_record(
            ticket=locked, kind=EventKind.TAGS_CHANGED, actor=actor, data=tag_change
        )
    return locked


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    actor: Agent | None,
    name: str | None = None,
    email: str | None = None,
    tier: str | None = None,
) -> Customer:
    """Update a customer. A tier change is recorded in the tier history and, for each open
    ticket of the customer, as a ``tier_changed`` event (upgrades feed the tier trigger)."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if name is not None:
        locked.name = name
    if email is not None:
        locked.email = email
    old_tier = locked.tier
    tier_changed = tier is not None and tier != old_tier
    if tier_changed:
        assert tier is not None
        locked.tier = tier
    locked.save()
    if tier_changed:
        assert tier is not None
        change = CustomerTierChange.objects.create(
            customer=locked, from_tier=old_tier, to_tier=tier, changed_by=actor
        )
        data = {
            "from": old_tier,
            "to": tier,
            "upgrade": TIER_RANK[tier] > TIER_RANK[old_tier],
            "tier_change": change.pk,
        }
        for ticket in Ticket.objects.filter(customer=locked, status__in=OPEN_STATUSES):
            ticket_event_record(ticket=ticket, kind=EventKind.TIER_CHANGED, actor=actor, data=data)
    return locked


@transaction.atomic
def refund_request_create(
    *, ticket: Ticket, amount: Decimal, currency: str, reason: str = "", actor: Agent | None
) -> RefundRequest:
    refund = RefundRequest(
        ticket=ticket, amount=amount, currency=currency.upper(), reason=reason, requested_by=actor
    )
    refund.full_clean()
    refund.save()
    ticket_event_record(
        ticket=ticket,
        kind=EventKind.REFUND_REQUESTED,
        actor=actor,
        data={"refund": refund.pk, "amount": str(refund.amount), "currency": refund.currency},
    )
    return refund


def ticket_escalation_count_increment(*, ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(escalation_count=F("escalation_count") + 1)


# --- Teams and agents (admin writes, audited) -------------------------------------------------
TEAM_EDITABLE_FIELDS = ("name", "lead", "timezone", "default_currency")
AGENT_EDITABLE_FIELDS = ("role", "team", "is_available", "is_active")


def _picture(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f"{f}_id" if f in ("lead", "team") else f) for f in fields}


@transaction.atomic
def team_update(*, team: Team, actor: Agent, values: dict[str, Any]) -> Team:
    """Change a team's name, lead, time zone or default currency; one ``team.changed`` audit
    event with the before and after of the changed fields. The lead must be an active member."""
    lead = values.get("lead", team.lead)
    if "lead" in values and lead is not None and (lead.team_id != team.pk or not lead.is_active):
        raise ValidationError({"lead": [f"{lead} is not an active member of {team}."]})
    changed = [f for f in TEAM_EDITABLE_FIELDS if f in values and getattr(team, f) != values[f]]
    if not changed:
        return team
    before = _picture(team, changed)
    for field in changed:
        setattr(team, field, values[field])
    team.full_clean()
    team.save(update_fields=changed)
    audit_record(
        kind="team.changed", actor=actor, obj=team, before=before, after=_picture(team, changed)
    )
    return team


@transaction.atomic
def agent_update(*, agent: Agent, actor: Agent, values: dict[str, Any]) -> Agent:
    """Change an agent's role, team, availability or active flag; one ``agent.changed`` audit
    event. A team's lead keeps their team, role and access until the team has another lead."""
    changed = [f for f in AGENT_EDITABLE_FIELDS if f in values and getattr(agent, f) != values[f]]
    if not changed:
        return agent
    led = list(Team.objects.filter(lead=agent).values_list("name", flat=True))
    if led:
        leaving = {"team", "is_active"} & set(changed) or (
            "role" in changed and values["role"] != Role.LEAD
        )
        if leaving:
            field = sorted({"team", "is_active", "role"} & set(changed))[0]
            raise ValidationError(
                {field: [f"{agent} leads {', '.join(led)}: set another lead for it first."]}
            )
    before = _picture(agent, changed)
    for field in changed:
        setattr(agent, field, values[field])
    agent.save(update_fields=changed)
    audit_record(
        kind="agent.changed", actor=actor, obj=agent, before=before, after=_picture(agent, changed)
    )
    return agent
