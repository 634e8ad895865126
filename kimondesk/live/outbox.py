"""Reads and writes of the live outbox table (``LiveOutboxEvent``), in plain functions.

The channel layer (``layer.py``) calls these from its own database thread; ``tickets.realtime``
calls ``outbox_publish`` directly from ``transaction.on_commit`` callbacks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .models import LiveOutboxEvent

# A live event is a small JSON object (a rendered summary note is the biggest, a few KiB).
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_GROUP_LENGTH = 99


class OutboxPayloadError(ValueError):
    """A push that cannot be stored: a group name or payload outside the documented bounds."""


@dataclass(frozen=True)
class OutboxRow:
    id: int
    group: str
    payload: dict[str, Any]


def outbox_publish(*, pushes: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
    """Store ``(group, message)`` pushes for every process's relay; returns the new row ids.

    Payloads go through JSON here (datetimes and decimals as strings), so what a relay delivers
    is exactly what a socket would send. Raises ``OutboxPayloadError`` naming the bad push.
    """
    rows = []
    for group, message in pushes:
        if not group or len(group) > MAX_GROUP_LENGTH:
            raise OutboxPayloadError(f"group name must be 1-{MAX_GROUP_LENGTH} characters")
        encoded = json.dumps(message, cls=DjangoJSONEncoder)
        if len(encoded) > MAX_PAYLOAD_BYTES:
            raise OutboxPayloadError(
                f"push to {group} is {len(encoded)} bytes (limit {MAX_PAYLOAD_BYTES})"
            )
        rows.append(LiveOutboxEvent(group=group, payload=json.loads(encoded)))
    created = LiveOutboxEvent.objects.bulk_create(rows)
    return [row.pk for row in created if row.pk is not None]


def outbox_latest_id() -> int:
    latest = LiveOutboxEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return latest or 0


def outbox_read_after(*, after_id: int, limit: int) -> list[OutboxRow]:
    """The next ``limit`` rows with an id above ``after_id``, oldest first (primary key index)."""
    rows = LiveOutboxEvent.objects.filter(id__gt=after_id).order_by("id")[:limit]
    return [OutboxRow(id=r.pk, group=r.group, payload=r.payload) for r in rows]


def outbox_prune(*, older_than: datetime) -> int:
    """Delete rows created before ``older_than``; the newest row always stays, so that SQLite
    never hands out an id a relay has already passed. Returns how many were deleted."""
    latest = outbox_latest_id()
    deleted, _ = LiveOutboxEvent.objects.filter(created_at__lt=older_than, id__lt=latest).delete()
    return deleted


def cursor_advance(*, cursor: int, seen: dict[int, float], now: float, gap_seconds: float) -> int:
    """Move a relay's cursor over delivered ids (``seen``: id → when it was first read).

    Ids are handed out before commit, so a row can become visible after a higher id: the cursor
    stops below such a gap and the next reads include it. A gap still open ``gap_seconds`` after
    the id above it was read is a rolled-back insert (or a sequence jump) and is skipped.
    Delivered ids at or below the new cursor are removed from ``seen``.
    """
    while seen:
        following = cursor + 1
        if following in seen:
            del seen[following]
            cursor = following
            continue
        lowest = min(seen)
        if now - seen[lowest] < gap_seconds:
            break
        cursor = lowest - 1
    return cursor
