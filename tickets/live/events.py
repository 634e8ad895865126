"""Every live event of a ticket, built in one place and pushed after commit.

``ticket_event_record`` hands each ``TicketEvent`` to ``ticket_event_push_on_commit``; once the
transaction commits, ``ticket_event_pushes`` reads the committed rows and returns the
``(group, payload)`` pairs, and ``tickets.realtime`` sends them through the channel layer (Redis,
or the database outbox), whichever process made the change. The shapes are the live event
contract (docs/live-events.md):

- ticket group ``ticket.<id>``: ``message.created``, ``note.created``, ``ticket.updated``,
  ``refund.created``, ``escalation.acknowledged``, ``message.delivery`` (a reply's mail delivery
  state, pushed by ``tickets.mail.outbound`` through ``message_delivery_push_on_commit``) (``escalation.summary`` is built by the
  escalation engine; the summary note is not pushed a second time as ``note.created``);
- queue groups ``team.<team id>`` and ``team.all``: ``queue.ticket_changed`` for every change
  that moves a ticket's row (new ticket, field change, customer message, escalation, SLA);
- agent group ``agent.<id>``: ``escalation.acknowledged`` to the agent who escalated,
  ``ticket.reassigned`` to the previous assignee.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from escalations.engine.notify import acknowledged_notification_message
from escalations.models import Escalation
from escalations.sla.selectors import sla_summary
from kimondesk.compiled_queries import CompiledQuery
from tickets import realtime
from tickets.mail.models import OutboundMail
from tickets.models import (
    Agent,
    AuthorType,
    EventKind,
    Message,
    Note,
    NoteKind,
    Queue,
    RefundRequest,
    Ticket,
    TicketEvent,
)
from tickets.selectors import ticket_tag_names

logger = logging.getLogger(__name__)

FIELD_KINDS = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.PRIORITY_CHANGED: "priority",
    EventKind.QUEUE_CHANGED: "queue",
    EventKind.ASSIGNED: "assignee",
    EventKind.TAGS_CHANGED: "tags",
}
PUSHED_KINDS = frozenset(
    {
        *FIELD_KINDS,
        EventKind.TICKET_CREATED,
        EventKind.MESSAGE_ADDED,
        EventKind.NOTE_ADDED,
        EventKind.REFUND_REQUESTED,
        EventKind.SLA_STATE_CHANGED,
        EventKind.ESCALATED,
        EventKind.ESCALATION_ACKNOWLEDGED,
    }
)

# Pushed from the objects in memory: what they show never changes after the write.
BUILT_IN_MEMORY_KINDS = frozenset(
    {
        EventKind.TICKET_CREATED,
        EventKind.MESSAGE_ADDED,
        EventKind.NOTE_ADDED,
    }
)

Push = tuple[str, dict[str, Any]]
Subject = Message | Note


# --- payloads ---------------------------------------------------------------------------------
def agent_ref(agent: Agent | None) -> dict[str, Any] | None:
    return {"id": agent.pk, "name": str(agent)} if agent is not None else None


def queue_ref(queue: Queue | None) -> dict[str, Any] | None:
    return {"id": queue.pk, "name": queue.name} if queue is not None else None


def message_created_event(*, message: Message) -> dict[str, Any]:
    sentiment = None
    if message.author_type == AuthorType.CUSTOMER:
        sentiment = {
            "label": message.sentiment,
            "display": message.get_sentiment_display(),
            "score": message.sentiment_score,
            "reasons": list(message.sentiment_reasons),
        }
    return {
        "type": "message.created",
        "ticket": message.ticket_id,
        "message": {
            "id": message.pk,
            "author_type": message.author_type,
            "author": agent_ref(message.author_agent),
            "body": message.body,
            "sentiment": sentiment,
            "created_at": message.created_at.isoformat(),
        },
    }


def note_created_event(*, note: Note) -> dict[str, Any]:
    return {
        "type": "note.created",
        "ticket": note.ticket_id,
        "note": {
            "id": note.pk,
            "kind": note.kind,
            "author": agent_ref(note.author),
            "addressed_to": agent_ref(note.addressed_to),
            "body": note.body,
            "pinned": note.pinned,
            "created_at": note.created_at.isoformat(),
        },
    }


def refund_created_event(*, refund: RefundRequest) -> dict[str, Any]:
    return {
        "type": "refund.created",
        "ticket": refund.ticket_id,
        "refund": {
            "id": refund.pk,
            "amount": str(refund.amount),
            "currency": refund.currency,
            "reason": refund.reason,
            "created_at": refund.created_at.isoformat(),
        },
    }


def escalation_acknowledged_event(*, escalation: Escalation) -> dict[str, Any]:
    assert escalation.acknowledged_at is not None
    return {
        "type": "escalation.acknowledged",
        "ticket": escalation.ticket_id,
        "escalation": escalation.pk,
        "by": agent_ref(escalation.acknowledged_by),
        "on_behalf_of": (
            agent_ref(escalation.acknowledged_on_behalf_of)
            if escalation.acknowledged_on_behalf_of is not None
            else None
        ),
        "at": escalation.acknowledged_at.isoformat(),
    }


def ticket_fields(*, ticket: Ticket) -> dict[str, Any]:
    """The full snapshot of the ticket's meta block."""
    return {
        "status": ticket.status,
        "status_display": ticket.get_status_display(),
        "priority": ticket.priority,
        "priority_display": ticket.get_priority_display(),
        "assignee": agent_ref(ticket.assignee),
        "queue": queue_ref(ticket.queue),
        "tags": sorted(ticket_tag_names(ticket=ticket)),
    }


