"""WebSocket consumers of the agent pages: check permission, join a group, relay pushes.

Messages arrive from ``tickets.realtime`` as ``{"type": "push", "payload": event}``; the
payload is sent to the browser unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from tickets.realtime import agent_group, ticket_group
from tickets.selectors import ticket_is_visible_to

# Close codes in the application range: the page's script stops retrying on them.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# The channel layer did not answer; the page reconnects (not a final close code).
CLOSE_LAYER_UNAVAILABLE = 1011
JOIN_TIMEOUT_SECONDS = 5
logger = logging.getLogger(__name__)


class _RelayConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def join(self, group: str) -> None:
        try:
            # A pooled Redis connection left over from before a Redis restart can hang the first
            # command: refuse the socket instead, and the page's script connects again.
            async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                await self.channel_layer.group_add(group, self.channel_name)
        except (TimeoutError, ConnectionError, RedisError):
            logger.warning("channel layer unavailable: socket for %s refused", group)
            await self.close(code=CLOSE_LAYER_UNAVAILABLE)
            return
        self.group = group
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The sockets are push-only; what a browser sends is ignored."""

    async def push(self, message: dict[str, Any]) -> None:
        await self.send_json(message["payload"])


class TicketConsumer(_RelayConsumer):
    """``ws/tickets/<id>/``: live events of one ticket, for agents allowed to see it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        ticket_id = int(self.scope["url_route"]["kwargs"]["ticket_id"])
        visible = await database_sync_to_async(ticket_is_visible_to)(
            agent=user, ticket_id=ticket_id
        )
        if not visible:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join(ticket_group(ticket_id))


class NotificationConsumer(_RelayConsumer):
    """``ws/notifications/``: the signed-in agent's own events."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.join(agent_group(user.pk))
