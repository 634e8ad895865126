"""WebSocket consumers of the agent pages: check permission, join a group, relay pushes.

Messages arrive from ``tickets.realtime`` as ``{"type": "push", "payload": event}``; the
payload is sent to the browser unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from redis.exceptions import RedisError

from tickets.realtime import agent_group, ticket_group
from tickets.selectors import agent_socket_allowed, ticket_is_visible_to

# Close codes in the application range: the page's script stops retrying on them.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# The channel layer did not answer; the page reconnects (not a final close code).
CLOSE_LAYER_UNAVAILABLE = 1011
JOIN_TIMEOUT_SECONDS = 5
logger = logging.getLogger(__name__)


class _RelayConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    ticket_id: int | None = None
    allowed_until = 0.0

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
        """Relay one event, if the agent may still see it. Access can be lost while the socket
        is open, so it is re-checked, at most once per ``SOCKET_RECHECK_SECONDS`` (a burst of
        pushes to a busy ticket costs one check, not one each)."""
        if not await self._still_allowed():
            await self.disconnect(CLOSE_FORBIDDEN)
            self.group = None
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.send_json(message["payload"])

    async def _still_allowed(self) -> bool:
        now = time.monotonic()
        if now < self.allowed_until:
            return True
        session = self.scope.get("session")
        allowed = await database_sync_to_async(agent_socket_allowed)(
            agent_id=self.scope["user"].pk,
            session_key=session.session_key if session is not None else None,
            ticket_id=self.ticket_id,
        )
        if allowed:
            self.allowed_until = now + settings.KIMONDESK.get("SOCKET_RECHECK_SECONDS", 5)
        return bool(allowed)


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
        self.ticket_id = ticket_id
        await self.join(ticket_group(ticket_id))


class NotificationConsumer(_RelayConsumer):
    """``ws/notifications/``: the signed-in agent's own events."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.join(agent_group(user.pk))
