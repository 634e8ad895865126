"""Bulk edits of the queue pages: assign, status, priority and tags on many tickets at once.

Each ticket goes through ``services.ticket_update`` (its events, SLA clocks and triggers, as for a
single edit) after the same checks as a single edit (the agent sees the ticket; an assignee is an
active member of the ticket's team), and gets an audit row. All or nothing: one refused ticket
refuses the whole request and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from escalations.audit import audit_record

from . import selectors, services
from .models import Agent, Priority, Status

# The most tickets one bulk edit changes (a queue page holds at most 100 rows).
BULK_MAX_TICKETS = 100
BULK_AUDIT_KIND = "ticket.bulk_updated"
TAG_MAX_CHARS = 50  # Tag.name
KEEP = ...


@dataclass(frozen=True)
class BulkResult:
    changed: tuple[int, ...]
    unchanged: tuple[int, ...]


def _tag_names(names: Iterable[str], *, field: str) -> set[str]:
    cleaned = {name.strip().lower() for name in names if name.strip()}
    too_long = sorted(name for name in cleaned if len(name) > TAG_MAX_CHARS)
    if too_long:
        raise ValidationError(
            {field: [f"A tag has at most {TAG_MAX_CHARS} characters: {too_long[0][:20]}…"]}
        )
    return cleaned


@transaction.atomic
def tickets_bulk_update(
    *,
    actor: Agent,
    ticket_ids: list[int],
    status: str | None = None,
    priority: str | None = None,
    assignee: Agent | object | None = KEEP,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
) -> BulkResult:
    """Apply the same change to each of ``ticket_ids``; ``ValidationError`` (naming the field)
    and nothing written when any ticket or value is refused."""
    ids = sorted(set(ticket_ids))
    if not ids:
        raise ValidationError({"tickets": ["Select at least one ticket."]})
    if len(ids) > BULK_MAX_TICKETS:
        raise ValidationError(
            {"tickets": [f"Select at most {BULK_MAX_TICKETS} tickets at a time ({len(ids)})."]}
        )
    if status is not None and status not in Status.values:
        raise ValidationError({"status": [f"Unknown status {status!r}."]})
    if priority is not None and priority not in Priority.values:
        raise ValidationError({"priority": [f"Unknown priority {priority!r}."]})
    adding = _tag_names(add_tags, field="add_tags")
    removing = _tag_names(remove_tags, field="remove_tags")
    if status is None and priority is None and assignee is KEEP and not adding and not removing:
        raise ValidationError({"action": ["Choose what to change."]})

    tickets = list(
        selectors.tickets_visible_to(agent=actor)
        .filter(pk__in=ids)
        .select_related("queue", "assignee")
        .prefetch_related("tags")
        .order_by("pk")
    )
    missing = sorted(set(ids) - {t.pk for t in tickets})
    if missing:
        raise ValidationError(
            {"tickets": [f"Not found or not yours to edit: {', '.join(f'#{n}' for n in missing)}."]}
        )
    if isinstance(assignee, Agent):
        for ticket in tickets:
            if not selectors.ticket_assignee_choices(ticket=ticket).filter(pk=assignee.pk).exists():
                raise ValidationError(
                    {"assignee": [f"{assignee} cannot hold #{ticket.pk}: not in its team."]}
                )

    batch = str(uuid.uuid4())
    changed: list[int] = []
    unchanged: list[int] = []
    for ticket in tickets:
        tags_before = sorted(tag.name for tag in ticket.tags.all())
        before = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": ticket.assignee_id,
            "tags": tags_before,
        }
        tags = None
        if adding or removing:
            tags = sorted((set(tags_before) | adding) - removing)
        updated = services.ticket_update(
            ticket=ticket,
            actor=actor,
            status=status,
            priority=priority,
            assignee=assignee,
            tags=tags,
            reason="bulk",
        )
        after = {
            "status": updated.status,
            "priority": updated.priority,
            "assignee": updated.assignee_id,
            "tags": sorted(updated.tags.values_list("name", flat=True)),
        }
        if after == before:
            unchanged.append(ticket.pk)
            continue
        changed.append(ticket.pk)
        audit_record(
            kind=BULK_AUDIT_KIND,
            actor=actor,
            ticket=updated,
            obj=updated,
            before=before,
            after=after,
            data={"batch": batch, "tickets": len(tickets)},
        )
    return BulkResult(changed=tuple(changed), unchanged=tuple(unchanged))