def ticket_sla(*, ticket: Ticket) -> dict[str, Any] | None:
    summary = sla_summary(ticket=ticket)
    if not summary.get("state"):
        return None
    first_due, due = summary.get("first_response_due_at"), summary.get("due_at")
    return {
        "state": summary["state"],
        "first_response_due_at": first_due.isoformat() if first_due is not None else None,
        "remaining_seconds": summary.get("remaining_seconds"),
        "metric": summary.get("metric"),
        "due_at": due.isoformat() if due is not None else None,
    }


def ticket_updated_event(
    *,
    ticket: Ticket,
    kind: str,
    actor: Agent | None,
    changes: dict[str, dict[str, Any]],
    sla: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "type": "ticket.updated",
        "ticket": ticket.pk,
        "version": ticket.version,
        "event": kind,
        "actor": agent_ref(actor),
        "changes": changes,
        "ticket_fields": ticket_fields(ticket=ticket),
        "sla": sla,
    }


def queue_ticket_changed_event(*, ticket: Ticket, kind: str) -> dict[str, Any]:
    return {
        "type": "queue.ticket_changed",
        "ticket": ticket.pk,
        "team": ticket.queue.team_id if ticket.queue is not None else None,
        "event": kind,
    }


def notification_event(
    *, kind: str, ticket_id: int, message: str, escalation_id: int | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, "ticket": ticket_id}
    if escalation_id is not None:
        event["escalation"] = escalation_id
    event["message"] = message
    return event


def escalation_question_message(*, note: Note) -> str:
    """The notification of a question to the agent who escalated: kept and pushed alike."""
    excerpt = note.body if len(note.body) <= 120 else note.body[:119].rstrip() + "…"
    return f"#{note.ticket_id}: {note.author or 'Someone'} asked about your escalation: “{excerpt}”"


# --- which groups get what, for one recorded event ---------------------------------------------
def _field_change(*, ticket: Ticket, field: str, data: dict[str, Any]) -> dict[str, Any]:
    if field == "tags":
        # The event stores what was added and removed; the tags now, less those, is before.
        after = set(ticket_tag_names(ticket=ticket))
        before = (after - set(data["added"])) | set(data["removed"])
        return {"from": sorted(before), "to": sorted(after)}
    if field == "assignee":
        ids = [pk for pk in (data["from"], data["to"]) if pk]
        agents = {a.pk: a for a in _agent_pair.all(one=ids[0], other=ids[-1])} if ids else {}
        return {
            "from": agent_ref(agents.get(data["from"])),
            "to": agent_ref(agents.get(data["to"])),
        }
    if field == "queue":
        queues = Queue.objects.in_bulk([pk for pk in (data["from"], data["to"]) if pk])
        return {
            "from": queue_ref(queues.get(data["from"])),
            "to": queue_ref(queues.get(data["to"])),
        }
    return {"from": data["from"], "to": data["to"]}


