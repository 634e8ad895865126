"""Writes to the ticket domain. Every change records a ``TicketEvent`` and publishes it.

Each function is one transaction. Text bodies are checked against ``kimondesk.bounds`` first, and
a customer message is scored for sentiment before its transaction opens, so no lock is held
while it is scored. Each recorded event is published as ``tickets.signals.ticket_event_recorded``
inside that transaction; the workflow engine subscribes to it (it moves SLA clocks there and
queues trigger evaluation for after the commit). Nothing here imports the workflow.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from escalations.audit import audit_record
from escalations.delivery.engine import webhook_event_emit
from escalations.engine.sentiment import NEGATIVE_RUN_MAX, SentimentScore, sentiment_score_message
from escalations.models import Escalation
from kimondesk.bounds import (
    MESSAGE_BODY_MAX_CHARS,
    NOTE_BODY_MAX_CHARS,
    REFUND_REASON_MAX_CHARS,
    text_bounds_check,
)
from kimondesk.compiled_queries import rows_insert, statement_cursor
from reports.services import agent_month_event_count

from .exceptions import TicketVersionConflict
from .live.events import ticket_event_push_on_commit
from .mail.outbound import reply_mail_queue
from .models import (
    DONE_STATUSES,
    ESCALATE_TAG,
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
    Sentiment,
    Status,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TicketFollower,
    tag_names_clean,
)
from .notifications.models import NotificationKind
from .notifications.services import notification_record
from .search.documents import ticket_search_document_append, ticket_search_documents_rebuild
from .selectors import customer_change_refusal, message_negative_run, ticket_currency
from .signals import ticket_event_recorded


def ticket_event_record(
    *,
    ticket: Ticket,
    kind: str,
    actor: Agent | None = None,
    data: dict[str, Any] | None = None,
    subject: Message | Note | None = None,
    escalation: Escalation | None = None,
) -> TicketEvent:
    """Append an event to the ticket's history and publish it (in this transaction).

    ``subject`` is the message or note the event records, as just written: its live
    push is built from it instead of reading it back. ``escalation``: the escalation an
    ``escalated`` event records, counted in the report's rollup with the event."""
    (event,) = rows_insert(
        [
            TicketEvent(
                ticket=ticket,
                kind=kind,
                actor=actor,
                assignee_id=ticket.assignee_id,
                data=data or {},
            )
        ]
    )
    # Open pages (ticket, queues, notifications) learn of it once it is committed, before the
    # evaluation that the workflow queues below: a page hears of an event before any of its
    # consequences (an SLA crossing before the escalation it fires).
    ticket_event_push_on_commit(event=event, subject=subject)
    ticket_event_recorded.send(sender=TicketEvent, event=event)
    agent_month_event_count(event=event, ticket=ticket, escalation=escalation)
    return event


def ticket_row_bump(*, ticket: Ticket, updates: dict[str, Any]) -> None:
    """Write ``updates`` to the ticket's row with a new ``updated_at`` and the next version, in
    one statement that returns that version (``UPDATE … RETURNING``): the row is not locked
    beforehand, so the version in memory may be behind. ``ticket`` gets the values written."""
    meta = Ticket._meta
    fields = {field.name: field for field in meta.concrete_fields}
    values = {**updates, "updated_at": timezone.now()}
    quote = connection.ops.quote_name
    version = quote(fields["version"].get_attname_column()[1])
    assignments, params = [], []
    for name, value in values.items():
        field = fields[name]
        assignments.append(f"{quote(field.get_attname_column()[1])} = %s")
        # A foreign key is given as its row (or None): its id is written.
        raw = value.pk if field.is_relation and isinstance(value, models.Model) else value
        params.append(field.get_db_prep_save(raw, connection))
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)}, {version} = {version} + 1 "  # noqa: S608 (model names; values are parameters)
        f"WHERE {quote(meta.pk.column)} = %s RETURNING {version}"
    )
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [*params, ticket.pk])
        (new_version,) = cursor.fetchone()
    for name, value in values.items():
        setattr(ticket, name, value)
    ticket.version = new_version


def _tags_get_or_create(names: Iterable[str]) -> list[Tag]:
    wanted = tag_names_clean(names)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=name) for name in wanted if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    return [existing[name] for name in wanted]


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
    """Open a ticket with the customer's first message (scored before the transaction)."""
    tags = list(tags)
    score = _message_score(author_type=AuthorType.CUSTOMER, body=body)
    with transaction.atomic():
        return _ticket_write(
            subject=subject,
            customer=customer,
            body=body,
            score=score,
            priority=priority,
            queue=queue,
            tags=tags,
            actor=actor,
        )


