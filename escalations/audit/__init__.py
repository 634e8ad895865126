"""The audit log (append-only ``AuditEvent`` rows) and its one writer. Call ``audit_record`` inside
the transaction of the change it records.

Configuration changes, their history in words and reverts: ``config.py``, ``history.py``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from escalations.models import AuditEvent

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


def audit_record(
    *,
    kind: str,
    actor: Agent | None = None,
    actor_label: str = "",
    ticket: Ticket | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else "system"),
        ticket=ticket,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        data=data or {},
    )
