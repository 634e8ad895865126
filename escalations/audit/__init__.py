"""The audit log (append-only ``AuditEvent`` rows) and its one writer. Call ``audit_record`` (or
``audit_records`` with rows from ``audit_event``) inside the transaction of the change it records.

Configuration changes, their history in words and reverts: ``config.py``, ``history.py``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Required, TypedDict, Unpack

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from escalations.models import AuditEvent
from kimondesk.compiled_queries import rows_insert

if TYPE_CHECKING:
    from tickets.models import Agent, Ticket

# Fields never copied into the audit trail (secrets).
SECRET_FIELDS = frozenset({"slack_webhook_url", "secret", "password", "key"})


def audit_snapshot(obj: models.Model) -> dict[str, Any]:
    """A JSON-safe before/after picture of a model row, secrets masked."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.name in SECRET_FIELDS:
            value = "••••" if value else ""
        data[field.name] = value
    picture: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return picture


class AuditFields(TypedDict, total=False):
    """What one audit row says: ``kind`` and, as each kind needs, who did it (``actor``, or
    ``actor_label`` for a rule or the system), the ticket, the object and its before/after."""

    kind: Required[str]
    actor: Agent | None
    actor_label: str
    ticket: Ticket | None
    obj: models.Model | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    data: dict[str, Any] | None


def audit_event(**fields: Unpack[AuditFields]) -> AuditEvent:
    """One audit row, not yet written: give it to ``audit_records`` (or use ``audit_record``)."""
    actor = fields.get("actor")
    obj = fields.get("obj")
    return AuditEvent(
        kind=fields["kind"],
        actor=actor,
        actor_label=fields.get("actor_label") or (str(actor) if actor else "system"),
        ticket=fields.get("ticket"),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=fields.get("before"),
        after=fields.get("after"),
        data=fields.get("data") or {},
    )


def audit_records(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write the rows built by ``audit_event`` in one statement, in order."""
    return rows_insert(events)


def audit_record(**fields: Unpack[AuditFields]) -> AuditEvent:
    """Write one audit row."""
    (event,) = rows_insert([audit_event(**fields)])
    return event