def _ticket_write(
    *,
    subject: str,
    customer: Customer,
    body: str,
    score: SentimentScore | None,
    priority: str,
    queue: Queue | None,
    tags: list[str],
    actor: Agent | None,
) -> Ticket:
    if ESCALATE_TAG in {name.strip().lower() for name in tags}:
        raise ValidationError({"tags": [ESCALATE_TAG_REFUSAL]})
    ticket = Ticket.objects.create(
        subject=subject, customer=customer, priority=priority, queue=queue, status=Status.NEW
    )
    tag_objs = _tags_get_or_create(tags)
    if tag_objs:
        ticket.tags.set(tag_objs)
    ticket_search_documents_rebuild(ticket_ids=[ticket.pk])
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
    _message_write(ticket=ticket, author_type=AuthorType.CUSTOMER, body=body, score=score)
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


def _message_score(*, author_type: str, body: str) -> SentimentScore | None:
    """Check the body's length, then score a customer message (no transaction is open yet)."""
    text_bounds_check(values={"body": (body, MESSAGE_BODY_MAX_CHARS)})
    return sentiment_score_message(body) if author_type == AuthorType.CUSTOMER else None


def message_add(
    *, ticket: Ticket, author_type: str, body: str, author: Agent | None = None, via: str = ""
) -> Message:
    """Add a customer-visible message.

    The first agent message is the ticket's first response. A customer message is scored for
    sentiment before the transaction opens; an agent message on a new ticket opens it.
    ``via`` names where the write came from in the ticket history (e.g. ``macro Refund``).
    """
    score = _message_score(author_type=author_type, body=body)
    with transaction.atomic():
        return _message_write(
            ticket=ticket, author_type=author_type, body=body, author=author, score=score, via=via
        )


def _message_write(
    *,
    ticket: Ticket,
    author_type: str,
    body: str,
    score: SentimentScore | None,
    author: Agent | None = None,
    via: str = "",
) -> Message:
    message = Message(ticket=ticket, author_type=author_type, author_agent=author, body=body)
    if score is not None:
        message.sentiment = score.label
        message.sentiment_score = score.compound
        message.sentiment_reasons = list(score.reasons)
        message.sentiment_language = score.language
    rows_insert([message])
    ticket_search_document_append(ticket_id=ticket.pk, text=body)

    previous_sentiment = ticket.customer_sentiment
    negative_run = 0
    if message.sentiment == Sentiment.NEGATIVE:
        negative_run = 1 + message_negative_run(
            ticket=ticket, before_id=message.pk, limit=NEGATIVE_RUN_MAX - 1
        )
    updates: dict[str, Any] = {}
    if author_type == AuthorType.CUSTOMER:
        if message.sentiment != Sentiment.UNSCORED:
            # A message in a language with no scorer leaves the ticket's mood as it was.
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
        ticket_row_bump(ticket=ticket, updates=updates)
    ticket_event_record(
        ticket=ticket,
        kind=EventKind.MESSAGE_ADDED,
        actor=author,
        data={
            "message": message.pk,
            "author_type": author_type,
            "sentiment": message.sentiment,
            "sentiment_score": message.sentiment_score,
            "sentiment_language": message.sentiment_language,
            "previous_sentiment": previous_sentiment,
            "negative_run": negative_run,
            "first_response": "first_response_at" in updates,
            **_via(via),
        },
        subject=message,
    )
    if "status" in updates:
        ticket_event_record(
            ticket=ticket,
            kind=EventKind.STATUS_CHANGED,
            actor=author,
            data={"from": old_status, "to": updates["status"], "reason": "message", **_via(via)},
        )
    if author_type == AuthorType.AGENT:
        # A ticket with a mail channel sends the reply to the customer after commit.
        reply_mail_queue(message=message)
    return message


@transaction.atomic
def note_add(
    *,
    ticket: Ticket,
    body: str,
    author: Agent | None,
    kind: str = NoteKind.NOTE,
    pinned: bool = False,
    via: str = "",
    addressed_to: Agent | None = None,
    escalation_id: int | None = None,
) -> Note:
    """Add an internal note (never customer-visible). A question note is ``addressed_to`` an
    agent and names the escalation it asks about (in its event)."""
    text_bounds_check(values={"body": (body, NOTE_BODY_MAX_CHARS)})
    (note,) = rows_insert(
        [
            Note(
                ticket=ticket,
                body=body,
                author=author,
                kind=kind,
                pinned=pinned,
                addressed_to=addressed_to,
            )
        ]
    )
    data: dict[str, Any] = {"note": note.pk, "kind": kind, **_via(via)}
    if escalation_id is not None:
        data["escalation"] = escalation_id
    ticket_event_record(
        ticket=ticket, kind=EventKind.NOTE_ADDED, actor=author, data=data, subject=note
    )
    return note


