"""Live push over the Channels layer. Call only from ``transaction.on_commit`` callbacks.

Groups: ``ticket.<id>`` for everyone with the ticket page open, ``agent.<id>`` for one agent's
notification socket.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def _group_send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Consumers receive it in their ``push`` handler and relay ``event["payload"]`` as JSON.
        async_to_sync(layer.group_send)(group, {"type": "push", "payload": event})
    except Exception:
        # A push is a convenience on top of stored data: pages catch up on reconnect.
        logger.exception("live push to %s failed", group)


def push_to_ticket(ticket_id: int, event: dict[str, Any]) -> None:
    _group_send(ticket_group(ticket_id), event)


def push_to_agent(agent_id: int, event: dict[str, Any]) -> None:
    _group_send(agent_group(agent_id), event)
