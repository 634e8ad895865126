"""WebSocket consumers of the agent pages: check permission, join a group, relay pushes.

Messages arrive from ``tickets.realtime`` as ``{"type": "push", "payload": event}``; the
payload is sent to the browser unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from kimondesk.conf import kimondesk_settings
from tickets import presence
from tickets.realtime import agent_group, ticket_group
from tickets.selectors import (
    QUEUE_SCOPE_ALL,
    agent_socket_allowed,
    queue_groups_for,
    queue_socket_scope,
    ticket_is_visible_to,
)

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

    more_groups: tuple[str, ...] = ()

    async def join(self, group: str, *more_groups: str) -> None:
        try:
            # A pooled Redis connection left over from before a Redis restart can hang the first
            # command: refuse the socket instead, and the page's script connects again.
            async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                for name in (group, *more_groups):
                    await self.channel_layer.group_add(name, self.channel_name)
        except (TimeoutError, ConnectionError, RedisError):
            logger.warning("channel layer unavailable: socket for %s refused", group)
            await self.close(code=CLOSE_LAYER_UNAVAILABLE)
            return
        self.group, self.more_groups = group, more_groups
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            for name in (self.group, *self.more_groups):
                await self.channel_layer.group_discard(name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Only small JSON text frames are read at all; anything else is ignored."""
        if text_data is None or len(text_data) > presence.MAX_FRAME_CHARS:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Push-only unless a subclass says otherwise: what a browser sends is ignored."""

    async def push(self, message: dict[str, Any]) -> None:
        """Relay one event, if the agent may still see it. Access can be lost while the socket
        is open, so it is re-checked, at most once per ``SOCKET_RECHECK_SECONDS`` (a burst of
        pushes to a busy ticket costs one check, not one each)."""
        if await self._refused_now():
            return
        await self.send_json(message["payload"])

    async def _refused_now(self) -> bool:
        """Close the socket (and say so) if the agent has lost access since it opened."""
        if await self._still_allowed():
            return False
        await self.disconnect(CLOSE_FORBIDDEN)
        self.group = None
        await self.close(code=CLOSE_FORBIDDEN)
        return True

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
            self.allowed_until = now + kimondesk_settings().socket_recheck_seconds
        return bool(allowed)


class TicketConsumer(_RelayConsumer):
    """``ws/tickets/<id>/``: live events of one ticket, for agents allowed to see it, and the
    page's presence: who else has it open and who is typing a reply (``tickets.presence``)."""

    roster: presence.PresenceRoster
    presence_task: asyncio.Task[None] | None = None
    typing_until = 0.0
    typing_sent_at = 0.0
    typing_pending: bool | None = None
    heartbeat_at = 0.0
    last_viewers: list[dict[str, Any]] | None = None

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
        self.roster = presence.PresenceRoster()
        self.last_viewers = presence.presence_alone(agent_id=user.pk, name=str(user))
        await self.join(ticket_group(ticket_id))
        if self.group is not None:
            await self._announce(ask_back=True)
            self.presence_task = asyncio.create_task(self._presence_loop())

    async def disconnect(self, code: int) -> None:
        if self.presence_task is not None:
            self.presence_task.cancel()
            self.presence_task = None
        group = self.group
        await super().disconnect(code)
        self.group = None
        if group is not None:
            await self._group_send(
                {"type": "presence.leave", "channel": self.channel_name}, group=group
            )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        typing = presence.presence_typing_request(content)
        if typing is None or self.group is None:
            return
        now = time.monotonic()
        if now - self.typing_sent_at < presence.TYPING_MIN_INTERVAL_SECONDS:
            self.typing_pending = typing  # sent by the presence loop when the interval is over
            return
        await self._typing_set(typing, now)

    async def _typing_set(self, typing: bool, now: float) -> None:
        self.typing_pending = None
        self.typing_sent_at = now
        self.typing_until = now + presence.TYPING_TIMEOUT_SECONDS if typing else 0.0
        await self._announce(ask_back=False)

    def _announcement(self, *, ask_back: bool) -> dict[str, Any]:
        """This page's ``presence.announce`` group message (``ask_back``: pages that receive it
        answer with their own, so a page that just opened learns who is here)."""
        user = self.scope["user"]
        return {
            "type": "presence.announce",
            "channel": self.channel_name,
            "agent": user.pk,
            "name": str(user),
            "typing_for": max(self.typing_until - time.monotonic(), 0.0),
            "ask_back": ask_back,
        }

    async def _announce(self, *, ask_back: bool) -> None:
        """Tell every page of the ticket (this one included) that this socket is here."""
        self.heartbeat_at = time.monotonic() + presence.HEARTBEAT_SECONDS
        await self._group_send(self._announcement(ask_back=ask_back))

    async def _group_send(self, message: dict[str, Any], *, group: str | None = None) -> None:
        group = group or self.group
        if group is None:
            return
        try:
            async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                await self.channel_layer.group_send(group, message)
        except (TimeoutError, ConnectionError, RedisError):
            logger.warning("channel layer unavailable: presence for %s not sent", group)

    async def presence_announce(self, message: dict[str, Any]) -> None:
        self.roster.viewer_seen(
            channel=message["channel"],
            agent_id=message["agent"],
            name=message["name"],
            typing_for=message["typing_for"],
            now=time.monotonic(),
        )
        if message["ask_back"] and message["channel"] != self.channel_name:
            # A page just opened: this page answers it directly, so it learns who is here
            # (unless this page's agent has lost access meanwhile: then it closes instead).
            if await self._refused_now():
                return
            with contextlib.suppress(TimeoutError, ConnectionError, RedisError):
                async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                    await self.channel_layer.send(
                        message["channel"], self._announcement(ask_back=False)
                    )
        await self._viewers_send()

    async def presence_leave(self, message: dict[str, Any]) -> None:
        self.roster.viewer_left(channel=message["channel"])
        await self._viewers_send()

    async def _viewers_send(self) -> None:
        if self.group is None:
            return  # closed or closing: nothing more goes to the browser
        viewers = self.roster.snapshot(now=time.monotonic())
        if viewers != self.last_viewers:
            if await self._refused_now():
                return  # who is looking at a ticket is itself only for those who may see it
            self.last_viewers = viewers
            await self.send_json({"type": "presence", "ticket": self.ticket_id, "viewers": viewers})

    async def _presence_loop(self) -> None:
        """Once a second: send a typing report held back by the rate limit, repeat this page's
        announcement when due, and tell the browser when someone's typing or presence expired."""
        while True:
            await asyncio.sleep(1)
            now = time.monotonic()
            try:
                if self.typing_pending is not None and (
                    now - self.typing_sent_at >= presence.TYPING_MIN_INTERVAL_SECONDS
                ):
                    await self._typing_set(self.typing_pending, now)
                elif now >= self.heartbeat_at:
                    await self._announce(ask_back=False)
                await self._viewers_send()
            except Exception:
                # One failed round (a socket closing under it) must not end presence for good.
                logger.exception("presence round failed for %s", self.group)


class NotificationConsumer(_RelayConsumer):
    """``ws/notifications/``: the signed-in agent's own events."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.join(agent_group(user.pk))


class QueueConsumer(_RelayConsumer):
    """``ws/queues/``: which tickets of the agent's team changed (``queue.ticket_changed``), so a
    queue page can offer a refresh. Admins get every team's. Each event is relayed only if its
    ``team`` is, at that moment, the agent's own (or the agent is an admin)."""

    scope_cache: int | str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        groups = queue_groups_for(agent=user)
        if not groups:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join(*groups)

    async def _still_allowed(self) -> bool:
        now = time.monotonic()
        if now >= self.allowed_until:
            session = self.scope.get("session")
            self.scope_cache = await database_sync_to_async(queue_socket_scope)(
                agent_id=self.scope["user"].pk,
                session_key=session.session_key if session is not None else None,
            )
            self.allowed_until = now + kimondesk_settings().socket_recheck_seconds
        return self.scope_cache is not None

    async def push(self, message: dict[str, Any]) -> None:
        if await self._refused_now():
            return
        payload = message["payload"]
        if self.scope_cache == QUEUE_SCOPE_ALL or payload.get("team") == self.scope_cache:
            await self.send_json(payload)