def _via(via: str) -> dict[str, str]:
    """The ``via`` key of an event's data: where the change came from, e.g. ``macro Refund``."""
    return {"via": via} if via else {}


@functools.cache
def _summaries_unpin_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"UPDATE {quote(Note._meta.db_table)} SET pinned = %s "  # noqa: S608 (model names)
        "WHERE ticket_id = %s AND kind = %s AND pinned"
    )


def _summaries_unpin(*, ticket_id: int) -> None:
    """The ticket's pinned escalation summaries unpinned (one statement, built once)."""
    with statement_cursor(connection) as cursor:
        cursor.execute(
            _summaries_unpin_sql(connection.vendor),
            [False, ticket_id, NoteKind.ESCALATION_SUMMARY.value],
        )


def ticket_follow(*, ticket: Ticket, agent_id: int) -> None:
    # One statement, and safe against a concurrent follow (the unique constraint decides).
    rows_insert([TicketFollower(ticket=ticket, agent_id=agent_id)], ignore_conflicts=True)


ESCALATE_TAG_REFUSAL = (
    "Adding the 'escalate' tag needs a handoff note (what you tried, your diagnosis, the "
    "authority you need): use the escalate action instead."
)


def _escalate_tag_refuse(*, ticket: Ticket, tags: Iterable[str]) -> None:
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
    expected_version: int | None = None,
    via: str = "",
) -> Ticket:
    """Change a ticket's status, priority, queue, assignee or tags; one event per change.

    ``expected_version`` is the version the writer saw: if the ticket has moved on since,
    ``TicketVersionConflict`` is raised and nothing is written (None: no check).

    ``...`` (the default) for ``queue``/``assignee`` means "leave as is"; ``None`` clears.
    The row is locked first so concurrent edits serialise instead of overwriting each other.
    Adding the ``escalate`` tag needs a handoff: only the manual escalation service passes
    ``handoff=True``; anyone else gets a ``ValidationError`` and nothing is written.
    ``via`` (e.g. ``macro Refund``) is recorded in each event's data for the ticket history.
    """
    if tags is not None:
        tags = list(tags)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and expected_version != locked.version:
        raise TicketVersionConflict(
            ticket_id=locked.pk, expected=expected_version, current=locked.version
        )
    if tags is not None and not handoff:
        _escalate_tag_refuse(ticket=locked, tags=tags)
    changes: list[tuple[str, dict[str, Any]]] = []
    now = timezone.now()
    if status is not None and status != locked.status:
        changes.append((EventKind.STATUS_CHANGED, {"from": locked.status, "to": status}))
        locked.status = status
        if status in DONE_STATUSES and locked.solved_at is None:
            locked.solved_at = now
        elif status not in DONE_STATUSES:
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
            ticket_follow(ticket=locked, agent_id=locked.assignee_id)
        # The escalation path tells the previous holder itself (``escalation.handed_off``).
        previous_id = locked.assignee_id
        by_someone_else = previous_id != getattr(actor, "pk", None)
        if previous_id is not None and by_someone_else and reason != "escalation":
            notification_record(
                agent_id=previous_id,
                kind=NotificationKind.TICKET_REASSIGNED,
                ticket=locked,
                message=f"#{locked.pk} was reassigned from you to "
                f"{new_assignee or 'nobody'} by {actor or 'KimonDesk'}.",
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
        # The row is locked: its version read above is current, so the next one is known.
        locked.version += 1
        locked.save()
    for kind, data in changes:
        ticket_event_record(ticket=locked, kind=kind, actor=actor, data={**data, **_via(via)})
    if tag_change:
        ticket_event_record(
            ticket=locked,
            kind=EventKind.TAGS_CHANGED,
            actor=actor,
            data={**tag_change, **_via(via)},
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
    """Update a customer, as ``actor`` is allowed to (``customer_change_refusal``; ``None``:
    the system). Every change is audited with its before and after values. A tier change is
    recorded in the tier history and, for each open ticket of the customer, as a
    ``tier_changed`` event (upgrades feed the tier trigger)."""
    wanted = {"name": name, "email": email, "tier": tier}
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = {
        field: value
        for field, value in wanted.items()
        if value is not None and value != getattr(locked, field)
    }
    if not changes:
        return locked
    if actor is not None:
        refusal = customer_change_refusal(agent=actor, customer=locked, fields=set(changes))
        if refusal is not None:
            raise PermissionDenied(refusal)
    before = {field: getattr(locked, field) for field in changes}
    old_tier = locked.tier
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save(update_fields=[*changes, "updated_at"])
    audit_record(
        kind="customer.updated", actor=actor, obj=locked, before=before, after=dict(changes)
    )
    tier_changed = "tier" in changes
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
    *,
    ticket: Ticket,
    amount: Decimal,
    currency: str | None = None,
    reason: str = "",
    actor: Agent | None,
) -> RefundRequest:
    """Record a refund request; without ``currency`` it is in the ticket team's currency."""
    text_bounds_check(values={"reason": (reason, REFUND_REASON_MAX_CHARS)})
    currency = currency or ticket_currency(ticket=ticket)
    if not currency:
        raise ValidationError({"currency": ["The ticket has no team: give the currency."]})
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


@dataclass(frozen=True)
class EscalationApplied:
    """What ``ticket_escalation_apply`` wrote: the ticket as it is now, its one event, the note."""

    ticket: Ticket
    event: TicketEvent
    note: Note


@transaction.atomic(savepoint=False)
def ticket_escalation_apply(
    *,
    ticket: Ticket,
    escalation: Escalation,
    actor: Agent | None,
    summary: Callable[[Ticket], str],
    data: dict[str, Any],
    assignee: Agent | object | None = ...,
    queue: Queue | object | None = ...,
    add_escalate_tag: bool = False,
) -> EscalationApplied:
    """An escalation's changes to the ticket, in one write that records ONE ``escalated`` event.

    ``ticket`` is locked by the caller (``select_for_update`` in the escalation's transaction,
    which this joins), with its queue, assignee and customer loaded: the escalation's guards
    read it under that lock, so it is current and is not read again. ``escalation`` is the row
    the event records (counted in the report's rollup with the event).

    Reassigns (``assignee``/``queue``: ``...`` leaves as is, ``None`` clears), adds the
    ``escalate`` tag (tag escalations, which come with a handoff), counts the escalation and
    pins the summary note, unpinning the one before. The event's ``data`` is the caller's
    (escalation, trigger, rule, …) plus ``changes``, the field changes made in order as
    ``[kind, data]`` pairs (``TicketEvent.field_changes``), and ``assigned``: whether the
    assignee changed. ``summary`` is called once the changes and the event are recorded (so the
    SLA clocks have followed a queue change) and returns the note's text. The previous holder
    follows the ticket. Nothing here is published a second time: one escalation, one event.
    """
    locked = ticket  # locked by the caller, see above
    previous_id = locked.assignee_id
    changes: list[tuple[str, dict[str, Any]]] = []
    if add_escalate_tag:
        before = set(locked.tags.values_list("name", flat=True))
        if ESCALATE_TAG not in before:
            locked.tags.add(*_tags_get_or_create([ESCALATE_TAG]))
            changes.append(
                (EventKind.TAGS_CHANGED, {"added": [ESCALATE_TAG], "removed": [], "handoff": True})
            )
    # The row is locked: the count read above is current.
    updates: dict[str, Any] = {"escalation_count": locked.escalation_count + 1}
    if queue is not ... and queue != locked.queue:
        new_queue = queue if isinstance(queue, Queue) else None
        changes.append((EventKind.QUEUE_CHANGED, {"from": locked.queue_id, "to": _pk(new_queue)}))
        updates["queue"] = new_queue
    if assignee is not ... and assignee != locked.assignee:
        new_assignee = assignee if isinstance(assignee, Agent) else None
        changes.append(
            (
                EventKind.ASSIGNED,
                {"from": previous_id, "to": _pk(new_assignee), "reason": "escalation"},
            )
        )
        updates["assignee"] = new_assignee
    ticket_row_bump(ticket=locked, updates=updates)
    if previous_id is not None:
        ticket_follow(ticket=locked, agent_id=previous_id)
    event = ticket_event_record(
        ticket=locked,
        kind=EventKind.ESCALATED,
        actor=actor,
        data={
            **data,
            "changes": [[kind, change] for kind, change in changes],
            "assigned": any(kind == EventKind.ASSIGNED for kind, _ in changes),
        },
        escalation=escalation,
    )
    body = summary(locked)
    text_bounds_check(values={"body": (body, NOTE_BODY_MAX_CHARS)})
    _summaries_unpin(ticket_id=locked.pk)
    (note,) = rows_insert(
        [
            Note(
                ticket=locked,
                body=body,
                author=actor,
                kind=NoteKind.ESCALATION_SUMMARY,
                pinned=True,
            )
        ]
    )
    return EscalationApplied(ticket=locked, event=event, note=note)


def _pk(obj: Agent | Queue | None) -> int | None:
    return obj.pk if obj is not None else None


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
