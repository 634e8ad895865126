"""Live push over the Channels layer. Call only from ``transaction.on_commit`` callbacks.

Groups: ``ticket.<id>`` for everyone with the ticket page open, ``agent.<id>`` for one agent's
notification socket, ``team.<id>`` and ``team.all`` for queue pages.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from kimondesk.live.layer import OutboxChannelLayer

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 5


def ticket_group(ticket_id: int) -> str:
    return f"ticket.{ticket_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def team_group(team_id: int) -> str:
    """Queue pages of one team."""
    return f"team.{team_id}"


# Queue pages of admins, who see every team.
TEAM_ALL_GROUP = "team.all"


_push_loop: asyncio.AbstractEventLoop | None = None
_push_loop_pid = 0
_push_loop_lock = threading.Lock()


def _persistent_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, in a daemon thread, so the Redis channel layer keeps its
    connections between pushes (a fresh loop per push reconnects every time)."""
    global _push_loop, _push_loop_pid
    with _push_loop_lock:
        # A forked worker inherits the variable but not the thread: start its own.
        if _push_loop is None or _push_loop_pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-push", daemon=True).start()
            _push_loop, _push_loop_pid = loop, os.getpid()
        return _push_loop


def push_many(pushes: list[tuple[str, dict[str, Any]]]) -> None:
    """Send several ``(group, event)`` pushes in one round trip to the channel layer."""
    layer = get_channel_layer()
    if layer is None or not pushes:
        return
    # Consumers receive each in their ``push`` handler and relay ``event["payload"]``.
    if isinstance(layer, OutboxChannelLayer):
        # One insert in the calling thread; every web process's relay delivers it.
        try:
            layer.publish_many(
                [(group, {"type": "push", "payload": event}) for group, event in pushes]
            )
        except Exception:
            # A push is a convenience on top of stored data: pages catch up on reconnect.
            logger.exception("live pushes to %s failed", ", ".join(g for g, _ in pushes))
        return

    async def send(batch: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        return await asyncio.gather(
            *(
                layer.group_send(group, {"type": "push", "payload": event})
                for group, event in batch
            ),
            return_exceptions=True,
        )

    async def send_all() -> None:
        results = await send(pushes)
        failed = [push for push, r in zip(pushes, results, strict=True) if isinstance(r, Exception)]
        if failed:
            # Once more: a connection the server dropped (Redis restarted) is replaced by then.
            retried = await send(failed)
            for (group, _), result in zip(failed, retried, strict=True):
                if isinstance(result, Exception):
                    # A push is a convenience on top of stored data: pages catch up on reconnect.
                    logger.error("live push to %s failed", group, exc_info=result)

    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Its queues belong to the server's own loop: reach it the standard way.
            async_to_sync(send_all)()
        else:
            future = asyncio.run_coroutine_threadsafe(send_all(), _persistent_loop())
            future.result(timeout=PUSH_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("live pushes failed")


def push_to_ticket(ticket_id: int, event: dict[str, Any]) -> None:
    push_many([(ticket_group(ticket_id), event)])
