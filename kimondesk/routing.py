"""WebSocket routes. Each app contributes its own list; any other path is refused cleanly."""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from tickets.routing import websocket_urlpatterns as ticket_ws

CLOSE_NOT_FOUND = 4404


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """A handshake on a path no app serves (``/ws/unknown/``, ``/ws/tickets/abc/``) is closed
    with 4404, instead of the router's "No route found" server error."""

    async def connect(self) -> None:
        await self.close(code=CLOSE_NOT_FOUND)


websocket_urlpatterns = [*ticket_ws, re_path(r"", UnknownPathConsumer.as_asgi())]