def _queue_pushes(*, ticket: Ticket, kind: str) -> list[Push]:
    event = queue_ticket_changed_event(ticket=ticket, kind=kind)
    groups = [realtime.TEAM_ALL_GROUP]
    if event["team"] is not None:
        groups.insert(0, realtime.team_group(event["team"]))
    return [(group, event) for group in groups]


_event_with_ticket = CompiledQuery(
    lambda *, event_id: TicketEvent.objects.select_related(
        "ticket__queue", "ticket__assignee", "actor"
    ).filter(pk=event_id),
    event_id=int,
)


_agent_pair = CompiledQuery(
    lambda *, one, other: Agent.objects.filter(pk__in=[one, other]), one=int, other=int
)


def ticket_event_pushes(*, event_id: int) -> list[Push]:
    """The pushes of one committed ``TicketEvent``, read from the database as committed."""
    return _event_pushes(event=_event_with_ticket.get(event_id=event_id))


def _event_pushes(*, event: TicketEvent, subject: Subject | None = None) -> list[Push]:
    """The pushes of ``event``; the message or note it records is read unless given."""
    ticket, kind, data = event.ticket, event.kind, event.data
    to_ticket = realtime.ticket_group(ticket.pk)
    pushes: list[Push] = []
    if kind == EventKind.MESSAGE_ADDED:
        message = (
            subject
            if isinstance(subject, Message)
            else Message.objects.select_related("author_agent").get(pk=data["message"])
        )
        pushes.append((to_ticket, message_created_event(message=message)))
        if message.author_type == AuthorType.CUSTOMER:
            pushes += _queue_pushes(ticket=ticket, kind=kind)
    elif kind == EventKind.NOTE_ADDED:
        note = (
            subject
            if isinstance(subject, Note)
            else Note.objects.select_related("author", "addressed_to").get(pk=data["note"])
        )
        if note.kind != NoteKind.ESCALATION_SUMMARY:
            pushes.append((to_ticket, note_created_event(note=note)))
        if note.kind == NoteKind.QUESTION and note.addressed_to_id is not None:
            notice = notification_event(
                kind="escalation.question",
                ticket_id=ticket.pk,
                escalation_id=data.get("escalation"),
                message=escalation_question_message(note=note),
            )
            pushes.append((realtime.agent_group(note.addressed_to_id), notice))
    elif kind == EventKind.REFUND_REQUESTED:
        refund = RefundRequest.objects.get(pk=data["refund"])
        pushes.append((to_ticket, refund_created_event(refund=refund)))
    elif kind in FIELD_KINDS or kind == EventKind.SLA_STATE_CHANGED:
        pushes += _field_pushes(event=event, kind=kind, data=data)
        if kind == EventKind.ASSIGNED:
            pushes += _reassigned_pushes(event=event)
    elif kind == EventKind.ESCALATED:
        # The escalation's one event carries its field changes: each is pushed as a field event
        # would be (the page shows each change), then the queue rows learn of the escalation.
        for change_kind, change in event.field_changes():
            pushes += _field_pushes(event=event, kind=change_kind, data=change)
        pushes += _queue_pushes(ticket=ticket, kind=kind)
    elif kind == EventKind.TICKET_CREATED:
        pushes += _queue_pushes(ticket=ticket, kind=kind)
    elif kind == EventKind.ESCALATION_ACKNOWLEDGED:
        escalation = Escalation.objects.select_related(
            "acknowledged_by", "acknowledged_on_behalf_of", "initiated_by"
        ).get(pk=data["escalation"])
        pushes.append((to_ticket, escalation_acknowledged_event(escalation=escalation)))
        from_id, by = escalation.from_agent_id, escalation.acknowledged_by
        if from_id is not None and by is not None and from_id != by.pk:
            notice = notification_event(
                kind="escalation.acknowledged",
                ticket_id=ticket.pk,
                escalation_id=escalation.pk,
                # The words of the notification kept for it.
                message=acknowledged_notification_message(
                    escalation=escalation,
                    by=by,
                    on_behalf_of=escalation.acknowledged_on_behalf_of,
                ),
            )
            pushes.append((realtime.agent_group(from_id), notice))
    return pushes


