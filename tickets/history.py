"""A ticket's history in words, for its page: who changed what, when, and through what
("via macro Refund under 200", "via rule “Angry customer to the lead”"). Reads only: one query
for the events with their actors, one each for the agents and queues they name, and one for the
rules behind the escalations among them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalations.models import Escalation

from .models import Agent, EventKind, Priority, Queue, Status, Ticket, TicketEvent

HISTORY_MAX_LINES = 50
"""The page shows the newest 50 changes."""

_STATUS: dict[Any, str] = dict(Status.choices)
_PRIORITY: dict[Any, str] = dict(Priority.choices)
# Events the history shows (messages and notes have the conversation; SLA crossings the clock).
HISTORY_KINDS = (
    EventKind.STATUS_CHANGED,
    EventKind.PRIORITY_CHANGED,
    EventKind.QUEUE_CHANGED,
    EventKind.ASSIGNED,
    EventKind.TAGS_CHANGED,
    # An escalation's one event: its tag, queue and assignee changes are lines like the above.
    EventKind.ESCALATED,
    EventKind.MESSAGE_ADDED,
    EventKind.NOTE_ADDED,
)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    text: str
    via: str


def _text(kind: str, data: dict[str, Any], names: dict[str, dict[int, str]]) -> str | None:
    if kind == EventKind.STATUS_CHANGED:
        return (
            f"set status {_STATUS.get(data.get('from'), '?')} → {_STATUS.get(data.get('to'), '?')}"
        )
    if kind == EventKind.PRIORITY_CHANGED:
        frm, to = _PRIORITY.get(data.get("from"), "?"), _PRIORITY.get(data.get("to"), "?")
        return f"set priority {frm} → {to}"
    if kind == EventKind.QUEUE_CHANGED:
        queues = names["queues"]
        frm, to = queues.get(data.get("from") or 0, "none"), queues.get(data.get("to") or 0, "none")
        return f"moved the ticket from {frm} to {to}"
    if kind == EventKind.ASSIGNED:
        to = names["agents"].get(data.get("to") or 0, "nobody")
        if data.get("reason") == "escalation":
            return f"escalated the ticket to {to}"
        return f"assigned the ticket to {to}"
    if kind == EventKind.ESCALATED:
        # An escalation that changed nothing on the ticket (a Slack post, for one).
        return "escalated the ticket; it stays with its holder"
    if kind == EventKind.TAGS_CHANGED:
        parts = []
        if data.get("added"):
            parts.append(f"added tags {', '.join(data['added'])}")
        if data.get("removed"):
            parts.append(f"removed tags {', '.join(data['removed'])}")
        return "; ".join(parts) or None
    if kind == EventKind.MESSAGE_ADDED and data.get("author_type") == "agent":
        return "replied to the customer"
    if kind == EventKind.NOTE_ADDED and data.get("kind", "note") == "note":
        return "added an internal note"
    return None


def _escalation_rules(escalation_ids: Iterable[Any]) -> dict[Any, str]:
    """ "rule “name”" for each rule-fired escalation among ``escalation_ids`` (the name it had
    when it fired); no query when there is none."""
    ids = [pk for pk in escalation_ids if isinstance(pk, int)]
    if not ids:
        return {}
    return {
        pk: f"rule “{name}”"
        for pk, name in Escalation.objects.filter(pk__in=ids)
        .exclude(rule_name="")
        .values_list("pk", "rule_name")
    }


def ticket_history(*, ticket: Ticket) -> list[HistoryLine]:
    """The ticket's newest changes, newest first, each as a sentence."""
    events = list(
        TicketEvent.objects.filter(ticket=ticket, kind__in=HISTORY_KINDS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:HISTORY_MAX_LINES]
    )
    # Newest first: an escalation's changes are read back to front like separate events.
    changes = [
        (e, kind, data)
        for e in events
        for kind, data in reversed(e.field_changes() or [(e.kind, e.data or {})])
    ]
    agent_ids = {
        data.get("to") for _, kind, data in changes if kind == EventKind.ASSIGNED and data.get("to")
    }
    queue_ids = {
        pk
        for _, kind, data in changes
        if kind == EventKind.QUEUE_CHANGED
        for pk in (data.get("from"), data.get("to"))
        if pk
    }
    names = {
        "agents": {a.pk: str(a) for a in Agent.objects.filter(pk__in=agent_ids)},
        "queues": {q.pk: q.name for q in Queue.objects.filter(pk__in=queue_ids)},
    }
    by_rule = _escalation_rules(
        e.data.get("escalation") for e in events if e.kind == EventKind.ESCALATED
    )
    lines = []
    for event, kind, data in changes:
        text = _text(kind, data, names)
        if text is None:
            continue
        lines.append(
            HistoryLine(
                at=event.created_at,
                actor=str(event.actor) if event.actor else "KimonDesk",
                text=text,
                via=by_rule.get(event.data.get("escalation"), "")
                if event.kind == EventKind.ESCALATED
                else str(data.get("via", "")),
            )
        )
    return lines[:HISTORY_MAX_LINES]
