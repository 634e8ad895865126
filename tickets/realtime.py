"""Live push over the Channels layer. Call only from ``transaction.on_commit`` callbacks.

Groups: ``ticket.<id>`` for everyone with the ticket page open, ``agent.<id>`` for one agent's
notification socket.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def push_many(pushes: list[tuple[str, dict[str, Any]]]) -> None:
    """Send several ``(group, event)`` pushes in one round trip to the channel layer."""
    layer = get_channel_layer()
    if layer is None or not pushes:
        return

    async def send_all() -> None:
        # Consumers receive each in their ``push`` handler and relay ``event["payload"]``.
        results = await asyncio.gather(
            *(
                layer.group_send(group, {"type": "push", "payload": event})
                for group, event in pushes
            ),
            return_exceptions=True,
        )
        for (group, _), result in zip(pushes, results, strict=True):
            if isinstance(result, BaseException):
                # A push is a convenience on top of stored data: pages catch up on reconnect.
                logger.error("live push to %s failed", group, exc_info=result)

    try:
        async_to_sync(send_all)()
    except Exception:
        logger.exception("live pushes failed")


def push_to_ticket(ticket_id: int, event: dict[str, Any]) -> None:
    push_many([(ticket_group(ticket_id), event)])


def push_to_agent(agent_id: int, event: dict[str, Any]) -> None:
    push_many([(agent_group(agent_id), event)])