def _field_pushes(*, event: TicketEvent, kind: str, data: dict[str, Any]) -> list[Push]:
    """``ticket.updated`` (what changed, the fields now, the SLA) and the queue rows' push."""
    ticket = event.ticket
    changes = {}
    if kind in FIELD_KINDS:
        field = FIELD_KINDS[EventKind(kind)]
        changes[field] = _field_change(ticket=ticket, field=field, data=data)
    update = ticket_updated_event(
        ticket=ticket, kind=kind, actor=event.actor, changes=changes, sla=ticket_sla(ticket=ticket)
    )
    return [(realtime.ticket_group(ticket.pk), update), *_queue_pushes(ticket=ticket, kind=kind)]


def _reassigned_pushes(*, event: TicketEvent) -> list[Push]:
    """The previous assignee hears that the ticket moved away from them, unless they moved it
    themselves or an escalation did (the engine sends ``escalation.handed_off`` then)."""
    previous_id, new_id = event.data.get("from"), event.data.get("to")
    if previous_id is None or previous_id in (new_id, event.actor_id):
        return []
    if event.data.get("reason") == "escalation":
        return []
    new = Agent.objects.filter(pk=new_id).first() if new_id else None
    where = f"to {new}" if new is not None else "to nobody"
    by = f" by {event.actor}" if event.actor is not None else ""
    notice = notification_event(
        kind="ticket.reassigned",
        ticket_id=event.ticket_id,
        message=f"#{event.ticket_id} was reassigned from you {where}{by}.",
    )
    return [(realtime.agent_group(previous_id), notice)]


def ticket_event_push_on_commit(*, event: TicketEvent, subject: Subject | None = None) -> None:
    """Push what ``event`` changed to every open page, once its transaction commits.

    A new ticket, message or note is pushed from the objects just written (``event``
    with its ticket and queue, and ``subject``, the row the event records): those rows never
    change once written, so the committed rows would say the same. Field changes and SLA
    states are read as committed, since their pushes carry the ticket's fields as they are then
    (and a refund's amount as stored, with its decimal places).
    """
    if event.kind not in PUSHED_KINDS:
        return
    event_id = event.pk
    if event.kind in BUILT_IN_MEMORY_KINDS:
        transaction.on_commit(lambda: _push(event_id=event_id, event=event, subject=subject))
    else:
        transaction.on_commit(lambda: _push(event_id=event_id))


def _push(
    *, event_id: int, event: TicketEvent | None = None, subject: Subject | None = None
) -> None:
    try:
        pushes = (
            ticket_event_pushes(event_id=event_id)
            if event is None
            else _event_pushes(event=event, subject=subject)
        )
    except Exception:
        # Pages catch up from the stored data on reconnect; the failure is not silent.
        logger.exception("live events of ticket event %s could not be built", event_id)
        return
    realtime.push_many(pushes)


def message_delivery_event(*, outbound: OutboundMail) -> dict[str, Any]:
    """The mail delivery state of an agent's reply, with the badge the ticket page shows."""
    return {
        "type": "message.delivery",
        "ticket": outbound.message.ticket_id,
        "message": outbound.message_id,
        "delivery": {
            "state": outbound.state,
            "to": outbound.to_address,
            "attempts": outbound.attempts,
            "last_error": outbound.last_error,
            "sent_at": outbound.sent_at.isoformat() if outbound.sent_at else None,
        },
        "html": render_to_string("mail/_delivery_state.html", {"delivery": outbound}).strip(),
    }


def message_delivery_push_on_commit(*, outbound: OutboundMail) -> None:
    """Push the reply's delivery state to open ticket pages once its transaction commits."""
    outbound_id = outbound.pk

    def push() -> None:
        try:
            current = OutboundMail.objects.select_related("message").get(pk=outbound_id)
            event = message_delivery_event(outbound=current)
        except Exception:
            logger.exception("delivery event of outbound mail %s could not be built", outbound_id)
            return
        realtime.push_to_ticket(event["ticket"], event)

    transaction.on_commit(push)
